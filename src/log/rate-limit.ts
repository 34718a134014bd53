// Pure: the rate-limit state an upstream response tells, from the headers bkend documents
// (X-RateLimit-Limit, X-RateLimit-Remaining) and Retry-After (seconds, or an HTTP date,
// which counts from the response's own Date so that a skewed local clock does not matter).
// Headers as the exchange keeps them (exchange.ts's HeaderBag, written out: exchange.ts imports this file).
type HeaderBag = Record<string, string | string[] | number | undefined>

export interface RateLimit {
  limit?: number
  remaining?: number
  retryAfterS?: number
}

export const LOW_REMAINING_SHARE = 0.1

export function rateLimitOf (headers: HeaderBag | undefined, nowMs: number = Date.now()): RateLimit | undefined {
  if (headers === undefined) return undefined
  const rate: RateLimit = {}
  const limit = count(headers['x-ratelimit-limit'])
  const remaining = count(headers['x-ratelimit-remaining'])
  const retryAfterS = secondsToWait(first(headers['retry-after']), first(headers.date), nowMs)
  if (limit !== undefined) rate.limit = limit
  if (remaining !== undefined) rate.remaining = remaining
  if (retryAfterS !== undefined) rate.retryAfterS = retryAfterS
  return limit === undefined && remaining === undefined && retryAfterS === undefined ? undefined : rate
}

export function isRateLimitLow (rate: RateLimit | undefined): boolean {
  if (rate?.remaining === undefined) return false
  return rate.limit === undefined ? rate.remaining === 0 : rate.remaining <= rate.limit * LOW_REMAINING_SHARE
}

/** "retry after 5 s, 0/100 left", "3/100 left", "retry after 5 s". */
export function describeRateLimit (rate: RateLimit): string {
  const parts: string[] = []
  if (rate.retryAfterS !== undefined) parts.push(`retry after ${rate.retryAfterS} s`)
  if (rate.remaining !== undefined) parts.push(`${rate.remaining}${rate.limit === undefined ? '' : `/${rate.limit}`} left`)
  return parts.join(', ')
}

function count (value: HeaderBag[string]): number | undefined {
  const text = first(value)?.trim()
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined
}

function secondsToWait (value: string | undefined, date: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim()
  if (text === undefined || text === '') return undefined
  if (/^\d{1,15}$/.test(text)) return Number(text)
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  const sent = date === undefined ? NaN : Date.parse(date)
  return Math.max(0, Math.ceil((at - (Number.isNaN(sent) ? nowMs : sent)) / 1000))
}

function first (value: HeaderBag[string]): string | undefined {
  if (value === undefined) return undefined
  return Array.isArray(value) ? value[0] : String(value)
}
