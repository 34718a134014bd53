// Pure: the list filters of the API, the SSE stream and HAR export (the page sends the
// same query), parsed once per request and matched per exchange.
import type { ListedExchange } from './stored-exchange.js'

export interface ExchangeFilter {
  /** Status classes (4 for 4xx) and exact statuses; an exchange matches either. */
  classes: number[]
  statuses: number[]
  method?: string
  /** One environment (profile): dev, staging or prod. */
  environment?: string
  /** Case-insensitive text in the path and query, or in the error code. */
  text?: string
  failedOnly: boolean
  streamsOnly: boolean
}

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 100000

export type Parsed<T> = { ok: true, value: T } | { ok: false, message: string }

type Query = Record<string, unknown>

export function parseFilter (query: Query): Parsed<ExchangeFilter> {
  const filter: ExchangeFilter = { classes: [], statuses: [], failedOnly: isOn(query.failed), streamsOnly: isOn(query.stream) }
  const status = one(query.status)
  for (const part of status === undefined || status === '' ? [] : status.split(',')) {
    const value = part.trim().toLowerCase()
    if (/^[1-5]xx$/.test(value)) filter.classes.push(Number(value[0]))
    else if (/^[1-5]\d\d$/.test(value)) filter.statuses.push(Number(value))
    else return { ok: false, message: `status=${JSON.stringify(part)} is not a status or class: use e.g. status=4xx, status=404 or status=4xx,5xx` }
  }
  const method = one(query.method)
  if (method !== undefined && method !== '') {
    if (!/^[A-Za-z]{1,20}$/.test(method)) return { ok: false, message: `method=${JSON.stringify(method)} is not an HTTP method` }
    filter.method = method.toUpperCase()
  }
  const environment = one(query.environment)
  if (environment !== undefined && environment !== '') {
    if (!['dev', 'staging', 'prod'].includes(environment)) return { ok: false, message: `environment=${JSON.stringify(environment)} is not an environment: use dev, staging or prod` }
    filter.environment = environment
  }
  const text = one(query.q)
  if (text !== undefined && text !== '') filter.text = text.toLowerCase()
  return { ok: true, value: filter }
}

export function parseLimit (raw: unknown, fallback = DEFAULT_LIMIT): Parsed<number> {
  const text = one(raw)
  if (text === undefined || text === '') return { ok: true, value: fallback }
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT) return { ok: false, message: `limit=${JSON.stringify(text)} must be a whole number from 1 to ${MAX_LIMIT}` }
  return { ok: true, value }
}

export function matchesFilter (entry: ListedExchange, filter: ExchangeFilter): boolean {
  if (filter.classes.length > 0 || filter.statuses.length > 0) {
    if (!filter.classes.includes(Math.floor(entry.status / 100)) && !filter.statuses.includes(entry.status)) return false
  }
  if (filter.method !== undefined && entry.method !== filter.method) return false
  if (filter.environment !== undefined && entry.environment !== filter.environment) return false
  if (filter.failedOnly && !entry.failed) return false
  if (filter.streamsOnly && !entry.stream) return false
  if (filter.text !== undefined && !entry.url.toLowerCase().includes(filter.text) && !(entry.errorCode ?? '').toLowerCase().includes(filter.text)) return false
  return true
}

function one (value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? undefined : String(value[value.length - 1])
  return value === undefined ? undefined : String(value)
}

function isOn (value: unknown): boolean {
  const text = one(value)?.toLowerCase()
  return text === 'true' || text === '1' || text === 'yes' || text === 'on'
}
