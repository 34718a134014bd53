// One request/response pair as the proxy saw it (plain data: no configuration, no transport
// handles), and the redacted record that both log formats print.
//
// Each field has one writer, listed in the order the request flows:
//
//   field                                         written by                        when
//   id, startedAt, method, url, origin, quiet,    exchange-log.ts                   onRequest, first hook
//     environment, environmentMarked, replayOf
//     (and the empty injected, notes, responseBytes)
//   notes (append only: the one shared field)     guard/request-guard.ts,           as each refuses or
//                                                 inspector/gate.ts, forward/proxy.ts  rewrites something
//   failure                                       reply-error.ts (sendProxyError)   the proxy answers itself
//   replayBody, requestBody                       forward/proxy.ts                  preHandler (body tap)
//   upstreamHeaders, injected                     forward/proxy.ts                  rewriteRequestHeaders
//   upstreamUrl                                   forward/proxy.ts (the dispatcher  dispatch
//                                                 tells it through UpstreamCall)
//   upstreamStatus, upstreamResponseHeaders,      forward/proxy.ts                  upstream response
//     responseBody, errorBody, events,
//     responseBytes, upstreamCut
//   simulatedBy                                   simulate/simulate.ts              a mock or fault answers
//   bodyStream, head                              exchange-log.ts                   onSend (streams)
//   clientLeft, proxyCut                          exchange-log.ts                   response finish/close
//
// rateLimit is read from upstreamResponseHeaders when the head is built (rate-limit.ts).
import { STATUS_CODES } from 'node:http'
import { redactHeaderValue, redactUrl } from '../redact/redact.js'
import { redactBody, type BodyContext } from '../redact/body-redact.js'
import { rateLimitOf, type RateLimit } from './rate-limit.js'
import { userTokenOf, type UserToken } from './user-token.js'

/** Headers as Node and Fastify hand them over (a number for content-length set by hand). */
export type HeaderBag = Record<string, string | string[] | number | undefined>

export interface BodyPreview { text: string, totalBytes: number, truncated: boolean }

export interface Exchange {
  id: number
  startedAt: bigint
  method: string
  url: string
  origin: string | undefined
  /** The proxy's own routes (health checks, /__proxy/*): unnumbered and at debug while they succeed. */
  quiet: boolean
  environment: string
  environmentMarked: boolean
  replayOf?: number
  notes: string[]
  failure?: { code: string, message: string }
  /** Start of a textual request body, kept for copy-as-curl (never logged as such). */
  replayBody?: BodyPreview
  requestBody?: BodyPreview
  upstreamHeaders?: HeaderBag
  injected: string[]
  upstreamUrl?: string
  upstreamStatus?: number
  upstreamResponseHeaders?: HeaderBag
  responseBody?: BodyPreview
  /** Start of a textual 4xx/5xx response, kept to read bkend's error.code for hints. */
  errorBody?: BodyPreview
  events?: number
  responseBytes: number
  upstreamCut?: boolean
  /** A response whose body is a stream: when its head went out, and whether it is an event stream. */
  bodyStream?: { headersAt: bigint, eventStream: boolean, timer?: NodeJS.Timeout }
  head?: ExchangeHead
  clientLeft?: boolean
  /** The proxy ended it itself: SHUTDOWN_GRACE_MS ran out, or the request turned out not to be valid HTTP. */
  proxyCut?: ProxyCut
  simulatedBy?: 'mock' | 'fault'
}

export interface ProxyCut {
  cause: 'shutdown' | 'invalid-request'
  /** The status logged when no response had started (the client got none, or a raw one). */
  status: number
  failure?: { code: string, message: string }
}

export type HeaderLine = [name: string, value: string, injected?: true]

export interface ExchangeHead {
  /** 0 for the proxy's own routes answered 2xx: they are not numbered. */
  id: number
  method: string
  url: string
  origin?: string
  target: string
  answeredBy: 'upstream' | 'proxy' | 'mock' | 'fault'
  request: { line: string, headers: HeaderLine[] }
  response: { line: string, status: number, headers: HeaderLine[] }
  notes: string[]
  environment?: string
  environmentMarked?: true
  replayOf?: number
  rateLimit?: RateLimit
  userToken?: UserToken
}

export interface ExchangeRecord extends ExchangeHead {
  durationMs: number
  bytes: number
  completed: boolean
  cutBy?: 'client' | 'upstream' | 'proxy'
  declaredBytes?: number
  error?: { code: string, message: string }
  requestBody?: BodyPreview
  responseBody?: BodyPreview
  /** An event stream, or a response still open 1 s after its head: logged as it opened, then ended. */
  streamed?: true
  events?: number
}

export type ExchangeOutcome = Pick<ExchangeRecord, 'url' | 'answeredBy' | 'durationMs' | 'bytes' | 'completed' | 'error'> & { response: { status: number } }

interface HeadFacts {
  clientHeaders: HeaderBag
  replyHeaders: HeaderBag
  status: number
  startedAtMs?: number
}

/** The summary alone, for an exchange the log does not print: the header lines are the costly part of a record. */
export function exchangeOutcome (exchange: Exchange, outcome: { replyHeaders: HeaderBag, status: number, completed: boolean }): ExchangeOutcome {
  const upstreamAnswered = exchange.upstreamStatus !== undefined
  const summary: ExchangeOutcome = {
    url: redactUrl(exchange.url),
    answeredBy: exchange.simulatedBy ?? (upstreamAnswered ? 'upstream' : 'proxy'),
    durationMs: elapsedMs(exchange),
    bytes: upstreamAnswered ? exchange.responseBytes : Number(outcome.replyHeaders['content-length'] ?? 0) || 0,
    completed: outcome.completed,
    response: { status: upstreamAnswered ? exchange.upstreamStatus! : outcome.status }
  }
  const failure = failureOf(exchange)
  if (failure) summary.error = failure
  return summary
}

