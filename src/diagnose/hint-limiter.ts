// A hint is said once per cause per minute; repeats inside the window are counted and the count
// rides along next time, so a burst of failing requests yields one hint.

export interface HintLimiterOptions {
  windowMs?: number
  /** Milliseconds since some epoch; tests pass a fake clock. */
  now?: () => number
}

/** Returns the text to print for this occurrence of `cause`, or undefined to stay quiet. */
export type HintLimiter = (cause: string, text: string) => string | undefined

// Causes come from a fixed table, so this bound is only a guard against surprises.
const MAX_CAUSES = 1000

export function createHintLimiter (options: HintLimiterOptions = {}): HintLimiter {
  const windowMs = options.windowMs ?? 60_000
  const now = options.now ?? Date.now
  const seen = new Map<string, { saidAt: number, suppressed: number }>()
  return (cause, text) => {
    const at = now()
    const entry = seen.get(cause)
    if (entry && at - entry.saidAt < windowMs) {
      entry.suppressed++
      return undefined
    }
    const repeats = entry?.suppressed ?? 0
    if (!entry && seen.size >= MAX_CAUSES) seen.clear()
    seen.set(cause, { saidAt: at, suppressed: 0 })
    return repeats > 0 ? `${text} (same hint ${repeats} more ${repeats === 1 ? 'time' : 'times'} in the last minute)` : text
  }
}
