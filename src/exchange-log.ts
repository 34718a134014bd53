// Collects one exchange per request and logs it once the response is done or the client has
// gone; a stream is also logged as its head goes out. Replaces Fastify's request log lines.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Level, Logger } from 'pino'
import type { Socket } from 'node:net'
import { endedBy, exchangeHead, exchangeOutcome, settleRecord, type Exchange, type ExchangeOutcome, type ProxyCut } from './log/exchange.js'
import { curlShown } from './log/curl-format.js'
import { exchangeOutput } from './log/exchange-output.js'
import { palette } from './log/colour.js'
import { isEventStream } from './log/sse-events.js'
import { diagnoseExchange, type Diagnosis } from './diagnose/exchange-diagnosis.js'
import { createHintLimiter, type HintLimiter } from './diagnose/hint-limiter.js'
import type { Config } from './config/settings.js'
import { configOf } from './config/request-config.js'
import { hasSeveralProfiles } from './config/profiles.js'
import type { HeaderBag } from './log/exchange.js'
import type { ExchangeWriter } from './log/logger.js'
import { configuredSecrets } from './config/configured-secrets.js'

declare module 'fastify' {
  interface FastifyRequest {
    exchange: Exchange
    /** The client's connection for the whole exchange: undici sets request.raw.socket to null once it has sent a body upstream. */
    clientSocket: Socket | null
  }
  interface FastifyInstance {
    trackExchange: (request: FastifyRequest, reply: FastifyReply) => void
  }
}

// The proxy's own routes log their successes unnumbered and at debug, so Docker's polling
// neither floods the log nor uses up exchange numbers.
const OWN_PATHS = '/__proxy/'
export const STREAM_AFTER_MS = 1000

export interface ExchangeLogOptions {
  logger: Logger
  writer: ExchangeWriter
  config: Config
  hintLimiter?: HintLimiter
  proxyCutOf?: (request: FastifyRequest) => ProxyCut | undefined
  onExchange?: (request: FastifyRequest, outcome: ExchangeOutcome, diagnosis: Pick<Diagnosis, 'hints' | 'errorCode'>, replyHeaders: HeaderBag) => void
  nextId?: () => number
  replayOf?: (request: FastifyRequest) => number | undefined
  colour?: boolean
  ownRoutesOnly?: boolean
}

