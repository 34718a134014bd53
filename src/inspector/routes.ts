// The inspector's page and API under /__proxy/ (registered with that prefix) on the
// inspector's own port (inspector-app.ts, which adds the security headers); the gate
// (gate.ts) has already refused other origins and control requests that are not JSON.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config/settings.js'
import { sendProxyError } from '../reply-error.js'
import { ERRORS } from '../errors.js'
import type { Inspector } from './inspector.js'
import { parseFilter, parseLimit, matchesFilter, MAX_LIMIT } from './filters.js'
import { detailOf, summaryOf, type ExchangeDetail } from './views.js'
import { eventStreams } from './events.js'
import { harExport } from './har-export.js'
import { pageAsset } from './page-assets.js'
import { confirmedIn, replayExchange, type ReplayDeps } from './replay.js'
import { createReplaySlots } from './replay-slots.js'
import type { ListedExchange } from './stored-exchange.js'

export interface InspectorRoutesOptions {
  inspector: Inspector
  config: Config
  /** The configuration requests run with now (an environment switch or a reload changes it). */
  runningConfig?: () => Config
  replay: Pick<ReplayDeps, 'rereadConfig' | 'startProxy' | 'proxyAddress'>
}

export async function inspectorRoutes (app: FastifyInstance, options: InspectorRoutesOptions): Promise<void> {
  const { inspector, config } = options
  const { store } = inspector
  const events = eventStreams(store)
  const replayDeps: ReplayDeps = {
    ...options.replay,
    links: inspector.links,
    runningConfig: options.runningConfig ?? (() => config),
    inFlight: new Set(),
    slots: createReplaySlots()
  }
  app.addHook('preClose', (done) => {
    events.closeAll()
    for (const request of replayDeps.inFlight) request.destroy()
    done()
  })
  // Replay takes JSON only (the gate sees to it); of the body only {"confirm": true} counts.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => { done(null, { confirm: confirmedIn(String(body)) }) })

  const page = (name: string) => async (_request: FastifyRequest, reply: FastifyReply) => {
    const asset = pageAsset(name)
    if (asset === undefined) return sendProxyError(reply, ERRORS.notFound, 'no such file')
    return reply.type(asset.type).send(asset.body)
  }
  app.get('/', page('index.html'))
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => page(request.params.name)(request, reply))

  type ListRequest = FastifyRequest<{ Querystring: Record<string, string> }>
  const filtered = (request: ListRequest, reply: FastifyReply, fallbackLimit: number) => {
    const filter = parseFilter(request.query)
    const limit = parseLimit(request.query.limit, fallbackLimit)
    if (!filter.ok || !limit.ok) {
      sendProxyError(reply, ERRORS.badRequest, !filter.ok ? filter.message : !limit.ok ? limit.message : '')
      return undefined
    }
    return store.recent(entry => matchesFilter(entry, filter.value), limit.value)
  }

  app.get('/api/exchanges', async (request: ListRequest, reply) => {
    const found = filtered(request, reply, 100)
    if (found === undefined) return reply
    return { exchanges: found.map(summaryOf), kept: store.size, capacity: store.capacity }
  })
  app.delete('/api/exchanges', async (_request, reply) => {
    store.clear()
    return reply.code(204).send()
  })
  app.get<{ Params: { id: string } }>('/api/exchanges/:id', async (request, reply) => {
    const entry = findEntry(request.params.id, reply)
    if (entry === undefined) return reply
    return detailOf(entry, { config, replays: store.replaysOf(entry.id), live: entry.state === 'open' ? inspector.live(entry.id) : undefined })
  })
  app.post<{ Params: { id: string } }>('/api/exchanges/:id/replay', async (request, reply) => {
    const entry = findEntry(request.params.id, reply)
    if (entry === undefined) return reply
    const outcome = await replayExchange(entry, replayDeps, { confirmed: (request.body as { confirm?: boolean } | null)?.confirm === true })
    if (!outcome.ok) return sendProxyError(reply, outcome.error, outcome.message, outcome.status)
    const { ok: _ok, ...answer } = outcome
    return reply.code(201).send(answer)
  })
  app.get('/api/events', async (request: ListRequest, reply) => {
    const filter = parseFilter(request.query)
    if (!filter.ok) return sendProxyError(reply, ERRORS.badRequest, filter.message)
    events.open(reply, filter.value)
    return reply
  })
  app.get('/api/har', async (request: ListRequest, reply) => {
    const found = filtered(request, reply, MAX_LIMIT)
    if (found === undefined) return reply
    const done = found.filter(entry => entry.state === 'done')
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="bkend-dev-proxy-${stamp}.har"`)
      .send(harExport(done, { detailOf: harDetail, proxyOrigin: `http://${request.headers.host ?? 'localhost'}`, left: found.length - done.length }))
  })
  app.setNotFoundHandler((request, reply) => {
    sendProxyError(reply, ERRORS.notFound, `the inspector has no ${request.method} ${request.url.split('?', 1)[0]}; its page is at /__proxy/ and its API under /__proxy/api/`)
  })

  // Read when its turn comes, so the export holds one exchange at a time.
  async function harDetail (listed: ListedExchange): Promise<ExchangeDetail | undefined> {
    const entry = store.get(listed.id)
    return entry && await detailOf(entry, { config, replays: [] }) as ExchangeDetail
  }

  function findEntry (raw: string, reply: FastifyReply) {
    const entry = /^\d{1,15}$/.test(raw) ? store.get(Number(raw)) : undefined
    if (entry === undefined) sendProxyError(reply, ERRORS.exchangeNotFound, `exchange #${raw} is not in the inspector's buffer (it keeps the last ${store.capacity}; INSPECTOR_MAX_EXCHANGES)`)
    return entry
  }
}
