// Pure: an exchange record → the lines `curl -v` would show. Knows nothing about pino.
import type { ExchangeRecord, BodyPreview } from './exchange.js'

// A header value from the wire may carry a terminal escape sequence.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g

export function clean (text: string): string {
  return text.replace(CONTROL, '�')
}

export interface ExchangeExtras {
  /** Hint lines for this exchange, already rate-limited. */
  hint?: string
  /** The copy-as-curl command, when it is to be shown. */
  curl?: string
}

/** The command is printed under failing exchanges always, under the rest with --log-curl. */
export function curlShown (record: ExchangeRecord, logCurl: boolean): boolean {
  return logCurl || record.response.status >= 400 || record.error !== undefined
}

export function formatExchange (record: ExchangeRecord, extras: ExchangeExtras = {}): string {
  const id = `#${record.id}`
  const from = record.origin ? ` from ${clean(record.origin)}` : ''
  const route = record.target === 'proxy' ? 'answered by the proxy (not forwarded)' : `→ ${clean(record.target)}`
  const lines = [`* ${id} ${record.method} ${clean(record.url)}${from} ${route}`]
  for (const note of record.notes) lines.push(`* ${id} note: ${clean(note)}`)
  lines.push(`> ${clean(record.request.line)}`)
  for (const [name, value, injected] of record.request.headers) {
    lines.push(`> ${name}: ${clean(value)}${injected ? '   [injected]' : ''}`)
  }
  lines.push('>')
  if (record.requestBody) lines.push(...bodyLines('}', record.requestBody))
  lines.push(`< ${record.response.line}`)
  for (const [name, value] of record.response.headers) lines.push(`< ${name}: ${clean(value)}`)
  lines.push('<')
  if (record.responseBody) lines.push(...bodyLines('{', record.responseBody))
  lines.push(summaryLine(record))
  if (extras.hint) for (const hint of extras.hint.split('\n')) lines.push(`* hint: ${clean(hint)}`)
  // Last and unprefixed, so a triple-click selects exactly the command.
  if (extras.curl) lines.push(clean(extras.curl))
  return lines.join('\n')
}

export function summaryLine (record: ExchangeRecord): string {
  const ms = `${record.durationMs.toFixed(1)} ms`
  // Prod is marked on every exchange, so a write that reached it cannot pass unnoticed.
  const head = `* #${record.id} ${record.environment === 'prod' ? 'PROD ' : ''}${record.response.line.slice('HTTP/1.1 '.length)}`
  if (record.error) return `${head} ${record.error.code} in ${ms}: ${clean(record.error.message)}`
  if (record.cutBy === 'proxy') {
    return `${head}, the proxy cut the response at shutdown after ${record.bytes} bytes in ${ms} (SHUTDOWN_GRACE_MS elapsed)`
  }
  if (record.cutBy === 'upstream') {
    const of = record.declaredBytes === undefined ? '' : ` of ${record.declaredBytes}`
    return `${head}, the upstream closed the connection after ${record.bytes}${of} bytes in ${ms} (response cut short; the client's connection was aborted so it cannot mistake it for complete)`
  }
  if (!record.completed) return `${head}, client closed the connection after ${ms} and ${record.bytes} bytes (response not finished)`
  return `${head} in ${ms}, ${record.bytes} bytes`
}

function bodyLines (marker: string, body: BodyPreview): string[] {
  const note = body.truncated ? `[first ${Buffer.byteLength(body.text)} of ${body.totalBytes} bytes]` : `[${body.totalBytes} bytes]`
  return [`${marker} ${note}`, ...body.text.split('\n').map(line => `${marker} ${clean(line)}`)]
}
