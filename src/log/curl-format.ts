// Pure: an exchange record → the lines `curl -v` would show, and the one-line forms of
// the default format (an allowed preflight, a stream's end). Knows nothing about pino.
import type { ExchangeHead, ExchangeRecord, BodyPreview } from './exchange.js'
import { PLAIN, statusTone, type Palette, type Tone } from './colour.js'
import { describeUserToken } from './user-token.js'

// A header value from the wire may carry a terminal escape sequence.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g
const HAS_CONTROL = new RegExp(CONTROL.source)

// Every header value passes here: the test is cheaper than a replace that finds nothing.
export function clean (text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, '�') : text
}

export interface ExchangeExtras {
  hint?: string
  errorCode?: string
  curl?: string
}

/** The command is printed under failing exchanges always, under the rest with --log-curl. */
export function curlShown (record: ExchangeRecord, logCurl: boolean): boolean {
  return logCurl || record.response.status >= 400 || record.error !== undefined
}

export function formatExchange (record: ExchangeRecord, extras: ExchangeExtras = {}, paint: Palette = PLAIN): string {
  const lines = headLines(record, paint, statusTone(record.response.status, record.error !== undefined))
  if (record.responseBody) lines.push(...bodyLines('{', record.responseBody))
  lines.push(paint.tone(recordTone(record), summaryLine(record, extras.errorCode)))
  lines.push(...extrasLines(extras, paint))
  return lines.join('\n')
}

export function formatStreamOpen (head: ExchangeHead, contentType: string | undefined, headersMs: number, paint: Palette = PLAIN): string {
  const tone = statusTone(head.response.status, false)
  const lines = headLines(head, paint, tone)
  lines.push(paint.tone(tone, `* ${tag(head)}${environmentMark(head)}stream open${contentType ? ` (${clean(contentType)})` : ''}, headers after ${headersMs.toFixed(1)} ms`))
  return lines.join('\n')
}

export function formatStreamEnd (record: ExchangeRecord, extras: ExchangeExtras = {}, paint: Palette = PLAIN): string {
  return [paint.tone(recordTone(record), summaryLine(record, extras.errorCode)), ...extrasLines(extras, paint)].join('\n')
}

export function preflightLine (record: ExchangeRecord, paint: Palette = PLAIN): string {
  const from = record.origin ? ` from ${clean(record.origin)}` : ''
  const method = requestHeader(record, 'access-control-request-method') ?? '?'
  const headers = requestHeader(record, 'access-control-request-headers')
  const wants = `for ${clean(method)}${headers ? ` with ${clean(headers)}` : ''}`
  return paint.tone(recordTone(record), `* ${tag(record)}${replayMark(record)}OPTIONS ${clean(record.url)}${from} ${wants} → ${record.response.status} (preflight, answered by the proxy) in ${record.durationMs.toFixed(1)} ms`)
}

export function isAllowedPreflight (record: ExchangeRecord): boolean {
  return record.method === 'OPTIONS' && record.answeredBy === 'proxy' && record.error === undefined &&
    record.response.status === 204 && requestHeader(record, 'access-control-request-method') !== undefined
}

export function summaryLine (record: ExchangeRecord, errorCode?: string): string {
  const ms = `${record.durationMs.toFixed(1)} ms`
  const code = errorCode === undefined || record.error !== undefined ? '' : ` ${clean(errorCode)}`
  const head = `* ${tag(record)}${environmentMark(record)}${record.response.line.slice('HTTP/1.1 '.length)}${code}`
  if (record.error) return `${head} ${record.error.code} in ${ms}: ${clean(record.error.message)}`
  if (record.streamed) return `${head}, ${streamEnd(record)}`
  if (record.cutBy === 'proxy') {
    return `${head}, the proxy cut the response at shutdown after ${record.bytes} bytes in ${ms} (SHUTDOWN_GRACE_MS elapsed)`
  }
  if (record.cutBy === 'upstream') {
    return `${head}, the upstream closed the connection after ${sentBytes(record)} bytes in ${ms} (response cut short; the client's connection was aborted so it cannot mistake it for complete)`
  }
  if (!record.completed) return `${head}, client closed the connection after ${ms} and ${record.bytes} bytes (response not finished)`
  return `${head} in ${ms}, ${record.bytes} bytes`
}

