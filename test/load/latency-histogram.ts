// Latency percentiles in fixed memory. A load test sees as many responses as the machine
// can serve, so keeping each one's latency in an array grows with the machine's speed.

const BUCKETS_PER_MS = 10
const BUCKETS = 100_000 // 0.1 ms steps up to 10 s; slower answers share the last bucket

export interface LatencyHistogram {
  record: (ms: number) => void
  count: () => number
  max: () => number
  /** The p-th percentile as the upper edge of its 0.1 ms bucket (never above the maximum); NaN if empty. */
  percentile: (p: number) => number
}

export function latencyHistogram (): LatencyHistogram {
  const counts = new Uint32Array(BUCKETS)
  let count = 0
  let max = -Infinity
  return {
    record: ms => {
      counts[Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms * BUCKETS_PER_MS)))]!++
      count++
      max = Math.max(max, ms)
    },
    count: () => count,
    max: () => max,
    percentile: p => {
      if (count === 0) return NaN
      const rank = Math.max(1, Math.ceil((p / 100) * count))
      let seen = 0
      for (let bucket = 0; bucket < BUCKETS; bucket++) {
        seen += counts[bucket]!
        if (seen >= rank) return Math.min(max, (bucket + 1) / BUCKETS_PER_MS)
      }
      return max
    }
  }
}
