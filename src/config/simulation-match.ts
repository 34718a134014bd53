// What the config file's "mocks" and "faults" share: the "match" of a request, the form of
// a bkend error code, and the one message an entry's bad value gets (the setting, the
// entry's index, the field, the value, the fix). The simulations themselves are
// src/simulate/'s; this file only reads and checks the values.
import { SettingError, integer, text } from './parse-values.js'
import { closestName } from './did-you-mean.js'

export interface RequestMatch {
  /** Upper case; absent: any method. */
  readonly method?: string
  /** `*` stands for any characters but `/`, `**` for any at all; absent: any path. */
  readonly path?: string
  /** Parameters the query must carry with these values (others may come too). */
  readonly query?: Readonly<Record<string, string>>
  /** Text the request body must contain. */
  readonly bodyContains?: string
}

const MATCH_FIELDS = ['method', 'path', 'query', 'bodyContains'] as const
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
// As bkend writes a code: domain/name, or upper case with underscores. Whether the docs
// name it is the banner's warning (src/simulate/describe.ts): an undocumented code still works.
const BKEND_CODE_FORM = /^(?:[a-z]+\/[a-z0-9]+(?:-[a-z0-9]+)*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)$/

/** One entry of a list setting, for its messages: `mocks entry 2`. */
export interface EntryContext { setting: string, index: number }

/** A SettingError for one field of one entry: what it holds, why that is wrong, and a fix. */
export function entryError (at: EntryContext, field: string, value: unknown, problem: string, fix: string): SettingError {
  const shown = value === undefined ? 'missing' : JSON.stringify(value)
  return new SettingError(`has entry ${at.index} (counted from 0) with ${field} ${shown}, which ${problem}`, `in ${at.setting} entry ${at.index}, ${fix}`, true)
}

export function isPlainObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The entries of a list setting, each a plain object. */
export function entriesOf (raw: unknown, setting: string, example: string): Array<Record<string, unknown>> {
  if (!Array.isArray(raw)) throw new SettingError(`must be a list (a JSON array) of entries, e.g. ${example}`, `set "${setting}": ${example}`, true)
  raw.forEach((entry, index) => {
    if (!isPlainObject(entry)) throw entryError({ setting, index }, 'the entry', entry, 'must be an object', `write an object such as ${example.slice(1, -1)}`)
  })
  return raw as Array<Record<string, unknown>>
}

/** Refuses a field the entry cannot have, naming the nearest one it can. */
export function onlyFields (entry: Record<string, unknown>, fields: readonly string[], at: EntryContext, prefix = ''): void {
  for (const field of Object.keys(entry)) {
    if (fields.includes(field)) continue
    const near = closestName(field, fields)
    throw entryError(at, `${prefix}${field}`, entry[field], `is not a field here (${fields.join(', ')})`, near === undefined ? `remove "${field}"` : `rename "${field}" to "${near}"`)
  }
}

export function requestMatch (raw: unknown, at: EntryContext): RequestMatch {
  if (raw === undefined) return {}
  if (!isPlainObject(raw)) throw entryError(at, 'match', raw, 'must be an object', 'write e.g. "match": {"method": "GET", "path": "/v1/data/posts/*"}')
  onlyFields(raw, MATCH_FIELDS, at, 'match.')
  const match: { method?: string, path?: string, query?: Record<string, string>, bodyContains?: string } = {}
  if (raw.method !== undefined) {
    const method = typeof raw.method === 'string' ? raw.method.trim().toUpperCase() : ''
    if (!METHODS.includes(method)) throw entryError(at, 'match.method', raw.method, `must be one of ${METHODS.join(', ')}`, 'write e.g. "method": "GET" (or leave it out for any method)')
    match.method = method
  }
  if (raw.path !== undefined) {
    if (typeof raw.path !== 'string' || !raw.path.startsWith('/') || /[?#\s]/.test(raw.path)) {
      throw entryError(at, 'match.path', raw.path, 'must be a path that starts with / (no query: match it with "query")', 'write e.g. "path": "/v1/data/posts/*"')
    }
    match.path = raw.path
  }
  if (raw.query !== undefined) {
    if (!isPlainObject(raw.query)) throw entryError(at, 'match.query', raw.query, 'must be an object of parameter name to value', 'write e.g. "query": {"limit": "10"}')
    const query: Record<string, string> = {}
    for (const [name, value] of Object.entries(raw.query)) {
      try {
        query[name] = text(value)
      } catch {
        throw entryError(at, `match.query.${name}`, value, 'must be a string or a number', `write e.g. "${name}": "10"`)
      }
    }
    match.query = query
  }
  if (raw.bodyContains !== undefined) {
    if (typeof raw.bodyContains !== 'string' || raw.bodyContains === '') throw entryError(at, 'match.bodyContains', raw.bodyContains, 'must be a non-empty string', 'write e.g. "bodyContains": "\\"title\\""')
    match.bodyContains = raw.bodyContains
  }
  return match
}

/** A bkend error code in the form bkend writes one. */
export function bkendCodeField (raw: unknown, at: EntryContext, field: string): string {
  if (typeof raw !== 'string' || !BKEND_CODE_FORM.test(raw.trim())) {
    throw entryError(at, field, raw, 'is not a bkend error code (domain/name, e.g. data/not-found, or UPPER_CASE)', `write e.g. "${field.split('.').at(-1)!}": "data/not-found"`)
  }
  return raw.trim()
}

/** A whole number in a range, for an entry's field. */
export function wholeField (raw: unknown, min: number, max: number, at: EntryContext, field: string, example: string): number {
  try {
    if (typeof raw !== 'number') throw new Error('not a number')
    return integer(min, max)(raw)
  } catch {
    throw entryError(at, field, raw, `must be a whole number from ${min} to ${max}`, `write e.g. "${field.split('.').at(-1)!}": ${example}`)
  }
}
