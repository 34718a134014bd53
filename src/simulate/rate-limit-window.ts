// Pure: a fault's "rateLimit": at most `limit` requests per fixed window of `windowS`
// seconds, counted from the first request of the window, and the headers bkend's docs name
// (X-RateLimit-Limit, X-RateLimit-Remaining; Retry-After on the 429).

export interface RateLimitOutcome {
  allowed: boolean
  headers: Record<string, string>
}

export interface RateLimitWindows {
  /** Counts one request against the window named `key`. */
  take: (key: string, limit: { limit: number, windowS: number }, nowMs: number) => RateLimitOutcome
}

export function createRateLimitWindows (): RateLimitWindows {
  const windows = new Map<string, { startMs: number, used: number }>()
  return {
    take: (key, { limit, windowS }, nowMs) => {
      let window = windows.get(key)
      if (window === undefined || nowMs >= window.startMs + windowS * 1000) {
        window = { startMs: nowMs, used: 0 }
        windows.set(key, window)
      }
      const allowed = window.used < limit
      if (allowed) window.used++
      const headers: Record<string, string> = { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(limit - window.used) }
      // Whole seconds, rounded up: a client that waits this long finds a new window.
      if (!allowed) headers['retry-after'] = String(Math.max(1, Math.ceil((window.startMs + windowS * 1000 - nowMs) / 1000)))
      return { allowed, headers }
    }
  }
}
