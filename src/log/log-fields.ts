// Pure: the flat fields every JSON exchange line carries, so a log shipper can filter
// on them without reading the nested record (which stays beside them as `exchange`).
import type { ExchangeHead, ExchangeRecord } from './exchange.js'

export interface FlatFields {
  id: number
  method: string
  path: string
  status: number
  durationMs: number
  bytes: number
  origin: string | null
  answeredBy: 'upstream' | 'proxy' | 'mock' | 'fault'
  errorCode: string | null
  /** The environment (profile) the exchange ran with: "prod" marks every exchange while prod is active. */
  environment: string | null
  /** The upstream's X-RateLimit-Limit, X-RateLimit-Remaining and Retry-After (in seconds). */
  rateLimitLimit: number | null
  rateLimitRemaining: number | null
  retryAfterS: number | null
  replayOf?: number
  hint?: string
}

export function flatFields (record: ExchangeRecord, errorCode: string | undefined, hint: string | undefined): FlatFields {
  const fields = headFields(record, record.durationMs, errorCode)
  fields.bytes = record.bytes
  if (hint !== undefined) fields.hint = hint
  return fields
}

/** For a stream's opening line: the duration so far is the time to its head. */
export function headFields (head: ExchangeHead, durationMs: number, errorCode: string | undefined): FlatFields {
  const fields: FlatFields = {
    id: head.id,
    method: head.method,
    path: head.url,
    status: head.response.status,
    durationMs: Math.round(durationMs * 1000) / 1000,
    bytes: 0,
    origin: head.origin ?? null,
    answeredBy: head.answeredBy,
    errorCode: errorCode ?? null,
    environment: head.environment ?? null,
    rateLimitLimit: head.rateLimit?.limit ?? null,
    rateLimitRemaining: head.rateLimit?.remaining ?? null,
    retryAfterS: head.rateLimit?.retryAfterS ?? null
  }
  if (head.replayOf !== undefined) fields.replayOf = head.replayOf
  return fields
}