export function streamEnd (record: ExchangeRecord): string {
  const amount = `${record.events === undefined ? '' : `${record.events} ${record.events === 1 ? 'event' : 'events'}, `}${sentBytes(record)} bytes`
  const aborted = record.cutBy === 'upstream' ? ' (the client\'s connection was aborted so it cannot mistake it for complete)' : ''
  return `stream ${streamEndedBy(record)} after ${formatDuration(record.durationMs)}: ${amount}${aborted}`
}

/** Who ended a stream: "closed by the client", "ended by the upstream", ... */
export function streamEndedBy (record: ExchangeRecord): string {
  if (record.completed) return 'ended by the upstream'
  if (record.cutBy === 'upstream') return 'cut off by the upstream'
  if (record.cutBy === 'proxy') return 'cut by the proxy shutdown'
  return 'closed by the client'
}

export function formatDuration (ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(1)} s`
}

export function recordTone (record: ExchangeRecord): Tone {
  const cut = !record.completed && (record.cutBy === 'upstream' || record.cutBy === 'proxy')
  return cut && record.response.status < 400 ? 'client-error' : statusTone(record.response.status, record.error !== undefined)
}

/** "PROD " on every exchange that ran with prod active, so a write there cannot pass unnoticed;
 * "[staging] " on each exchange when several profiles are configured. */
export function environmentMark (head: ExchangeHead): string {
  if (head.environment === 'prod') return 'PROD '
  return head.environmentMarked === true && head.environment !== undefined ? `[${clean(head.environment)}] ` : ''
}

/** "replay of #12: " on a request the inspector replayed, so it does not pass for the app's own. */
export function replayMark (head: ExchangeHead): string {
  return head.replayOf === undefined ? '' : `replay of #${head.replayOf}: `
}

export function tag (head: ExchangeHead): string {
  return head.id === 0 ? '' : `#${head.id} `
}

function headLines (head: ExchangeHead & { requestBody?: BodyPreview }, paint: Palette, tone: Tone): string[] {
  const from = head.origin ? ` from ${clean(head.origin)}` : ''
  const route = head.target === 'proxy' ? `answered by ${head.answeredBy === 'mock' || head.answeredBy === 'fault' ? `a ${head.answeredBy}` : 'the proxy'} (not forwarded)` : `→ ${clean(head.target)}`
  const lines = [`* ${tag(head)}${replayMark(head)}${head.method} ${clean(head.url)}${from} ${route}`]
  for (const note of head.notes) lines.push(`* ${tag(head)}note: ${clean(note)}`)
  if (head.userToken) lines.push(`* ${tag(head)}user token ${head.userToken.fingerprint}: ${clean(describeUserToken(head.userToken))}`)
  lines.push(`> ${clean(head.request.line)}`)
  for (const [name, value, injected] of head.request.headers) {
    lines.push(`> ${name}: ${clean(value)}${injected ? `   ${paint.injected('[injected]')}` : ''}`)
  }
  lines.push('>')
  if (head.requestBody) lines.push(...bodyLines('}', head.requestBody))
  lines.push(paint.tone(tone, `< ${head.response.line}`))
  for (const [name, value] of head.response.headers) lines.push(`< ${name}: ${clean(value)}`)
  lines.push('<')
  return lines
}

function extrasLines (extras: ExchangeExtras, paint: Palette): string[] {
  const lines: string[] = []
  if (extras.hint) for (const hint of extras.hint.split('\n')) lines.push(paint.hint(`* hint: ${clean(hint)}`))
  // Last and unprefixed, so a triple-click selects exactly the command.
  if (extras.curl) lines.push(clean(extras.curl))
  return lines
}

function sentBytes (record: ExchangeRecord): string {
  return record.declaredBytes === undefined ? String(record.bytes) : `${record.bytes} of ${record.declaredBytes}`
}

function requestHeader (head: ExchangeHead, name: string): string | undefined {
  return head.request.headers.find(([header]) => header === name)?.[1]
}

function bodyLines (marker: string, body: BodyPreview): string[] {
  const note = body.truncated ? `[first ${Buffer.byteLength(body.text)} of ${body.totalBytes} bytes]` : `[${body.totalBytes} bytes]`
  return [`${marker} ${note}`, ...body.text.split('\n').map(line => `${marker} ${clean(line)}`)]
}
