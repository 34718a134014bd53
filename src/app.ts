// buildApp(config, options): the whole proxy as a Fastify instance. It never listens,
// so tests choose between inject() and a real port.
import Fastify, { type FastifyInstance } from 'fastify'
import cors from '@fastify/cors'
import type { Logger } from 'pino'
import type { Config } from './config/settings.js'
import { createOriginMatcher } from './cors/origin-match.js'
import { ALL_METHODS, corsOptions } from './cors/cors.js'
import { exchangeLog } from './log/exchange-log.js'
import { closingGate, requestGuard } from './guard/request-guard.js'
import { healthRoute } from './lifecycle/health.js'
import { createUpstreamDispatcher, type DispatcherOptions } from './forward/upstream-dispatcher.js'
import { proxyRoutes, registerProxy } from './forward/proxy.js'
import { isForwardedPath, missingPrefixMessage } from './guard/missing-prefix.js'
import { sendProxyError } from './reply-error.js'
import { frameworkLogger } from './log/framework-logger.js'
import { proxyError } from './errors.js'

export interface AppOptions {
  logger: Logger
  /** Trusted CA certificates on top of the defaults (tests use a self-signed one). */
  upstreamCa?: DispatcherOptions['ca']
  /** Log entries lost to a stalled stdout, reported by the health route. */
  droppedLogLines?: () => number
  /** Colour in the exchange log (the CLI decides from the terminal, NO_COLOR and FORCE_COLOR). */
  logColour?: boolean
}

export interface ProxyApp extends FastifyInstance {
  /** Marks the app as closing: new requests get 503 proxy/shutting-down. */
  beginShutdown: () => void
}

export async function buildApp (config: Config, options: AppOptions): Promise<ProxyApp> {
  const { logger } = options
  const app = Fastify({
    loggerInstance: frameworkLogger(logger),
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Bodies stream through; the proxy never buffers them, so Fastify's limit does not apply.
    bodyLimit: Number.MAX_SAFE_INTEGER,
    routerOptions: { ignoreTrailingSlash: false },
    // A URL Fastify cannot decode (e.g. /v1/%E0%A4%A) gets our 400, not FST_ERR_BAD_URL.
    frameworkErrors: (error, _request, reply) => {
      sendProxyError(reply, 400, 'bad-request', `the request URL is not valid (${error.message})`)
    },
    clientErrorHandler: (error, socket) => {
      const tooLarge = (error as NodeJS.ErrnoException).code === 'HPE_HEADER_OVERFLOW'
      const body = JSON.stringify(tooLarge
        ? proxyError('headers-too-large', 'the request headers are too large')
        : proxyError('bad-request', `the request is not valid HTTP (${(error as NodeJS.ErrnoException).code ?? error.message})`))
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
      } else {
        socket.destroy()
      }
    }
  }) as unknown as ProxyApp

  let closing = false
  app.beginShutdown = () => { closing = true }

  const originAllowed = createOriginMatcher(config.corsOrigins)
  const dispatcher = createUpstreamDispatcher(config, { ca: options.upstreamCa })

  // Set before the plugins register: each keeps the error handler in force at its registration.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status === 500) logger.error({ err: error, request: request.exchange?.id }, 'internal error')
    sendProxyError(reply, status, status === 500 ? 'internal' : 'bad-request', status === 500 ? 'the proxy failed on this request; the log has the details' : error.message)
  })
  await app.register(exchangeLog, { logger, config, colour: options.logColour })
  await app.register(requestGuard, { config, originAllowed })
  await app.register(cors, corsOptions(originAllowed))
  await app.register(closingGate, { isClosing: () => closing })
  await app.register(healthRoute, { config, droppedLogLines: options.droppedLogLines ?? (() => 0) })
  for (const route of proxyRoutes(config)) {
    await app.register(registerProxy, { config, dispatcher, route })
  }

  app.server.maxHeadersCount = 0 // the guard refuses too many headers instead of Node cutting them
  app.setNotFoundHandler((request, reply) => {
    // A plain OPTIONS (no CORS preflight) under a forwarded prefix: say what is allowed.
    if (request.method === 'OPTIONS' && isForwardedPath(request.url, config)) {
      reply.code(204).header('allow', ALL_METHODS.join(', ')).send()
      return
    }
    sendProxyError(reply, 404, 'missing-v1-prefix', missingPrefixMessage(request.url, config))
  })
  app.addHook('onClose', async () => {
    await dispatcher.destroy()
  })
  return app
}
