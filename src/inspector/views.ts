// Record-to-API mapping: what the list, the SSE events, the detail pane and HAR read.
// Every view copies named fields from a StoredExchange; bodies and the curl command are
// redacted here, when viewed.
import { formatExchange } from '../log/curl-format.js'
import { diagnoseExchange } from '../diagnose/exchange-diagnosis.js'
import type { ExchangeRecord, HeaderLine } from '../log/exchange.js'
import type { UserToken } from '../log/user-token.js'
import { bodyView, type BodyView } from './body-view.js'
import { scrubSecrets } from '../redact/secret-scrub.js'
import { configuredSecretsOfBoth } from '../config/configured-secrets.js'
import type { Config } from '../config/settings.js'
import { RAW, recordOf, type ListedExchange, type StoredExchange } from './stored-exchange.js'
import { redactBodyText } from '../redact/redact-body.js'
import { PREVIEW_CHARS, type LiveView, type StreamEvent, type StreamEvents } from './live-streams.js'

/** The list's view of an exchange: the stored fields, an ISO start time, and whether it has hints. */
export type ExchangeSummary = Pick<ListedExchange, 'id' | 'replayOf' | 'state' | 'method' | 'url' | 'status' | 'answeredBy' | 'environment' | 'headersMs' | 'durationMs' | 'bytes' | 'events' | 'errorCode' | 'stream' | 'failed' | 'endedBy' | 'rateLimit'> & {
  startedAt: string
  hint: boolean
}

export interface HeaderView { name: string, value: string, injected?: true }

export interface ExchangeDetail extends ExchangeSummary {
  target: string
  request: { line: string, headers: HeaderView[], body: BodyView }
  response: { line: string, headers: HeaderView[], body: BodyView }
  /** The exchange as the log prints it (curl -v lines, without bodies). */
  curlVerbose: string
  /** A runnable command; secrets are $VARIABLES, secret body fields redacted. */
  curl: string | undefined
  hints: string[]
  notes: string[]
  error?: { code: string, message: string }
  /** The app's Authorization: Bearer <JWT>: fingerprint and unverified claims, never the token. */
  userToken?: UserToken
  completed: boolean
  cutBy?: ExchangeRecord['cutBy']
  replays: number[]
  streamEvents?: StreamEvents
}

/** An open stream's detail: what is known so far. */
export type OpenStreamDetail = ExchangeSummary & { streamEvents?: StreamEvents }

export function summaryOf (entry: ListedExchange): ExchangeSummary {
  const summary: ExchangeSummary = {
    id: entry.id,
    startedAt: new Date(entry.startedAt).toISOString(),
    state: entry.state,
    method: entry.method,
    url: entry.url,
    status: entry.status,
    answeredBy: entry.answeredBy,
    environment: entry.environment,
    bytes: entry.bytes,
    hint: entry.hints.length > 0,
    stream: entry.stream,
    failed: entry.failed
  }
  if (entry.replayOf !== undefined) summary.replayOf = entry.replayOf
  if (entry.headersMs !== undefined) summary.headersMs = round(entry.headersMs)
  if (entry.durationMs !== undefined) summary.durationMs = round(entry.durationMs)
  if (entry.errorCode !== undefined) summary.errorCode = entry.errorCode
  if (entry.events !== undefined) summary.events = entry.events
  if (entry.endedBy !== undefined) summary.endedBy = entry.endedBy
  if (entry.rateLimit !== undefined) summary.rateLimit = entry.rateLimit
  return summary
}

/**
 * An exchange as the detail pane and HAR show it. Bodies are decoded off the event loop
 * (bounded-decode.ts), hence the promise. Every text is scrubbed of every profile's key,
 * of the configuration given and of the one the exchange ran on: an upstream may echo a
 * key, and a client may send one in its URL or body.
 */
