// A day's traffic for the inspector page: a bkend-shaped upstream on loopback (answers
// after ?delay=<ms>, records every request), the real proxy with dev and staging profiles,
// and a page load as a browser app makes it: preflights, parallel and serial calls, an
// invalid key, a slow request, an unrouted path.
import { startFakeApi, type FakeApi, type FakeHandler } from '../../helpers/fake-upstream.js'
import { startProxy, type TestProxy } from '../../helpers/proxy.js'
import { switchEnvironment } from '../../helpers/environment-switch.js'

export const APP_ORIGIN = 'http://localhost:5173'
const DEV_KEY = `pk_${'d'.repeat(64)}`
const STAGING_KEY = `pk_${'5'.repeat(64)}`

interface Teardown { teardown: (fn: () => unknown) => void }

export interface Scene {
  upstream: FakeApi
  proxy: TestProxy
  /** One request through the proxy, read to its end; resolves with the status. */
  call: (path: string, init?: RequestInit) => Promise<number>
  /** The browser's CORS preflight for a JSON POST to path. */
  preflight: (path: string) => Promise<number>
}

// Every answer counts itself (x-served, data.served), so an exchange and its replay differ.
function bkendLike (): FakeHandler {
  let served = 0
  return (req, res, body) => {
    const url = new URL(req.url!, 'http://upstream')
    const answer = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req-${Math.random().toString(16).slice(2, 10)}`, 'x-served': String(served) })
      res.end(JSON.stringify(payload))
    }
    setTimeout(() => {
      served++
      const limit = Number(url.searchParams.get('limit') ?? 1)
      if (url.pathname === '/v1/auth/me') answer(401, { success: false, error: { code: 'auth/invalid-api-key', message: 'the API key is not valid for this project' } })
      else if (req.method === 'POST') answer(201, { success: true, data: { id: 'post-2', ...JSON.parse(body || '{}') } })
      else answer(200, { success: true, data: { served, path: url.pathname, items: Array.from({ length: limit }, (_, i) => ({ id: `post-${i + 1}`, title: `hello ${i + 1}` })) } })
    }, Number(url.searchParams.get('delay') ?? 0))
  }
}

export async function startScene (t: Teardown, options: { handler?: FakeHandler } = {}): Promise<Scene> {
  const upstream = await startFakeApi(t, { handler: options.handler ?? bkendLike() })
  const proxy = await startProxy(t, { apiUrl: upstream.url, apiKey: DEV_KEY, environments: { dev: { apiKey: DEV_KEY }, staging: { apiKey: STAGING_KEY } } })
  // Chromium keeps a spare connection to the inspector open; closing must not wait for it.
  t.teardown(() => proxy.app.cutOpenConnections())
  const call = async (path: string, init: RequestInit = {}): Promise<number> => {
    const res = await fetch(new URL(path, proxy.url), { ...init, headers: { origin: APP_ORIGIN, ...init.headers as Record<string, string> } })
    await res.arrayBuffer()
    return res.status
  }
  const preflight = (path: string): Promise<number> => call(path, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  return { upstream, proxy, call, preflight }
}

/** A page load in dev, then a switch to staging and a few calls there. */
export async function pageLoad (scene: Scene): Promise<void> {
  const { call, preflight } = scene
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  await preflight('/v1/auth/me')
  await call('/v1/auth/me')
  await Promise.all([
    call('/v1/data/posts?limit=20&delay=60'),
    call('/v1/data/authors?delay=30'),
    preflight('/v1/data/posts').then(() => call('/v1/data/posts', json({ title: 'hello', password: 'hunter2-long-enough' })))
  ])
  // Serial: each waits for the one before, a staircase in the waterfall.
  for (const id of [1, 2, 3]) {
    await preflight(`/v1/data/comments/${id}`)
    await call(`/v1/data/comments?post=${id}&delay=40`)
  }
  await call('/v1/data/feed?delay=300')
  await call('/nowhere')
  await switchEnvironment(scene.proxy, 'staging')
  await preflight('/v1/data/posts')
  await call('/v1/data/posts', json({ title: 'on staging' }))
  await preflight('/v1/data/posts?limit=5')
  await call('/v1/data/posts?limit=5&delay=20')
}
