// The inspector room: it keeps the recent exchanges (a bounded ring buffer with capped
// body copies), serves them to its page and API under /__proxy/, and replays them. It
// listens to the rest of the proxy through three hooks only: the exchange log hands it
// each finished exchange (the record the log built, built once), the forwarding code
// hands it body chunks, and the request guard leaves the Origin rule of its paths to
// its gate. It never changes a request or response that passes through. With
// INSPECTOR=false none of this is created.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../config/settings.js'
import type { Exchange, ExchangeRecord } from '../log/exchange.js'
import { bkendErrorCode, type Hint } from '../diagnose/hints.js'
import { bodyCollector, type BodyCollector } from './captured-body.js'
import { ExchangeStore } from './store.js'
import { hintTexts, isStreamType, withPrivateParts, type StoredExchange } from './stored-exchange.js'
import { ReplayLinks } from './replay-links.js'
import { scrubSecrets } from './redact-body.js'
import { redactUrl } from '../log/redact.js'

type HeaderBag = Record<string, string | string[] | number | undefined>

/** What the forwarding code calls; each returns a watcher for the body's chunks. */
export interface InspectorTaps {
  requestBody: (request: FastifyRequest) => (chunk: Buffer) => void
  upstreamResponse: (request: FastifyRequest, status: number, headers: HeaderBag) => (chunk: Buffer) => void
}

export interface Inspector {
  store: ExchangeStore
  links: ReplayLinks
  taps: InspectorTaps
  /** The exchange log's hook: one finished exchange, with its (unthrottled) hints. */
  record: (request: FastifyRequest, record: ExchangeRecord, hints: Hint[]) => void
  /** One id sequence for every app that shares this inspector (replay builds a second one). */
  nextId: () => number
  maxBodyBytes: number
  /** The configured key of the app that created the inspector, scrubbed from every view. */
  runningKey: string
}

interface Capture {
  request?: BodyCollector
  response?: BodyCollector
  headersAt?: bigint
  startedAt: number
}

export function createInspector (config: Pick<Config, 'inspectorMaxExchanges' | 'inspectorMaxBodyBytes' | 'apiKey'>): Inspector {
  const store = new ExchangeStore(config.inspectorMaxExchanges)
  const links = new ReplayLinks()
  const maxBodyBytes = config.inspectorMaxBodyBytes
  // Keyed by the exchange, so nothing is added to it and nothing outlives it.
  const captures = new WeakMap<Exchange, Capture>()
  let lastId = 0

  const captureOf = (exchange: Exchange): Capture => {
    let capture = captures.get(exchange)
    if (capture === undefined) {
      capture = { startedAt: Date.now() - Number(process.hrtime.bigint() - exchange.startedAt) / 1e6 }
      captures.set(exchange, capture)
    }
    return capture
  }

  const taps: InspectorTaps = {
    requestBody: request => (captureOf(request.exchange).request = bodyCollector(maxBodyBytes)).watch,
    upstreamResponse: (request, status, headers) => {
      const capture = captureOf(request.exchange)
      capture.headersAt = process.hrtime.bigint()
      // A stream shows in the list as soon as its headers are here; the rest arrives when it ends.
      if (isStreamType(headers['content-type'])) store.put(openEntry(request, capture, status, links.claim(request)))
      return (capture.response = bodyCollector(maxBodyBytes)).watch
    }
  }

  const record = (request: FastifyRequest, record: ExchangeRecord, hints: Hint[]): void => {
    const exchange = request.exchange
    const capture = captureOf(exchange)
    const status = record.response.status
    const errorCode = exchange.failure?.code ?? (exchange.errorBody ? bkendErrorCode(exchange.errorBody.text) : undefined)
    const fields: Omit<StoredExchange, 'raw'> = {
      id: exchange.id,
      startedAt: capture.startedAt,
      state: 'done',
      method: exchange.method,
      url: scrubSecrets(record.url, [config.apiKey]),
      status,
      answeredBy: record.answeredBy,
      headersMs: capture.headersAt === undefined ? record.durationMs : Number(capture.headersAt - exchange.startedAt) / 1e6,
      durationMs: record.durationMs,
      bytes: record.bytes,
      hints: hintTexts(hints),
      stream: isStreamType(exchange.upstreamResponseHeaders?.['content-type']),
      failed: status >= 400 || record.error !== undefined || !record.completed,
      record
    }
    const replayOf = store.get(exchange.id)?.replayOf ?? links.claim(request)
    if (replayOf !== undefined) fields.replayOf = replayOf
    if (errorCode !== undefined) fields.errorCode = errorCode
    const type = exchange.upstreamResponseHeaders?.['content-type']
    if (type !== undefined) fields.responseType = String(type)
    store.put(withPrivateParts(fields, {
      exchange,
      clientHeaders: request.headers,
      requestBody: capture.request?.finish(),
      responseBody: capture.response?.finish()
    }))
  }

  function openEntry (request: FastifyRequest, capture: Capture, status: number, replayOf: number | undefined): StoredExchange {
    const exchange = request.exchange
    const fields: Omit<StoredExchange, 'raw'> = {
      id: exchange.id,
      startedAt: capture.startedAt,
      state: 'open',
      method: exchange.method,
      url: scrubSecrets(redactUrl(exchange.url), [config.apiKey]),
      status,
      answeredBy: 'upstream',
      headersMs: Number(process.hrtime.bigint() - exchange.startedAt) / 1e6,
      bytes: 0,
      hints: [],
      stream: true,
      failed: false
    }
    if (replayOf !== undefined) fields.replayOf = replayOf
    return withPrivateParts(fields, { exchange, clientHeaders: request.headers })
  }

  return { store, links, taps, record, nextId: () => ++lastId, maxBodyBytes, runningKey: config.apiKey }
}
