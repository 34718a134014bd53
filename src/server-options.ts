// Fastify options both servers share: one canonical path, our own answers (logged) where Node
// or Fastify would refuse unlogged, and the error handler in bkend's shape.
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'
import type { Logger } from 'pino'
import type { LiveConfig } from './config/live-config.js'
import { snapshotConfig } from './config/request-config.js'
import { frameworkLogger } from './log/framework-logger.js'
import type { RequestGuard } from './guard/request-guard.js'
import { parserRefusalHandler } from './guard/raw-refusal.js'
import { canonicalRequestUrl } from './guard/canonical-path.js'
import { sendProxyError } from './reply-error.js'
import { ERRORS } from './errors.js'

export interface ServerOptionDeps {
  logger: Logger
  live: LiveConfig
  guard: RequestGuard
  /** The app being built: the framework-error path starts its exchange by hand. */
  app: () => FastifyInstance
}

export function sharedServerOptions ({ logger, live, guard, app }: ServerOptionDeps): FastifyServerOptions {
  return {
    loggerInstance: frameworkLogger(logger),
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Fastify turns Node's limit on receiving a request off (0); a client that stalls its
    // upload is its own business, but bounded, as Node bounds it by default (5 min).
    requestTimeout: 300_000,
    // Node would answer a missing Host with a bare 400 of its own, unlogged; the guard answers it.
    http: { requireHostHeader: false },
    routerOptions: { ignoreTrailingSlash: false },
    // Before routing: the router, every hook and the log read one canonical path (guard/canonical-path.ts).
    rewriteUrl: canonicalRequestUrl,
    // A URL Fastify cannot decode gets our 400. No hook has run yet: the exchange and the guard
    // start here by hand, so the refusal order and the log line match any request's.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      snapshotConfig(request, live.running)
      app().trackExchange(request, reply)
      if (guard.refused(request, reply)) return
      guard.refuse(request, reply, ERRORS.badRequest, `the request URL is not valid (${error.message})`)
    },
    clientErrorHandler: parserRefusalHandler(logger)
  } as FastifyServerOptions
}

/** A 4xx Fastify raises keeps its status in bkend's shape; anything else is our 500, logged. */
export function setProxyErrorHandler (app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status === 500) logger.error({ err: error, request: request.exchange?.id }, 'internal error')
    if (status === 500) sendProxyError(reply, ERRORS.internal)
    else sendProxyError(reply, ERRORS.badRequest, error.message, status)
  })
}