export const exchangeLog = fp(async function exchangeLog (app: FastifyInstance, options: ExchangeLogOptions) {
  const { logger, config } = options
  const limitHint = options.hintLimiter ?? createHintLimiter()
  const output = exchangeOutput(logger, options.writer.rendered, config.logFormat, palette(options.colour === true && config.logFormat !== 'json'))
  let counter = 0
  const nextId = options.nextId ?? ((): number => ++counter)
  const onExchange = options.onExchange
  // Every key of every configuration a request runs on is scrubbed from every line: an upstream
  // may echo a key, a client may send one in its URL.
  const { rememberSecrets } = options.writer
  let toldOf = config
  rememberSecrets(configuredSecrets(config))
  const ownRoutesOnly = options.ownRoutesOnly === true
  app.decorateRequest('exchange', null as unknown as Exchange)
  app.decorateRequest('clientSocket', null)

  app.addHook('onRequest', (request, reply, done) => {
    trackExchange(request, reply)
    done()
  })
  app.decorate('trackExchange', trackExchange)

  function trackExchange (request: FastifyRequest, reply: FastifyReply): void {
    const quiet = ownRoutesOnly || request.url.startsWith(OWN_PATHS)
    const settings = configOf(request, config)
    if (settings !== toldOf) {
      toldOf = settings
      rememberSecrets(configuredSecrets(settings))
    }
    const exchange: Exchange = {
      id: quiet ? 0 : nextId(),
      startedAt: process.hrtime.bigint(),
      method: request.method,
      url: request.url,
      origin: request.headers.origin,
      injected: [],
      notes: [],
      responseBytes: 0,
      quiet,
      environment: settings.environment,
      environmentMarked: hasSeveralProfiles(settings)
    }
    request.exchange = exchange
    request.clientSocket = request.raw.socket
    const replayOf = quiet ? undefined : options.replayOf?.(request)
    if (replayOf !== undefined) exchange.replayOf = replayOf
    // 'finish' logs before the connection closes, so an exchange is written before a shutdown's
    // last line; 'close' alone means the client left early.
    let logged = false
    const onDone = (): void => {
      if (logged) return
      logged = true
      clearTimeout(exchange.bodyStream?.timer)
      const completed = reply.raw.writableFinished
      // The proxy closing the client's socket (at shutdown, on a bad chunk) also breaks the
      // upstream body off, which would otherwise read as the upstream's or the client's doing.
      const proxyCut = completed ? undefined : options.proxyCutOf?.(request)
      if (proxyCut) exchange.proxyCut = proxyCut
      else if (!completed && exchange.upstreamCut !== true) exchange.clientLeft = true
      logExchange(request, reply, exchange, completed)
    }
    // on(), not once(): onDone guards itself, and once() costs a wrapper per event.
    reply.raw.on('finish', onDone)
    reply.raw.on('close', onDone)
  }

  // The head is about to go out: an event stream is logged now, another stream after STREAM_AFTER_MS.
  app.addHook('onSend', (request, reply, payload, done) => {
    const exchange = request.exchange as Exchange | null
    if (exchange === null || typeof (payload as { pipe?: unknown } | null)?.pipe !== 'function') return done(null, payload)
    const contentType = reply.getHeader('content-type')
    const eventStream = isEventStream(contentType)
    exchange.bodyStream = { headersAt: process.hrtime.bigint(), eventStream }
    const level = openLevel(exchange, reply)
    if (logger.isLevelEnabled(level)) {
      const open = (): void => logStreamOpen(request, reply, exchange, level, typeof contentType === 'string' ? contentType : undefined)
      // An event stream's block is rendered after this turn, so it does not delay the first event.
      if (eventStream) setImmediate(open)
      else exchange.bodyStream.timer = setTimeout(open, STREAM_AFTER_MS).unref()
    }
    done(null, payload)
  })

  function logStreamOpen (request: FastifyRequest, reply: FastifyReply, exchange: Exchange, level: Level, contentType: string | undefined): void {
    if (exchange.head !== undefined || reply.raw.writableFinished || reply.raw.destroyed) return
    const head = exchange.head = exchangeHead(exchange, { clientHeaders: request.headers, replyHeaders: replyHeadersOf(exchange, reply), status: reply.statusCode })
    const headersMs = Number(exchange.bodyStream!.headersAt - exchange.startedAt) / 1e6
    output.streamOpened(level, head, contentType, headersMs)
  }

  function logExchange (request: FastifyRequest, reply: FastifyReply, exchange: Exchange, completed: boolean): void {
    // 499 (nginx's "client closed request") when the client left before any response.
    const status = exchange.upstreamStatus ?? (completed || reply.raw.headersSent ? reply.statusCode : exchange.proxyCut?.status ?? 499)
    if (exchange.id === 0 && (status < 200 || status >= 300)) exchange.id = nextId()
    const streamed = isStreamed(exchange)
    const level = finishLevel(exchange, status, completed, streamed)
    const logged = logger.isLevelEnabled(level)
    const inspected = onExchange !== undefined && !exchange.quiet
    if (!logged && !inspected) return
    const replyHeaders = replyHeadersOf(exchange, reply)
    const settings = configOf(request, config)
    const diagnosisContext = { clientHeaders: request.headers, config: settings, socket: request.clientSocket ?? {}, wantCurl: false }
    if (!logged) {
      const summary = exchangeOutcome(exchange, { replyHeaders, status, completed })
      onExchange!(request, summary, diagnoseExchange(exchange, summary, diagnosisContext), replyHeaders)
      return
    }
    const head = exchange.head ?? exchangeHead(exchange, { clientHeaders: request.headers, replyHeaders, status })
    const record = settleRecord(head, exchange, { clientHeaders: request.headers, completed, streamed })
    diagnosisContext.wantCurl = config.logFormat === 'json' || curlShown(record, settings.logCurl)
    const { hints, curl, errorCode } = diagnoseExchange(exchange, record, diagnosisContext)
    if (inspected) onExchange(request, record, { hints, errorCode }, replyHeaders)
    const said = hints.map(hint => limitHint(hint.cause, hint.text)).filter(text => text !== undefined)
    const hint = said.length > 0 ? said.join('\n') : undefined
    output.finished(level, record, { hint, curl, errorCode, openLogged: exchange.head !== undefined })
  }
})

function replyHeadersOf (exchange: Exchange, reply: FastifyReply): HeaderBag {
  return exchange.upstreamStatus === undefined ? reply.getHeaders() as HeaderBag : {}
}

function isStreamed (exchange: Exchange): boolean {
  const stream = exchange.bodyStream
  if (stream === undefined) return false
  return exchange.head !== undefined || stream.eventStream || Number(process.hrtime.bigint() - stream.headersAt) / 1e6 >= STREAM_AFTER_MS
}

function openLevel (exchange: Exchange, reply: FastifyReply): Level {
  const status = exchange.upstreamStatus ?? reply.statusCode
  if (exchange.quiet && status >= 200 && status < 300) return 'debug'
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'
}

// A client closing a stream is how streams end (EventSource.close(), a page left); only
// an upstream cut, a shutdown cut or an error is worth a warning.
function finishLevel (exchange: Exchange, status: number, completed: boolean, streamed: boolean): Level {
  if (exchange.quiet && status >= 200 && status < 300) return 'debug'
  if (status >= 500) return 'error'
  if (status >= 400) return 'warn'
  if (completed) return 'info'
  return streamed && endedBy(exchange) === 'client' ? 'info' : 'warn'
}
