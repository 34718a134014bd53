// buildApp: the whole proxy as a Fastify instance, with the inspector's server beside it
// (app.inspectorApp). Neither listens, so tests choose between inject() and real ports.
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import cors from '@fastify/cors'
import type { Logger } from 'pino'
import type { ExchangeWriter } from './log/logger.js'
import type { AddressInfo } from 'node:net'
import type { Config } from './config/settings.js'
import { liveOriginMatcher } from './cors/origin-match.js'
import { corsOptions } from './cors/cors.js'
import { exchangeLog } from './exchange-log.js'
import type { ProxyCut } from './log/exchange.js'
import { createRequestGuard, requestGuard } from './guard/request-guard.js'
import { createStopping, stoppingGate } from './lifecycle/stopping.js'
import { invalidRequestOf, watchResponses } from './guard/raw-refusal.js'
import { healthRoute } from './lifecycle/health.js'
import { createUpstreamDispatcher, type DispatcherOptions } from './forward/upstream-dispatcher.js'
import { proxyRoutes, registerProxy } from './forward/proxy.js'
import { routeConnectRequests, unroutedHandler } from './guard/unrouted.js'
import { ERRORS } from './errors.js'
import { setProxyErrorHandler, sharedServerOptions } from './server-options.js'
import { createInspector, makeRoomForCaptures, type Inspector } from './inspector/inspector.js'
import { inspectorOrigin, movedRoutes } from './inspector/moved-routes.js'
import { INSPECTOR_PREFIX } from './inspector/paths.js'
import { createLiveConfig, type LiveConfig } from './config/live-config.js'
import { requestConfig } from './config/request-config.js'
import { prodReadOnly } from './guard/prod-read-only.js'
import { buildInspectorApp } from './inspector-app.js'
import { simulate } from './simulate/simulate.js'
import { createFaultSwitch } from './simulate/fault-switch.js'

export interface AppOptions {
  logger: Logger
  exchangeWriter: ExchangeWriter
  upstreamCa?: DispatcherOptions['ca']
  droppedLogLines?: () => number
  rereadConfig?: () => Config
  /** An inspector shared with another app: this app records into it but serves no page. */
  inspector?: Inspector
  liveConfig?: LiveConfig
  logColour?: boolean
}

export interface ProxyApp extends FastifyInstance {
  beginShutdown: () => void
  /** Ends the grace period: closes every connection still open, and logs their exchanges as cut by the proxy. */
  cutOpenConnections: () => void
  /** The inspector's page, API and environment switch, for INSPECTOR_PORT; null with INSPECTOR=false (and in a replay's second app). */
  inspectorApp: FastifyInstance | null
}

export async function buildApp (config: Config, options: AppOptions): Promise<ProxyApp> {
  const { logger } = options
  // Each request runs on the configuration current when it arrived; `config` is what start-up fixed.
  const live = options.liveConfig ?? createLiveConfig(config)
  const originAllowed = liveOriginMatcher(() => live.running().corsOrigins)
  const guard = createRequestGuard({ config, originAllowed })
  const app = Fastify({
    ...sharedServerOptions({ logger, live, guard, app: () => app }),
    // Bodies stream through; the proxy never buffers them, so Fastify's limit does not apply.
    bodyLimit: Number.MAX_SAFE_INTEGER
  }) as unknown as ProxyApp

  const stopping = createStopping()
  app.beginShutdown = stopping.begin
  app.cutOpenConnections = () => {
    stopping.cut()
    app.server.closeAllConnections()
    app.inspectorApp?.server.closeAllConnections()
  }
  const proxyCutOf = (request: FastifyRequest): ProxyCut | undefined => {
    if (stopping.isCutting()) return { cause: 'shutdown', status: 503 }
    const invalid = invalidRequestOf(request.clientSocket)
    return invalid && { cause: 'invalid-request', status: invalid.status, failure: invalid.failure }
  }

  const dispatcher = createUpstreamDispatcher(config, { ca: options.upstreamCa })
  const inspector = options.inspector ?? (config.inspector ? createInspector(config) : undefined)
  const servesInspector = inspector !== undefined && options.inspector === undefined
  app.inspectorApp = null
  // Known once it listens; before that, the configured one (none for port 0).
  const inspectorPort = (): number | null => {
    if (app.inspectorApp === null) return null
    const address = app.inspectorApp.server.address()
    if (address !== null && typeof address === 'object') return address.port
    return config.inspectorPort === 0 ? null : config.inspectorPort
  }
  const inspectorUrl = (host: string | undefined): string | null => {
    const origin = inspectorOrigin(host, inspectorPort())
    return origin === null ? null : `${origin}${INSPECTOR_PREFIX}/`
  }

  // Set before the plugins register: each keeps the error handler in force at its registration.
  setProxyErrorHandler(app, logger)
  if (inspector) makeRoomForCaptures(app)
  await app.register(requestConfig, { runningConfig: live.running })
  await app.register(exchangeLog, { logger, writer: options.exchangeWriter, config, proxyCutOf, colour: options.logColour, onExchange: inspector?.record, nextId: inspector?.nextId, replayOf: inspector?.replayOf })
  await app.register(requestGuard, { config, originAllowed })
  await app.register(cors, corsOptions(originAllowed))
  await app.register(stoppingGate, { stopping })
  await app.register(prodReadOnly, { config })
  // Mocks and faults: after every refusal (a mock never hides a refused write).
  const faultSwitch = createFaultSwitch()
  await app.register(simulate, { config, faultSwitch })
  await app.register(healthRoute, { runningConfig: live.running, droppedLogLines: options.droppedLogLines ?? (() => 0), inspectorUrl })
  await app.register(movedRoutes, { inspectorOn: inspector !== undefined, inspectorPort })
  if (servesInspector) {
    // Replay with a changed configuration goes through a second app that shares this inspector.
    const startProxy = async (current: Config) => {
      const second = await buildApp(current, { ...options, inspector, rereadConfig: undefined, liveConfig: undefined })
      await second.listen({ port: 0, host: '127.0.0.1' })
      let closing: Promise<void> | undefined
      return { address: second.server.address() as AddressInfo, release: () => (closing ??= second.close()) }
    }
    const replay = { rereadConfig: options.rereadConfig, startProxy, proxyAddress: () => app.server.address() }
    const inspectorApp = app.inspectorApp = await buildInspectorApp({ config, logger, exchangeWriter: options.exchangeWriter, live, inspector, logColour: options.logColour, replay, faultSwitch })
    // Closed with the proxy, side by side: its event streams end while the proxy's requests drain.
    let inspectorClosed: Promise<void> | undefined
    app.addHook('preClose', (done) => { inspectorClosed = inspectorApp.close(); done() })
    app.addHook('onClose', async () => { await (inspectorClosed ?? inspectorApp.close()) })
  }
  for (const route of proxyRoutes(config)) {
    await app.register(registerProxy, { config, dispatcher, route, inspector: inspector?.taps })
  }

  app.server.maxHeadersCount = 0 // the guard refuses too many headers instead of Node cutting them
  app.setNotFoundHandler(unroutedHandler(config))
  routeConnectRequests(app.server)
  watchResponses(app.server)
  app.addHook('onClose', async () => {
    await dispatcher.destroy()
  })
  return app
}