export function exchangeRecord (exchange: Exchange, outcome: HeadFacts & { completed: boolean }): ExchangeRecord {
  return settleRecord(exchangeHead(exchange, outcome), exchange, outcome)
}

export function exchangeHead (exchange: Exchange, facts: HeadFacts): ExchangeHead {
  const upstreamUrl = exchange.upstreamUrl
  const forwarded = upstreamUrl !== undefined && exchange.upstreamHeaders !== undefined
  const upstreamAnswered = exchange.upstreamStatus !== undefined
  const target = forwarded ? upstreamUrl : 'proxy'
  const requestPath = forwarded ? pathOf(upstreamUrl) : exchange.url
  const status = upstreamAnswered ? exchange.upstreamStatus! : facts.status
  const head: ExchangeHead = {
    id: exchange.id,
    method: exchange.method,
    url: redactUrl(exchange.url),
    target: redactUrl(target),
    answeredBy: exchange.simulatedBy ?? (upstreamAnswered ? 'upstream' : 'proxy'),
    request: {
      line: `${exchange.method} ${redactUrl(requestPath)} HTTP/1.1`,
      headers: headerLines(forwarded ? exchange.upstreamHeaders! : facts.clientHeaders, exchange.injected)
    },
    response: {
      line: `HTTP/1.1 ${status} ${status === 499 ? 'Client Closed Request' : STATUS_CODES[status] ?? ''}`.trimEnd(),
      status,
      headers: headerLines(upstreamAnswered ? exchange.upstreamResponseHeaders! : facts.replyHeaders, [])
    },
    notes: exchange.notes
  }
  if (exchange.origin !== undefined) head.origin = exchange.origin
  head.environment = exchange.environment
  if (exchange.environmentMarked) head.environmentMarked = true
  if (exchange.replayOf !== undefined) head.replayOf = exchange.replayOf
  const rateLimit = upstreamAnswered ? rateLimitOf(exchange.upstreamResponseHeaders) : undefined
  if (rateLimit !== undefined) head.rateLimit = rateLimit
  // The app's own token, never the configured key; its times are told relative to the request.
  const authorization = forwarded ? (exchange.injected.includes('authorization') ? undefined : exchange.upstreamHeaders!.authorization) : facts.clientHeaders.authorization
  const userToken = typeof authorization === 'string' ? userTokenOf(authorization, facts.startedAtMs ?? Date.now() - elapsedMs(exchange)) : undefined
  if (userToken !== undefined) head.userToken = userToken
  return head
}

/** Completes a head with how the exchange ended; in place, so a stream's record is built once. */
export function settleRecord (head: ExchangeHead, exchange: Exchange, outcome: { clientHeaders: HeaderBag, completed: boolean, streamed?: boolean }): ExchangeRecord {
  const record = head as ExchangeRecord
  record.durationMs = elapsedMs(exchange)
  // The proxy's own answers are not counted as they stream; their length is in the head.
  record.bytes = head.answeredBy === 'upstream' ? exchange.responseBytes : Number(head.response.headers.find(([name]) => name === 'content-length')?.[1] ?? 0) || 0
  record.completed = outcome.completed
  if (!outcome.completed) record.cutBy = endedBy(exchange)
  const declared = Number(exchange.upstreamResponseHeaders?.['content-length'])
  if (record.cutBy === 'upstream' && declared > 0) record.declaredBytes = declared
  const failure = failureOf(exchange)
  if (failure) record.error = failure
  if (exchange.requestBody) record.requestBody = redactedPreview(exchange.requestBody, { path: exchange.url, side: 'request', contentType: outcome.clientHeaders['content-type'] })
  if (exchange.responseBody) record.responseBody = redactedPreview(exchange.responseBody, { path: exchange.url, side: 'response', contentType: exchange.upstreamResponseHeaders?.['content-type'] })
  if (outcome.streamed === true) record.streamed = true
  if (exchange.events !== undefined) record.events = exchange.events
  return record
}

export function elapsedMs (exchange: Exchange): number {
  return Number(process.hrtime.bigint() - exchange.startedAt) / 1e6
}

function failureOf (exchange: Exchange): Exchange['failure'] {
  return exchange.failure ?? exchange.proxyCut?.failure
}

export function endedBy (exchange: Exchange): NonNullable<ExchangeRecord['cutBy']> {
  return exchange.proxyCut !== undefined ? 'proxy' : exchange.upstreamCut === true ? 'upstream' : 'client'
}

function redactedPreview (preview: BodyPreview, context: BodyContext): BodyPreview {
  return { ...preview, text: redactBody(preview.text, context).text }
}

function headerLines (headers: HeaderBag, injected: string[]): HeaderLine[] {
  const lines: HeaderLine[] = []
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined) continue
    for (const single of Array.isArray(value) ? value : [String(value)]) {
      const shown = redactHeaderValue(name, single)
      lines.push(injected.includes(name) ? [name, shown, true] : [name, shown])
    }
  }
  return lines
}

function pathOf (url: string): string {
  const path = url.indexOf('/', url.indexOf('//') + 2)
  return path < 0 ? '/' : url.slice(path)
}