export async function detailOf (entry: StoredExchange, context: { config: Config, replays: number[], live?: LiveView }): Promise<ExchangeDetail | OpenStreamDetail> {
  const record = recordOf(entry)
  if (record === undefined) return openDetail(summaryOf(entry), context.live)
  const { exchange, clientHeaders } = entry[RAW]
  const secrets = configuredSecretsOfBoth(context.config, entry[RAW].config)
  const path = exchange.url.split('?', 1)[0] ?? ''
  const responseHeaders = exchange.upstreamResponseHeaders
  const maxDecodedBytes = context.config.inspectorMaxBodyBytes
  const [requestBody, responseBody] = await Promise.all([
    bodyView(entry[RAW].requestBody, { contentType: single(clientHeaders['content-type']), contentEncoding: single(clientHeaders['content-encoding']), path, side: 'request', secrets, maxDecodedBytes }),
    bodyView(entry[RAW].responseBody, { contentType: single(responseHeaders?.['content-type']), contentEncoding: single(responseHeaders?.['content-encoding']), path, side: 'response', secrets, maxDecodedBytes })
  ])
  const detail: ExchangeDetail = {
    ...summaryOf(entry),
    target: scrubSecrets(record.target, secrets),
    request: {
      line: scrubSecrets(record.request.line, secrets),
      headers: headerViews(record.request.headers, secrets),
      body: requestBody
    },
    response: {
      line: record.response.line,
      headers: headerViews(record.response.headers, secrets),
      body: responseBody
    },
    curlVerbose: scrubSecrets(formatExchange(withoutBodies(record)), secrets),
    curl: curlOf(entry, record, secrets, context.config),
    hints: entry.hints.map(hint => scrubSecrets(hint, secrets)),
    notes: record.notes.map(note => scrubSecrets(note, secrets)),
    completed: record.completed,
    replays: context.replays
  }
  if (record.error) detail.error = { code: record.error.code, message: scrubSecrets(record.error.message, secrets) }
  if (record.cutBy) detail.cutBy = record.cutBy
  if (record.userToken) detail.userToken = record.userToken
  if (entry[RAW].streamEvents) detail.streamEvents = entry[RAW].streamEvents
  return detail
}

function openDetail (summary: ExchangeSummary, live: LiveView | undefined): OpenStreamDetail {
  if (live === undefined) return summary
  const detail: OpenStreamDetail = { ...summary, bytes: live.bytes }
  if (live.events !== undefined) detail.events = live.events
  if (live.streamEvents !== undefined) detail.streamEvents = live.streamEvents
  return detail
}

/** A stream's event as the inspector shows it: data redacted like a body, every field cut to a preview. */
export function shownStreamEvent (event: StreamEvent, context: { path: string, secrets: readonly string[] }): StreamEvent {
  const shown = { at: event.at } as StreamEvent
  if (event.event !== undefined) shown.event = preview(scrubSecrets(event.event, context.secrets))
  if (event.id !== undefined) shown.id = preview(scrubSecrets(event.id, context.secrets))
  shown.data = preview(redactBodyText(event.data, undefined, { path: context.path, side: 'response', secrets: context.secrets }))
  return shown
}

function preview (text: string): string {
  return text.length > PREVIEW_CHARS ? text.slice(0, PREVIEW_CHARS) : text
}

// The log's copy-as-curl command: secrets are $VARIABLES, and a request body is in it
// only with LOG_BODIES (redacted by the log's rules); the page shows bodies beside it.
function curlOf (entry: StoredExchange, record: ExchangeRecord, secrets: readonly string[], config: Config): string | undefined {
  const { exchange, clientHeaders, socket } = entry[RAW]
  const curl = diagnoseExchange(exchange, record, { clientHeaders, config: entry[RAW].config ?? config, wantCurl: true, socket: socket ?? {} }).curl
  return curl === undefined ? undefined : scrubSecrets(curl, secrets)
}

function withoutBodies (record: ExchangeRecord): ExchangeRecord {
  const { requestBody: _request, responseBody: _response, ...rest } = record
  return rest
}

function headerViews (lines: HeaderLine[], secrets: readonly string[]): HeaderView[] {
  return lines.map(([name, raw, injected]) => {
    const value = scrubSecrets(raw, secrets)
    return injected ? { name, value, injected } : { name, value }
  })
}

function single (value: unknown): string | undefined {
  if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0])
  return value === undefined ? undefined : String(value)
}

function round (ms: number): number {
  return Math.round(ms * 10) / 10
}
