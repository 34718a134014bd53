// Collects one exchange per request and logs it once the response is done (or the
// client has gone), with its hints and copy-as-curl command. Replaces Fastify's own
// request log lines.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { exchangeRecord, type Exchange, type ProxyCut } from './exchange.js'
import { curlShown, formatExchange, summaryLine } from './curl-format.js'
import { diagnoseExchange } from '../diagnose/exchange-diagnosis.js'
import { createHintLimiter, type HintLimiter } from '../diagnose/hint-limiter.js'
import type { Config } from '../config/settings.js'
import type { Hint } from '../diagnose/hints.js'
import type { ExchangeRecord } from './exchange.js'

declare module 'fastify' {
  interface FastifyRequest { exchange: Exchange }
  interface FastifyInstance {
    /** Starts the exchange of a request no hook will see (Fastify's frameworkErrors). */
    trackExchange: (request: FastifyRequest, reply: FastifyReply) => void
  }
}

// The proxy's own routes (health, the inspector's page and API) log at debug while they succeed.
const OWN_PATHS = '/__proxy/'

type ReplyHeaders = Record<string, string | string[] | number | undefined>

export interface ExchangeLogOptions {
  logger: Logger
  /** The log format, and the settings hints name (e.g. the API prefix). */
  config: Config
  hintLimiter?: HintLimiter
  /** Whether the proxy itself ended this unfinished exchange (shutdown, a request body that is not valid HTTP). */
  proxyCutOf?: (request: FastifyRequest) => ProxyCut | undefined
  /** Told of every finished exchange but the proxy's own routes, with the record the log prints (the inspector). */
  onExchange?: (request: FastifyRequest, record: ExchangeRecord, hints: Hint[], replyHeaders: ReplyHeaders) => void
  /** Exchange ids; apps that share an inspector share the sequence. */
  nextId?: () => number
  /** The configuration a request starting now gets (live-config.ts); `config` when absent. */
  currentConfig?: () => Config
}

export const exchangeLog = fp(async function exchangeLog (app: FastifyInstance, options: ExchangeLogOptions) {
  const { logger } = options
  const limitHint = options.hintLimiter ?? createHintLimiter()
  let counter = 0
  const nextId = options.nextId ?? (() => ++counter)
  const onExchange = options.onExchange
  const currentConfig = options.currentConfig ?? (() => options.config)
  app.decorateRequest('exchange', null as unknown as Exchange)

  app.addHook('onRequest', (request, reply, done) => {
    trackExchange(request, reply)
    done()
  })
  app.decorate('trackExchange', trackExchange)

  function trackExchange (request: FastifyRequest, reply: FastifyReply): void {
    const exchange: Exchange = {
      id: nextId(),
      startedAt: process.hrtime.bigint(),
      method: request.method,
      url: request.url,
      origin: request.headers.origin,
      injected: [],
      notes: [],
      responseBytes: 0,
      call: {},
      config: currentConfig(),
      quiet: request.url.startsWith(OWN_PATHS)
    }
    request.exchange = exchange
    // 'finish' (all bytes handed to the socket) logs before the connection closes, so an
    // exchange is always written before a shutdown's last line; 'close' alone means the
    // client left early.
    let logged = false
    const onDone = (): void => {
      if (logged) return
      logged = true
      const completed = reply.raw.writableFinished
      // The proxy closing the client's socket (at shutdown, on a bad chunk) also breaks the
      // upstream body off, which would otherwise read as the upstream's or the client's doing.
      const proxyCut = completed ? undefined : options.proxyCutOf?.(request)
      if (proxyCut) {
        exchange.proxyCut = proxyCut
        exchange.call.abort?.(new Error(`the proxy ended the request (${proxyCut.cause})`))
      } else if (!completed && exchange.upstreamCut !== true) {
        // A client that leaves must not leave its upstream request running.
        exchange.clientLeft = true
        exchange.call.abort?.(new Error('client closed the connection'))
      }
      // Done with the upstream call: its handle reaches into undici's request graph, which
      // undici keeps after the request ends; holding it here kept thousands of those graphs
      // alive past young-generation collections (5x the bare stack's GC time).
      exchange.call.abort = undefined
      logExchange(request, reply, exchange, completed)
    }
    reply.raw.once('finish', onDone)
    reply.raw.once('close', onDone)
  }

  function logExchange (request: FastifyRequest, reply: FastifyReply, exchange: Exchange, completed: boolean): void {
    // 499 (nginx's "client closed request") when the client left before any response.
    const status = exchange.upstreamStatus ?? (completed || reply.raw.headersSent ? reply.statusCode : exchange.proxyCut?.status ?? 499)
    const level = exchange.quiet && status < 400 ? 'debug' : status >= 500 ? 'error' : status >= 400 || !completed ? 'warn' : 'info'
    const logged = logger.isLevelEnabled(level)
    const inspected = onExchange !== undefined && !exchange.quiet
    // Nothing below runs for an exchange that neither the level (LOG_LEVEL=warn, silent) nor the inspector wants.
    if (!logged && !inspected) return
    const replyHeaders: ReplyHeaders = exchange.upstreamStatus === undefined ? reply.getHeaders() as ReplyHeaders : {}
    const record = exchangeRecord(exchange, {
      clientHeaders: request.headers,
      replyHeaders,
      status,
      completed
    })
    // The pretty log shows the curl command only under failures (or with LOG_CURL); JSON always has it.
    const wantCurl = options.config.logFormat === 'json' || curlShown(record, (exchange.config ?? options.config).logCurl)
    const { hints, curl } = diagnoseExchange(exchange, record, { clientHeaders: request.headers, config: options.config, wantCurl: logged && wantCurl, socket: request.raw.socket ?? {} })
    if (inspected) onExchange(request, record, hints, replyHeaders)
    if (!logged) return
    const said = hints.map(hint => limitHint(hint.cause, hint.text)).filter(text => text !== undefined)
    const hint = said.length > 0 ? said.join('\n') : undefined
    if (options.config.logFormat === 'pretty') {
      // Rendered here, once: pino then carries one string instead of serialising the
      // whole record for pino-pretty to take apart again.
      logger[level]({ exchangeBlock: formatExchange(record, { hint, curl }) }, summaryLine(record))
      return
    }
    logger[level]({ environment: record.environment, exchange: record, ...(hint === undefined ? {} : { hint }), ...(curl === undefined ? {} : { curl }) }, summaryLine(record))
  }
})
