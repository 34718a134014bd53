// buildInspectorApp(options): the inspector's own server, its page, its API and the
// environment switch, for INSPECTOR_PORT. It never listens (cli.ts does). A page the
// upstream answers (text/html under /v1/) runs on the proxy port's origin; on another
// port the inspector is another origin, so the browser keeps such a page from reading
// it, and the gate refuses what the page may still send. Nothing here is forwarded or
// recorded into the inspector's store: the exchange log numbers and logs refusals only.
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from './config/settings.js'
import type { LiveConfig } from './config/live-config.js'
import { requestConfig, snapshotConfig } from './config/request-config.js'
import { exchangeLog } from './log/exchange-log.js'
import { frameworkLogger } from './log/framework-logger.js'
import { createRequestGuard, requestGuard } from './guard/request-guard.js'
import { parserRefusalHandler } from './guard/raw-refusal.js'
import { canonicalRequestUrl } from './guard/canonical-path.js'
import { inspectorGate } from './inspector/gate.js'
import { inspectorRoutes, type InspectorRoutesOptions } from './inspector/routes.js'
import { INSPECTOR_PREFIX } from './inspector/paths.js'
import type { Inspector } from './inspector/inspector.js'
import { ENVIRONMENT_PATH, environmentRoute } from './lifecycle/environment-route.js'
import { sendProxyError } from './reply-error.js'
import { ERRORS } from './errors.js'

export interface InspectorAppOptions {
  config: Config
  logger: Logger
  live: LiveConfig
  inspector: Inspector
  logColour?: boolean
  replay: InspectorRoutesOptions['replay']
}

// No inline script or style, nothing from elsewhere, and no other site may frame the page.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store'
}

export async function buildInspectorApp (options: InspectorAppOptions): Promise<FastifyInstance> {
  const { config, logger, live, inspector } = options
  // No origin is allowed by CORS here: the gate's same-origin rule decides, and refusals carry no CORS headers.
  const guardOptions = { config, originAllowed: () => false, ownOriginRule: () => true }
  const guard = createRequestGuard(guardOptions)
  const app = Fastify({
    loggerInstance: frameworkLogger(logger),
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    requestTimeout: 300_000, // as on the proxy port (Fastify would turn Node's limit off)
    http: { requireHostHeader: false },
    routerOptions: { ignoreTrailingSlash: false },
    // The same canonical path as on the proxy port, for the router, the gate and the log.
    rewriteUrl: canonicalRequestUrl,
    frameworkErrors: (error, request, reply) => {
      snapshotConfig(request, live.current)
      app.trackExchange(request, reply)
      if (guard.refused(request, reply)) return
      guard.refuse(request, reply, ERRORS.badRequest, `the request URL is not valid (${error.message})`)
    },
    clientErrorHandler: parserRefusalHandler(logger)
  })
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status === 500) logger.error({ err: error, request: request.exchange?.id }, 'internal error')
    if (status === 500) sendProxyError(reply, ERRORS.internal)
    else sendProxyError(reply, ERRORS.badRequest, error.message, status)
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS)
    done(null, payload)
  })
  await app.register(requestConfig, { current: live.current })
  // No onExchange: what reaches this port is never an exchange of the inspector's list.
  await app.register(exchangeLog, { logger, config, colour: options.logColour, nextId: inspector.nextId, ownRoutesOnly: true })
  await app.register(requestGuard, guardOptions)
  await app.register(inspectorGate, { examples: { [ENVIRONMENT_PATH]: '{"environment": "staging"}' } })
  await app.register(environmentRoute, { live, logger })
  await app.register(inspectorRoutes, { prefix: INSPECTOR_PREFIX, inspector, config, runningConfig: live.current, replay: options.replay })
  app.get('/', async (_request, reply) => reply.redirect(`${INSPECTOR_PREFIX}/`))
  app.setNotFoundHandler((request, reply) => {
    sendProxyError(reply, ERRORS.notFound, `this is the inspector's port: its page is at /__proxy/ and its API under /__proxy/api/; ${request.method} ${request.url.split('?', 1)[0]} is not one of them (API requests go to the proxy port)`)
  })
  app.server.maxHeadersCount = 0 // the guard refuses too many headers instead of Node cutting them
  return app
}
