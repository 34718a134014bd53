// One exchange as the inspector keeps it: the fields the list and filters read, the
// redacted record the log printed, and (out of sight) what viewing and replay need.
// The private parts hold the raw request (the client's own headers, the body as sent),
// because replay must repeat it exactly; they sit under a symbol key, which
// JSON.stringify and Object.keys skip, and every view copies named fields only, so
// nothing raw can reach the API by accident.
import type { IncomingHttpHeaders } from 'node:http'
import { exchangeRecord, type Exchange, type ExchangeRecord, type HeaderBag } from '../log/exchange.js'
import type { Hint } from '../diagnose/hints.js'
import type { Config } from '../config/settings.js'
import type { CapturedBody } from './captured-body.js'
import type { RateLimit } from '../log/rate-limit.js'
import type { StreamEvents } from './live-streams.js'

export const RAW = Symbol('inspector.raw')

export interface PrivateParts {
  /** The exchange object itself (un-redacted upstream headers). */
  exchange: Exchange
  /** The configuration the request ran on (its profile's key is scrubbed too; copy-as-curl reads it). */
  config?: Config
  /** The headers the client sent, before injection: what a replay sends again. */
  clientHeaders: IncomingHttpHeaders
  requestBody?: CapturedBody
  responseBody?: CapturedBody
  /** The local end of the client's connection: copy-as-curl names the proxy's own address. */
  socket?: { localAddress?: string, localPort?: number }
  /** What the log's record was built from, to build it again when the exchange is viewed. */
  outcome?: RecordOutcome
  /** An event stream's most recent events, as shown (redacted, cut). */
  streamEvents?: StreamEvents
}

export interface RecordOutcome {
  /** Headers the proxy itself answered with (only for exchanges it answered). */
  replyHeaders: HeaderBag
  status: number
  completed: boolean
  durationMs: number
}

/** What the list, its filters and the feed read: kept apart from the private parts and bodies. */
export interface ListedExchange {
  id: number
  /** The exchange this one replayed. */
  replayOf?: number
  /** Epoch ms when the request arrived. */
  startedAt: number
  /** open: a stream whose headers arrived; done: finished (or cut). */
  state: 'open' | 'done'
  method: string
  /** Path and query as the client sent them, credentials in the query redacted. */
  url: string
  status: number
  answeredBy: 'upstream' | 'proxy'
  /** The environment (profile) the exchange ran with. */
  environment: string
  /** Time to the response headers, and in total (absent while open). */
  headersMs?: number
  durationMs?: number
  /** Response bytes (so far, while a stream is open). */
  bytes: number
  /** Events seen so far, for an event stream. */
  events?: number
  /** bkend's error.code, or the proxy's own proxy/... code. */
  errorCode?: string
  hints: string[]
  stream: boolean
  /** 4xx/5xx, a proxy error, or a response that did not finish (a stream the client closed did). */
  failed: boolean
  /** Who ended a stream. */
  endedBy?: 'upstream' | 'client' | 'proxy'
  responseType?: string
  /** The upstream's X-RateLimit-Limit, X-RateLimit-Remaining and Retry-After (s), when it sent any. */
  rateLimit?: RateLimit
}

export interface StoredExchange extends ListedExchange {
  readonly [RAW]: PrivateParts
}

const STREAM_TYPES = /^(text\/event-stream|application\/(x-)?ndjson)/i

export function isStreamType (contentType: unknown): boolean {
  return typeof contentType === 'string' && STREAM_TYPES.test(contentType)
}

// The record is not kept: hundreds of retained records (a few dozen small objects each)
// would survive young-generation collections on every request. Its ingredients are
// kept anyway (replay and copy-as-curl need them), so it is rebuilt when viewed.
/** The log's record of a finished exchange, as the log printed it. */
export function recordOf (entry: StoredExchange): ExchangeRecord | undefined {
  const { exchange, clientHeaders, outcome } = entry[RAW]
  if (outcome === undefined) return undefined
  return { ...exchangeRecord(exchange, { clientHeaders, ...outcome, startedAtMs: entry.startedAt }), durationMs: outcome.durationMs }
}

export function hintTexts (hints: readonly Hint[]): string[] {
  return hints.map(hint => hint.text)
}
