// The parser of the config file's "faults" (and of POST /__proxy/api/faults): failures the
// proxy makes on purpose, per matching request (src/simulate/ makes them).
import { SettingError } from './parse-values.js'
import { bkendCodeField, entriesOf, entryError, isPlainObject, onlyFields, requestMatch, wholeField, type EntryContext, type RequestMatch } from './simulation-match.js'

/** How a request fails: a bkend code, a status, the socket closed, no answer, or a body cut short. */
export type FaultError = string | number

export const FAULT_KINDS = ['reset', 'timeout', 'cut'] as const

export interface Fault {
  readonly match: RequestMatch
  /** Share of matching requests that get `error`, from 0 to 1. */
  readonly rate: number
  readonly error?: FaultError
  /** Added before the request goes on, drawn between the two. */
  readonly latencyMs?: readonly [number, number]
  /** At most `limit` requests per `windowS` seconds; then 429 data/rate-limit-exceeded. */
  readonly rateLimit?: { readonly limit: number, readonly windowS: number }
  /** A user token issued longer ago than this gets 401 auth/access-token-expired. */
  readonly tokenLifetimeS?: number
}

const EXAMPLE = '[{"match": {"path": "/v1/data/*"}, "rate": 0.1, "error": "data/rate-limit-exceeded", "latencyMs": [100, 800]}]'
const FIELDS = ['match', 'rate', 'error', 'latencyMs', 'rateLimit', 'tokenLifetimeS'] as const
const DOES = ['error', 'latencyMs', 'rateLimit', 'tokenLifetimeS'] as const
const MAX_MS = 600000

/** The "faults" setting's parser. */
export function faultList (raw: unknown): Fault[] {
  return entriesOf(raw, 'faults', EXAMPLE).map((entry, index) => {
    const at = { setting: 'faults', index }
    onlyFields(entry, FIELDS, at)
    if (!DOES.some(field => entry[field] !== undefined)) throw entryError(at, 'the entry', entry, `does nothing: it needs ${DOES.join(', ')} or several of them`, 'add e.g. "error": 500')
    const fault: { -readonly [K in keyof Fault]: Fault[K] } = { match: requestMatch(entry.match, at), rate: rateOf(entry.rate, at) }
    if (entry.error !== undefined) fault.error = faultError(entry.error, at)
    if (entry.latencyMs !== undefined) fault.latencyMs = latencyOf(entry.latencyMs, at)
    if (entry.rateLimit !== undefined) fault.rateLimit = rateLimitOf(entry.rateLimit, at)
    if (entry.tokenLifetimeS !== undefined) fault.tokenLifetimeS = wholeField(entry.tokenLifetimeS, 1, 86400 * 30, at, 'tokenLifetimeS', '60')
    return fault
  })
}

function rateOf (raw: unknown, at: EntryContext): number {
  if (raw === undefined) return 1
  if (typeof raw !== 'number' || !(raw >= 0 && raw <= 1)) throw entryError(at, 'rate', raw, 'must be a number from 0 to 1 (the share of matching requests that fail)', 'write e.g. "rate": 0.3')
  return raw
}

function faultError (raw: unknown, at: EntryContext): FaultError {
  if (typeof raw === 'number') return wholeField(raw, 400, 599, at, 'error', '503')
  if ((FAULT_KINDS as readonly unknown[]).includes(raw)) return raw as string
  try {
    return bkendCodeField(raw, at, 'error')
  } catch (error) {
    if (!(error instanceof SettingError)) throw error
    throw entryError(at, 'error', raw, `must be a bkend error code (e.g. data/not-found), a status from 400 to 599, or ${FAULT_KINDS.join(', ')}`, 'write e.g. "error": "timeout"')
  }
}

function latencyOf (raw: unknown, at: EntryContext): readonly [number, number] {
  const pair = typeof raw === 'number' ? [raw, raw] : raw
  const fix = 'write e.g. "latencyMs": [100, 800] (or one number for a fixed delay)'
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every(ms => Number.isInteger(ms) && ms >= 0 && ms <= MAX_MS) || pair[0] > pair[1]) {
    throw entryError(at, 'latencyMs', raw, `must be [min, max] in whole milliseconds, 0 to ${MAX_MS}, min first`, fix)
  }
  return [pair[0], pair[1]]
}

function rateLimitOf (raw: unknown, at: EntryContext): Fault['rateLimit'] {
  if (!isPlainObject(raw)) throw entryError(at, 'rateLimit', raw, 'must be an object with limit and windowS', 'write e.g. "rateLimit": {"limit": 100, "windowS": 60}')
  onlyFields(raw, ['limit', 'windowS'], at, 'rateLimit.')
  return {
    limit: wholeField(raw.limit, 1, 1_000_000, at, 'rateLimit.limit', '100'),
    windowS: wholeField(raw.windowS, 1, 86400, at, 'rateLimit.windowS', '60')
  }
}
