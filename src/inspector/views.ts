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
import { rateLimitOf, type RateLimit } from '../log/rate-limit.js'
import type { Config } from '../config/settings.js'
import { RAW, recordOf, type StoredExchange } from './stored-exchange.js'

/** The list's view of an exchange: the stored fields, an ISO start time, and whether it has hints. */
export type ExchangeSummary = Pick<StoredExchange, 'id' | 'replayOf' | 'state' | 'method' | 'url' | 'status' | 'answeredBy' | 'environment' | 'headersMs' | 'durationMs' | 'bytes' | 'errorCode' | 'stream' | 'failed'> & {
  startedAt: string
  hint: boolean
  /** The upstream's X-RateLimit-Limit, X-RateLimit-Remaining and Retry-After (s), when it sent any. */
  rateLimit?: RateLimit
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
}

export function summaryOf (entry: StoredExchange): ExchangeSummary {
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
  const rateLimit = rateLimitOf(entry[RAW].exchange.upstreamResponseHeaders)
  if (rateLimit !== undefined) summary.rateLimit = rateLimit
  return summary
}

/**
 * An exchange as the detail pane and HAR show it. Bodies are decoded off the event loop
 * (bounded-decode.ts), hence the promise. Every text is scrubbed of every profile's key,
 * of the configuration given and of the one the exchange ran on: an upstream may echo a
 * key, and a client may send one in its URL or body.
 */
export async function detailOf (entry: StoredExchange, context: { config: Config, replays: number[] }): Promise<ExchangeDetail | ExchangeSummary> {
  const record = recordOf(entry)
  if (record === undefined) return summaryOf(entry)
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
  return detail
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
