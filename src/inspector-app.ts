// buildInspectorApp: the inspector's own server (page, API, environment switch) for INSPECTOR_PORT;
// it never listens. Another port is another origin, so a page the upstream serves cannot read it,
// and the gate refuses what such a page may still send.
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from './config/settings.js'
import type { LiveConfig } from './config/live-config.js'
import { requestConfig } from './config/request-config.js'
import { exchangeLog } from './exchange-log.js'
import type { ExchangeWriter } from './log/logger.js'
import { createRequestGuard, requestGuard } from './guard/request-guard.js'
import { watchResponses } from './guard/raw-refusal.js'
import { inspectorGate } from './inspector/gate.js'
import { inspectorRoutes, type InspectorRoutesOptions } from './inspector/routes.js'
import { INSPECTOR_PREFIX } from './inspector/paths.js'
import type { Inspector } from './inspector/inspector.js'
import { ENVIRONMENT_PATH, environmentRoute } from './lifecycle/environment-route.js'
import { sendProxyError } from './reply-error.js'
import { ERRORS } from './errors.js'
import { setProxyErrorHandler, sharedServerOptions } from './server-options.js'
import { FAULTS_PATH, faultRoutes } from './simulate/fault-routes.js'
import type { FaultSwitch } from './simulate/fault-switch.js'

export interface InspectorAppOptions {
  config: Config
  logger: Logger
  exchangeWriter: ExchangeWriter
  live: LiveConfig
  inspector: Inspector
  logColour?: boolean
  replay: InspectorRoutesOptions['replay']
  faultSwitch: FaultSwitch
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
  const app: FastifyInstance = Fastify(sharedServerOptions({ logger, live, guard, app: () => app }))
  setProxyErrorHandler(app, logger)
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS)
    done(null, payload)
  })
  await app.register(requestConfig, { runningConfig: live.running })
  // No onExchange: what reaches this port is never an exchange of the inspector's list.
  await app.register(exchangeLog, { logger, writer: options.exchangeWriter, config, colour: options.logColour, nextId: inspector.nextId, ownRoutesOnly: true })
  await app.register(requestGuard, guardOptions)
  await app.register(inspectorGate, { examples: { [ENVIRONMENT_PATH]: '{"environment": "staging"}', [FAULTS_PATH]: '{"enabled": false}' } })
  await app.register(environmentRoute, { live, logger })
  await app.register(faultRoutes, { live, logger, faultSwitch: options.faultSwitch })
  await app.register(inspectorRoutes, { prefix: INSPECTOR_PREFIX, inspector, config, runningConfig: live.running, replay: options.replay })
  app.get('/', async (_request, reply) => reply.redirect(`${INSPECTOR_PREFIX}/`))
  app.setNotFoundHandler((request, reply) => {
    sendProxyError(reply, ERRORS.notFound, `this is the inspector's port: its page is at /__proxy/ and its API under /__proxy/api/; ${request.method} ${request.url.split('?', 1)[0]} is not one of them (API requests go to the proxy port)`)
  })
  app.server.maxHeadersCount = 0 // the guard refuses too many headers instead of Node cutting them
  watchResponses(app.server)
  return app
}
