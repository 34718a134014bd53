// Pure: exchange details → HAR 1.2 entries (what Chrome DevTools imports), from the redacted
// views. Our own facts ride in "_bkend" fields, which HAR reserves for custom data.
import { VERSION } from '../config/version.js'
import type { BodyView } from './body-view.js'
import type { ExchangeDetail, HeaderView } from './views.js'

interface HarNameValue { name: string, value: string }

export interface HarEntry {
  startedDateTime: string
  time: number
  request: {
    method: string
    url: string
    httpVersion: string
    cookies: HarNameValue[]
    headers: HarNameValue[]
    queryString: HarNameValue[]
    postData?: { mimeType: string, text: string, comment?: string }
    headersSize: number
    bodySize: number
  }
  response: {
    status: number
    statusText: string
    httpVersion: string
    cookies: HarNameValue[]
    headers: HarNameValue[]
    content: { size: number, mimeType: string, text?: string, comment?: string }
    redirectURL: string
    headersSize: number
    bodySize: number
  }
  cache: Record<string, never>
  timings: { blocked: number, dns: number, connect: number, send: number, wait: number, receive: number, ssl: number }
  _bkend: { id: number, replayOf?: number, answeredBy: string, environment?: string, errorCode?: string, hints: string[], notes: string[] }
}

export interface HarDocument {
  log: { version: '1.2', creator: { name: string, version: string }, entries: HarEntry[], comment?: string }
}

const ENTRY_INDENT = '      '

/** The text before the first entry and after the last, so entries can be written one at a time. */
export function harFrame (left: number): { before: string, after: string } {
  const log: HarDocument['log'] = { version: '1.2', creator: { name: 'bkend-dev-proxy', version: VERSION }, entries: [] }
  if (left > 0) log.comment = `${left} streams still open were left out`
  const [before, after] = JSON.stringify({ log }, null, 2).split('"entries": []') as [string, string]
  return { before: `${before}"entries": [`, after: `\n    ]${after}` }
}

/** One entry as it stands in the entries array, indented to its depth (JSON strings hold no line breaks). */
export function harEntryText (entry: HarEntry): string {
  return ENTRY_INDENT + JSON.stringify(entry, null, 2).replaceAll('\n', `\n${ENTRY_INDENT}`)
}

export function harEntry (detail: ExchangeDetail, proxyOrigin: string): HarEntry {
  const url = detail.target === 'proxy' ? proxyOrigin + detail.url : detail.target
  // Milliseconds to the microsecond: 3.9, not 3.9000000000000004 from a subtraction.
  const total = toMicroseconds(detail.durationMs ?? 0)
  const wait = toMicroseconds(Math.min(detail.headersMs ?? total, total))
  const entry: HarEntry = {
    startedDateTime: detail.startedAt,
    time: total,
    request: {
      method: detail.method,
      url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: nameValues(detail.request.headers),
      queryString: queryOf(url),
      headersSize: -1,
      bodySize: detail.request.body.totalBytes
    },
    response: {
      status: detail.status,
      statusText: detail.response.line.replace(/^HTTP\/1\.1 \d+ ?/, ''),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: nameValues(detail.response.headers),
      content: content(detail.response.body),
      redirectURL: detail.response.headers.find(header => header.name === 'location')?.value ?? '',
      headersSize: -1,
      bodySize: detail.bytes
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait, receive: toMicroseconds(Math.max(0, total - wait)), ssl: -1 },
    _bkend: { id: detail.id, answeredBy: detail.answeredBy, environment: detail.environment, hints: detail.hints, notes: detail.notes }
  }
  if (detail.replayOf !== undefined) entry._bkend.replayOf = detail.replayOf
  if (detail.errorCode !== undefined) entry._bkend.errorCode = detail.errorCode
  const body = detail.request.body
  if (body.kind !== 'empty') {
    entry.request.postData = { mimeType: body.contentType ?? '', text: body.text ?? '' }
    const note = bodyNote(body)
    if (note) entry.request.postData.comment = note
  }
  return entry
}

function content (body: BodyView): HarEntry['response']['content'] {
  const result: HarEntry['response']['content'] = { size: body.totalBytes, mimeType: body.contentType ?? '' }
  if (body.text !== undefined) result.text = body.text
  const note = bodyNote(body)
  if (note) result.comment = note
  return result
}

function bodyNote (body: BodyView): string | undefined {
  if (body.kind === 'binary') return `binary body of ${body.totalBytes} bytes, not included`
  const notes: string[] = []
  if (body.truncated) notes.push(`first ${body.keptBytes} of ${body.totalBytes} bytes (INSPECTOR_MAX_BODY_BYTES)`)
  if (body.decodedCut) notes.push(`first ${body.decodedBytes ?? 0} bytes of the body decoded from ${body.decodedFrom ?? 'its encoding'}, which is longer (INSPECTOR_MAX_BODY_BYTES)`)
  return notes.length === 0 ? undefined : notes.join('; ')
}

function nameValues (headers: HeaderView[]): HarNameValue[] {
  return headers.map(({ name, value }) => ({ name, value }))
}

function queryOf (url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }))
  } catch {
    return []
  }
}

function toMicroseconds (ms: number): number {
  return Math.round(ms * 1000) / 1000
}
