// One "did you mean" rule for every name a user types (file keys, flags, enum values).

const MAX_EDITS = 2

/** The known name nearest to `typed` (case, - and _ ignored), if within two edits. */
export function closestName<T extends string> (typed: string, names: readonly T[]): T | undefined {
  const wanted = normalise(typed)
  let best: { name: T, edits: number } | undefined
  for (const name of names) {
    const edits = distance(normalise(name), wanted)
    if (edits <= MAX_EDITS && (best === undefined || edits < best.edits)) best = { name, edits }
  }
  return best?.name
}

function normalise (name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '')
}

// Levenshtein distance over one rolling row.
function distance (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}
