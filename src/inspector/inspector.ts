import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../config/settings.js'
import { elapsedMs, endedBy, type ExchangeOutcome, type HeaderBag } from '../log/exchange.js'
import { isEventStream } from '../log/sse-events.js'
import type { Diagnosis } from '../diagnose/exchange-diagnosis.js'
import { bodyCollector, type BodyCollector } from './captured-body.js'
import { ExchangeStore } from './store.js'
import { RAW, hintTexts, isStreamType, type StoredExchange } from './stored-exchange.js'
import { ReplayLinks } from './replay-links.js'
import { scrubSecrets } from '../redact/secret-scrub.js'
import { configuredSecretsOfBoth } from '../config/configured-secrets.js'
import { redactUrl } from '../redact/redact.js'
import { rateLimitOf } from '../log/rate-limit.js'
import { LiveStream, type LiveView } from './live-streams.js'
import { shownStreamEvent } from './views.js'
import { snapshotOf } from '../config/request-config.js'
import type { BodyTaps } from '../forward/body-taps.js'

export interface Inspector {
  store: ExchangeStore
  links: ReplayLinks
  taps: BodyTaps
  /** The exchange log's hook: one finished exchange, with its (unthrottled) hints. */
  record: (request: FastifyRequest, record: ExchangeOutcome, diagnosis: Pick<Diagnosis, 'hints' | 'errorCode'>, replyHeaders: HeaderBag) => void
  /** One id sequence for every app that shares this inspector (replay builds a second one). */
  nextId: () => number
  /** The exchange log's hook, as a request arrives: the exchange it replays, if it is a replay. */
  replayOf: (request: FastifyRequest) => number | undefined
  live: (id: number) => LiveView | undefined
  maxBodyBytes: number
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The inspector's copies of this request's bodies, until it keeps the exchange. */
    inspectorCapture: Capture | null
  }
}

/** Each app that records into an inspector holds its captures on the request (null until a body passes). */
export function makeRoomForCaptures (app: FastifyInstance): void {
  app.decorateRequest('inspectorCapture', null)
}

interface Capture {
  request?: BodyCollector
  response?: BodyCollector
  /** When the upstream's response headers arrived (hrtime). */
  headersAt?: bigint
  /** A stream, until it ends. */
  live?: LiveStream
}

export function createInspector (config: Config): Inspector {
  const store = new ExchangeStore(config.inspectorMaxExchanges)
  const links = new ReplayLinks()
  const maxBodyBytes = config.inspectorMaxBodyBytes
  // Every profile's key, of the configuration at start-up and of the one each exchange ran on (a reload may bring new ones).
  const secretsOf = (ran: Config | undefined): readonly string[] => configuredSecretsOfBoth(config, ran)
  let lastId = 0
  const openStreams = new Map<number, FastifyRequest>()
  const captureOf = (request: FastifyRequest): Capture => (request.inspectorCapture ??= {})

  const taps: BodyTaps = {
    requestBody: request => (captureOf(request).request = bodyCollector(maxBodyBytes)).watch,
    upstreamResponse: (request, status, headers) => {
      const capture = captureOf(request)
      capture.headersAt = process.hrtime.bigint()
      const watch = (capture.response = bodyCollector(maxBodyBytes)).watch
      if (!isStreamType(headers['content-type'])) return watch
      // Listed after this turn, once the first event is on its way to the client; not at all
      // if the stream is over by then.
      const listed = (): boolean => request.inspectorCapture === capture
      let entry: StoredExchange | undefined
      const refresh = (): void => { if (listed()) store.put(entry = openEntry(request, capture, status)) }
      const secrets = secretsOf(snapshotOf(request))
      const live = capture.live = new LiveStream(request.exchange.startedAt, {
        refresh,
        shown: event => shownStreamEvent(event, { path: request.exchange.url, secrets }),
        announce: event => { if (entry !== undefined && listed()) store.streamEvent(entry, event) }
      })
      openStreams.set(request.exchange.id, request)
      setImmediate(refresh)
      return chunk => { watch(chunk); live.changed() }
    },
    streamEvent: request => request.inspectorCapture?.live?.add
  }

  const live = (id: number): LiveView | undefined => {
    const request = openStreams.get(id)
    if (request === undefined) return undefined
    const { responseBytes: bytes, events } = request.exchange
    return { bytes, events, streamEvents: events === undefined ? undefined : request.inspectorCapture?.live?.events }
  }

  const record = (request: FastifyRequest, record: ExchangeOutcome, { hints, errorCode }: Pick<Diagnosis, 'hints' | 'errorCode'>, replyHeaders: HeaderBag): void => {
    const exchange = request.exchange
    const ran = snapshotOf(request)
    const capture = request.inspectorCapture
    const streamEvents = capture?.live?.end()
      // Drop the collectors; a stream's open entry still to be listed is not listed any more.
    request.inspectorCapture = null
    openStreams.delete(exchange.id)
    const status = record.response.status
    const responseType = exchange.upstreamResponseHeaders?.['content-type']
    const stream = isStreamType(responseType)
    const endedByWhom = !stream ? undefined : record.completed ? 'upstream' : endedBy(exchange)
    store.put({
      id: exchange.id,
      replayOf: exchange.replayOf,
      startedAt: Date.now() - record.durationMs,
      state: 'done',
      method: exchange.method,
      url: scrubSecrets(record.url, secretsOf(ran)),
      status,
      answeredBy: record.answeredBy,
      environment: exchange.environment,
      headersMs: capture?.headersAt === undefined ? record.durationMs : Number(capture.headersAt - exchange.startedAt) / 1e6,
      durationMs: record.durationMs,
      bytes: record.bytes,
      events: exchange.events,
      errorCode,
      hints: hints.length === 0 ? NO_HINTS : hintTexts(hints),
      stream,
      failed: status >= 400 || record.error !== undefined || (!record.completed && endedByWhom !== 'client'),
      endedBy: endedByWhom,
      responseType: responseType === undefined ? undefined : String(responseType),
      rateLimit: rateLimitOf(exchange.upstreamResponseHeaders),
      [RAW]: {
        exchange,
        config: ran,
        clientHeaders: request.headers,
        socket: { localAddress: request.clientSocket?.localAddress, localPort: request.clientSocket?.localPort },
        requestBody: capture?.request?.finish(),
        responseBody: capture?.response?.finish(),
        outcome: { replyHeaders, status: record.response.status, completed: record.completed, durationMs: record.durationMs },
        streamEvents: isEventStream(responseType) ? streamEvents : undefined
      }
    })
  }

  function openEntry (request: FastifyRequest, capture: Capture, status: number): StoredExchange {
    const exchange = request.exchange
    const headersMs = Number(capture.headersAt! - exchange.startedAt) / 1e6
    return {
      id: exchange.id,
      replayOf: exchange.replayOf,
      // The same wall-clock start at every refresh of an open stream.
      startedAt: Date.now() - elapsedMs(exchange),
      state: 'open',
      method: exchange.method,
      url: scrubSecrets(redactUrl(exchange.url), secretsOf(snapshotOf(request))),
      status,
      answeredBy: 'upstream',
      environment: exchange.environment,
      headersMs,
      bytes: exchange.responseBytes,
      events: exchange.events,
      hints: NO_HINTS,
      stream: true,
      failed: false,
      [RAW]: { exchange, config: snapshotOf(request), clientHeaders: request.headers }
    }
  }

  return { store, links, taps, record, nextId: () => ++lastId, replayOf: request => links.claim(request), live, maxBodyBytes }
}

const NO_HINTS: string[] = []
