// The parser of the config file's "mocks": answers the proxy gives itself instead of
// forwarding (src/simulate/ serves them). Entries are checked here, so a bad one stops
// start-up, or is refused on reload with the running mocks kept.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { headerMap, SettingError } from './parse-values.js'
import { bkendCodeField, entriesOf, entryError, isPlainObject, onlyFields, requestMatch, wholeField, type EntryContext, type RequestMatch } from './simulation-match.js'

export interface MockAnswer {
  /** Absent with `error`: the status bkend's docs give for the code. */
  readonly status?: number
  readonly headers: Readonly<Record<string, string>>
  /** Sent as JSON, or as it is when a string. */
  readonly body?: unknown
  /** Absolute path of a file sent as the body, read at each answer. */
  readonly bodyFile?: string
  /** A bkend error code: its documented status and bkend's error body. */
  readonly error?: string
}

export interface Mock {
  readonly match: RequestMatch
  readonly respond: MockAnswer
  readonly delayMs: number
  /** How many requests it answers; absent: every one. */
  readonly times?: number
}

const EXAMPLE = '[{"match": {"method": "GET", "path": "/v1/data/posts/*"}, "respond": {"error": "data/not-found"}}]'
const FIELDS = ['match', 'respond', 'delayMs', 'times'] as const
const ANSWER_FIELDS = ['status', 'headers', 'body', 'bodyFile', 'error'] as const

/** The "mocks" setting's parser. */
export function mockList (raw: unknown): Mock[] {
  return entriesOf(raw, 'mocks', EXAMPLE).map((entry, index) => {
    const at = { setting: 'mocks', index }
    onlyFields(entry, FIELDS, at)
    const mock: { match: RequestMatch, respond: MockAnswer, delayMs: number, times?: number } = {
      match: requestMatch(entry.match, at),
      respond: mockAnswer(entry.respond, at),
      delayMs: entry.delayMs === undefined ? 0 : wholeField(entry.delayMs, 0, 600000, at, 'delayMs', '300')
    }
    if (entry.times !== undefined) mock.times = wholeField(entry.times, 1, Number.MAX_SAFE_INTEGER, at, 'times', '1')
    return mock
  })
}

function mockAnswer (raw: unknown, at: EntryContext): MockAnswer {
  if (!isPlainObject(raw)) throw entryError(at, 'respond', raw, 'must be an object with status, headers and body, bodyFile or error', 'write e.g. "respond": {"status": 200, "body": {"items": []}}')
  onlyFields(raw, ANSWER_FIELDS, at, 'respond.')
  const given = (['body', 'bodyFile', 'error'] as const).filter(field => raw[field] !== undefined)
  if (given.length > 1) throw entryError(at, 'respond', raw, `has ${given.join(' and ')}; it takes one of body, bodyFile and error`, `keep one of ${given.join(', ')}`)
  const answer: { status?: number, headers: Record<string, string>, body?: unknown, bodyFile?: string, error?: string } = { headers: {} }
  if (raw.status !== undefined) answer.status = wholeField(raw.status, 100, 599, at, 'respond.status', '200')
  else if (raw.error === undefined) answer.status = 200
  if (raw.headers !== undefined) {
    try {
      answer.headers = headerMap(raw.headers)
    } catch (error) {
      if (!(error instanceof SettingError)) throw error
      throw entryError(at, 'respond.headers', raw.headers, error.message, 'write e.g. "headers": {"X-Total": "3"}')
    }
  }
  if (raw.body !== undefined) answer.body = raw.body
  if (raw.bodyFile !== undefined) {
    if (typeof raw.bodyFile !== 'string' || raw.bodyFile.trim() === '') throw entryError(at, 'respond.bodyFile', raw.bodyFile, 'must be a file path', 'write e.g. "bodyFile": "mocks/posts.json"')
    // Relative to the directory the proxy runs in, like the --config path itself.
    const file = resolve(raw.bodyFile)
    if (!existsSync(file)) throw entryError(at, 'respond.bodyFile', raw.bodyFile, `names no file (looked for ${file})`, 'give a path that exists, relative to the directory the proxy starts in')
    answer.bodyFile = file
  }
  if (raw.error !== undefined) answer.error = bkendCodeField(raw.error, at, 'respond.error')
  return answer
}
