// buildApp(config, options): the whole proxy as a Fastify instance. It never listens,
// so tests choose between inject() and a real port.
import Fastify, { type FastifyInstance } from 'fastify'
import cors from '@fastify/cors'
import type { Logger } from 'pino'
import type { AddressInfo } from 'node:net'
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
import { createInspector, type Inspector } from './inspector/inspector.js'
import { inspectorGate } from './inspector/gate.js'
import { inspectorRoutes } from './inspector/routes.js'
import { INSPECTOR_PREFIX, isInspectorPath } from './inspector/paths.js'

export interface AppOptions {
  logger: Logger
  /** Trusted CA certificates on top of the defaults (tests use a self-signed one). */
  upstreamCa?: DispatcherOptions['ca']
  /** Log entries lost to a stalled stdout, reported by the health route. */
  droppedLogLines?: () => number
  /** The configuration as its sources say now (the CLI re-reads them); replay uses it. */
  currentConfig?: () => Config
  /** An inspector shared with another app: this app records into it but serves no page. */
  inspector?: Inspector
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
  // INSPECTOR=false: no store, no hooks, no routes; /__proxy/ is a plain 404.
  const inspector = options.inspector ?? (config.inspector ? createInspector(config) : undefined)
  const servesInspector = inspector !== undefined && options.inspector === undefined

  // Set before the plugins register: each keeps the error handler in force at its registration.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status === 500) logger.error({ err: error, request: request.exchange?.id }, 'internal error')
    sendProxyError(reply, status, status === 500 ? 'internal' : 'bad-request', status === 500 ? 'the proxy failed on this request; the log has the details' : error.message)
  })
  await app.register(exchangeLog, { logger, config, onExchange: inspector?.record, nextId: inspector?.nextId })
  await app.register(requestGuard, { config, originAllowed, ownOriginRule: servesInspector ? isInspectorPath : undefined })
  if (servesInspector) await app.register(inspectorGate)
  await app.register(cors, corsOptions(originAllowed))
  await app.register(closingGate, { isClosing: () => closing })
  await app.register(healthRoute, { config, droppedLogLines: options.droppedLogLines ?? (() => 0) })
  if (servesInspector) {
    // Replay with a changed configuration goes through a second app that shares this inspector.
    const startProxy = async (current: Config) => {
      const second = await buildApp(current, { ...options, inspector, currentConfig: undefined })
      await second.listen({ port: 0, host: '127.0.0.1' })
      let closing: Promise<void> | undefined
      return { address: second.server.address() as AddressInfo, release: () => (closing ??= second.close()) }
    }
    await app.register(inspectorRoutes, { prefix: INSPECTOR_PREFIX, inspector, config, replay: { currentConfig: options.currentConfig, startProxy } })
  }
  for (const route of proxyRoutes(config)) {
    await app.register(registerProxy, { config, dispatcher, route, inspector: inspector?.taps })
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
