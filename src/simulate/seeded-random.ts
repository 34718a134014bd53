// Pure: the faults' random numbers; FAULT_SEED makes a run repeatable. mulberry32 (Tommy
// Ettinger's) is plenty for choosing which requests fail.

export type Random = () => number

/** Numbers in [0, 1) from a 32-bit seed. */
export function mulberry32 (seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A seed of any text ("42", "demo") as 32 bits (FNV-1a). */
export function seedOf (text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

/** The generator for the FAULT_SEED a request runs with: kept while the seed stays, started again when it changes. */
export function randomFor (): (seed: string) => Random {
  let current: { seed: string, random: Random } | undefined
  return seed => {
    if (current?.seed !== seed) current = { seed, random: mulberry32(seed === '' ? (Math.random() * 2 ** 32) >>> 0 : seedOf(seed)) }
    return current.random
  }
}
