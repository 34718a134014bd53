// One request/response pair as the proxy saw it, and the plain, redacted record
// that both log formats print.
import { STATUS_CODES } from 'node:http'
import type { UpstreamCall } from '../forward/upstream-dispatcher.js'
import type { Config } from '../config/settings.js'
import { redactHeaderValue, redactUrl } from './redact.js'
import { redactBody, type BodyContext } from './body-redact.js'

type HeaderBag = Record<string, string | string[] | number | undefined>

export interface BodyPreview { text: string, totalBytes: number, truncated: boolean }

export interface Exchange {
  id: number
  startedAt: bigint
  method: string
  /** Path and query as the client sent them. */
  url: string
  origin: string | undefined
  /** Headers as sent upstream; the call's url is set once it is dispatched. */
  upstreamHeaders?: HeaderBag
  injected: string[]
  notes: string[]
  upstreamStatus?: number
  upstreamResponseHeaders?: HeaderBag
  failure?: { code: string, message: string }
  responseBytes: number
  /** The client closed its connection before the response was finished. */
  clientLeft?: boolean
  /** The upstream's response body broke off before its end. */
  upstreamCut?: boolean
  /** The proxy ended it itself: SHUTDOWN_GRACE_MS ran out, or the request turned out not to be valid HTTP. */
  proxyCut?: ProxyCut
  call: UpstreamCall
  requestBody?: BodyPreview
  responseBody?: BodyPreview
  /** Start of a textual request body, kept for copy-as-curl (never logged as such). */
  replayBody?: BodyPreview
  /** Start of a textual 4xx/5xx response, kept to read bkend's error.code for hints. */
  errorBody?: BodyPreview
  /** The configuration snapshot taken when the request arrived: one profile for the whole exchange. */
  config?: Config
  /** Health checks log at debug, so Docker's polling does not flood the log. */
  quiet: boolean
}

export interface ProxyCut {
  cause: 'shutdown' | 'invalid-request'
  /** The status logged when no response had started (the client got none, or a raw one). */
  status: number
  failure?: { code: string, message: string }
}

export type HeaderLine = [name: string, value: string, injected?: true]

export interface ExchangeRecord {
  id: number
  method: string
  url: string
  origin?: string
  target: string
  answeredBy: 'upstream' | 'proxy'
  request: { line: string, headers: HeaderLine[] }
  response: { line: string, status: number, headers: HeaderLine[] }
  durationMs: number
  bytes: number
  completed: boolean
  /** Who ended an unfinished response; with the length the upstream declared, if any. */
  cutBy?: 'client' | 'upstream' | 'proxy'
  declaredBytes?: number
  error?: { code: string, message: string }
  notes: string[]
  requestBody?: BodyPreview
  responseBody?: BodyPreview
  /** The environment (profile) the exchange ran with. */
  environment?: string
}

export function exchangeRecord (exchange: Exchange, outcome: { clientHeaders: HeaderBag, replyHeaders: HeaderBag, status: number, completed: boolean }): ExchangeRecord {
  const upstreamUrl = exchange.call.url
  const forwarded = upstreamUrl !== undefined && exchange.upstreamHeaders !== undefined
  const upstreamAnswered = exchange.upstreamStatus !== undefined
  const target = forwarded ? upstreamUrl : 'proxy'
  const requestPath = forwarded ? pathOf(upstreamUrl) : exchange.url
  const status = upstreamAnswered ? exchange.upstreamStatus! : outcome.status
  const record: ExchangeRecord = {
    id: exchange.id,
    method: exchange.method,
    url: redactUrl(exchange.url),
    target: redactUrl(target),
    answeredBy: upstreamAnswered ? 'upstream' : 'proxy',
    request: {
      line: `${exchange.method} ${redactUrl(requestPath)} HTTP/1.1`,
      headers: headerLines(forwarded ? exchange.upstreamHeaders! : outcome.clientHeaders, exchange.injected)
    },
    response: {
      line: `HTTP/1.1 ${status} ${status === 499 ? 'Client Closed Request' : STATUS_CODES[status] ?? ''}`.trimEnd(),
      status,
      headers: headerLines(upstreamAnswered ? exchange.upstreamResponseHeaders! : outcome.replyHeaders, [])
    },
    durationMs: Number(process.hrtime.bigint() - exchange.startedAt) / 1e6,
    bytes: exchange.responseBytes,
    completed: outcome.completed,
    notes: exchange.notes
  }
  if (exchange.origin !== undefined) record.origin = exchange.origin
  if (exchange.config !== undefined) record.environment = exchange.config.environment
  if (!outcome.completed) record.cutBy = exchange.proxyCut !== undefined ? 'proxy' : exchange.upstreamCut === true ? 'upstream' : 'client'
  const declared = Number(exchange.upstreamResponseHeaders?.['content-length'])
  if (record.cutBy === 'upstream' && declared > 0) record.declaredBytes = declared
  const failure = exchange.failure ?? exchange.proxyCut?.failure
  if (failure) record.error = failure
  if (exchange.requestBody) record.requestBody = redactedPreview(exchange.requestBody, { path: exchange.url, side: 'request', contentType: outcome.clientHeaders['content-type'] })
  if (exchange.responseBody) record.responseBody = redactedPreview(exchange.responseBody, { path: exchange.url, side: 'response', contentType: exchange.upstreamResponseHeaders?.['content-type'] })
  return record
}

function redactedPreview (preview: BodyPreview, context: BodyContext): BodyPreview {
  return { ...preview, text: redactBody(preview.text, context).text }
}

function headerLines (headers: HeaderBag, injected: string[]): HeaderLine[] {
  const lines: HeaderLine[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    for (const single of Array.isArray(value) ? value : [String(value)]) {
      const shown = redactHeaderValue(name, single)
      lines.push(injected.includes(name) ? [name, shown, true] : [name, shown])
    }
  }
  return lines
}

function pathOf (url: string): string {
  const parsed = new URL(url)
  return parsed.pathname + parsed.search
}
