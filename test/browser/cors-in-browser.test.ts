// CORS as a real page sees it: headless Chromium loads a page from one localhost
// origin and calls the proxy on another. The fake upstream sends no CORS headers at
// all, so everything the page can read, the proxy made readable. The header logic
// beneath this has inject() tests; here only the browser's verdict counts.
import t, { type Test } from 'tap'
import http from 'node:http'
import { closedPortUrl, startFakeApi, type FakeApi, type FakeHandler } from '../helpers/fake-upstream.js'
import { startProxy } from '../helpers/proxy.js'
import { launchChromium } from './helpers/chromium.js'
import { startPageServer } from './helpers/page-server.js'
import { openTestPage, type Arrival } from './helpers/test-page.js'
import { watchProxyTraffic } from './helpers/proxy-traffic.js'

const KEY = 'sk_test_BROWSER0123456789abcdefghijklmn'
const PROJECT_ID = 'proj-browser-1'
const STREAM_EVENTS = 4
const STREAM_GAP_MS = 250

const browser = await launchChromium(t)

/** Upstream write times (Date.now()) of the streamed routes, to compare with the page's arrival times. */
interface StreamClock { sse: number[], ndjson: number[] }

// bkend-shaped answers and never a single Access-Control-* header.
function bkendApi (clock: StreamClock): FakeHandler {
  return (req, res, body) => {
    const path = new URL(req.url!, 'http://upstream').pathname
    if (path === '/v1/data/posts' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-get-1', 'x-ratelimit-remaining': '99' })
      res.end(JSON.stringify({ success: true, data: { items: [{ id: 'post-1', title: 'hello' }], pagination: { total: 1 } } }))
    } else if (path === '/v1/data/posts' && req.method === 'POST') {
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req-post-1' })
      res.end(JSON.stringify({ success: true, data: { id: 'post-2', ...JSON.parse(body) as object } }))
    } else if (path === '/v1/auth/me') {
      res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': 'req-401' })
      res.end(JSON.stringify({ success: false, error: { code: 'auth/unauthorized', message: 'the access token is missing or expired' } }))
    } else if (path === '/v1/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.write('retry: 60000\n\n') // no reconnect storm if the page is slow to close
      writeSpaced(res, clock.sse, i => `id: ${i}\ndata: {"n":${i}}\n\n`)
    } else if (path === '/v1/export') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      writeSpaced(res, clock.ndjson, i => `{"n":${i}}\n`)
    } else {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ success: false, error: { code: 'common/not-found', message: `no route ${path}` } }))
    }
  }
}

// Each write is scheduled after the previous one, so the upstream never bunches them.
function writeSpaced (res: http.ServerResponse, writtenAt: number[], chunk: (i: number) => string): void {
  const next = (i: number): void => {
    if (res.destroyed) return
    writtenAt.push(Date.now())
    res.write(chunk(i))
    if (i === STREAM_EVENTS) res.end()
    else setTimeout(() => next(i + 1), STREAM_GAP_MS)
  }
  next(1)
}

function upstreamMethods (api: FakeApi): string[] {
  return api.received.map(request => `${request.method} ${request.url}`)
}

/** Incremental means: spread out over time, and the first item in the page before the upstream wrote the last. */
function assertIncremental (t: Test, arrivals: Arrival[], writtenAt: number[]): void {
  const times = arrivals.map(arrival => arrival.at)
  t.ok(times.every((at, i) => i === 0 || at >= times[i - 1]!), 'arrival times are in order', { times })
  const spreadMs = times[times.length - 1]! - times[0]!
  const minSpreadMs = (STREAM_EVENTS - 1) * STREAM_GAP_MS / 2
  t.ok(spreadMs >= minSpreadMs, `arrivals spread over ${spreadMs} ms (buffering would bunch them; expected >= ${minSpreadMs} ms)`, { times, writtenAt })
  t.ok(times[0]! < writtenAt[writtenAt.length - 1]!, 'the first item reached the page before the upstream wrote the last one', { firstArrival: times[0], lastWrite: writtenAt[writtenAt.length - 1] })
}

t.test('a page on another origin reads JSON and exposed headers from GET and POST with credentials', async t => {
  const api = await startFakeApi(t, { handler: bkendApi({ sse: [], ndjson: [] }) })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: PROJECT_ID, environment: 'staging' })
  const traffic = watchProxyTraffic(proxy)
  const site = await startPageServer(t, 'localhost')
  const { page, run } = await openTestPage(t, browser, site.origin, 'get-post')

  const getResponse = page.waitForResponse(response => response.url() === `${proxy.url}/v1/data/posts?limit=1` && response.request().method() === 'GET')
  const get = await run('getJson', { label: 'GET via proxy', expected: 'ok', base: proxy.url, path: '/v1/data/posts?limit=1' })
  t.same(get, {
    ok: true,
    value: {
      status: 200,
      requestId: 'req-get-1',
      rateLimit: '99',
      contentType: 'application/json',
      body: { success: true, data: { items: [{ id: 'post-1', title: 'hello' }], pagination: { total: 1 } } }
    }
  }, 'the page reads the JSON and the upstream x-request-id / x-ratelimit-remaining')
  const getHeaders = await (await getResponse).allHeaders()
  t.same(
    { origin: getHeaders['access-control-allow-origin'], credentials: getHeaders['access-control-allow-credentials'], vary: /\bOrigin\b/.test(getHeaders.vary ?? '') },
    { origin: site.origin, credentials: 'true', vary: true },
    'exactly one allow-origin, the page origin (never "*" with credentials)'
  )

  const payload = { title: 'from the browser', tags: ['cors', 'é✓'] }
  const post = await run('postJson', { label: 'POST JSON via proxy', expected: 'ok', base: proxy.url, path: '/v1/data/posts', payload })
  t.same(post, {
    ok: true,
    value: { status: 201, requestId: 'req-post-1', rateLimit: null, contentType: 'application/json', body: { success: true, data: { id: 'post-2', ...payload } } }
  }, 'the page reads the 201 body and x-request-id')

  t.same(upstreamMethods(api), ['GET /v1/data/posts?limit=1', 'POST /v1/data/posts'], 'one upstream request per fetch, no preflight among them')
  const [upGet, upPost] = api.received
  for (const [name, request] of [['GET', upGet!], ['POST', upPost!]] as const) {
    t.same({
      authorization: request.headers.authorization,
      project: request.headers['x-project-id'],
      environment: request.headers['x-environment'],
      trace: request.headers['x-client-trace'],
      cookie: request.headers.cookie,
      origin: request.headers.origin
    }, {
      authorization: `Bearer ${KEY}`,
      project: PROJECT_ID,
      environment: 'staging',
      trace: `${name.toLowerCase()}-trace-1`,
      cookie: 'bkend_session=from-the-page',
      origin: undefined
    }, `${name}: injected auth/project/environment, the page's header and cookie arrived; Origin was not forwarded`)
  }
  t.equal(upPost!.headers['content-type'], 'application/json')
  t.same(JSON.parse(upPost!.body), payload, 'the JSON body arrived byte for byte')

  const preflights = traffic.filter(hit => hit.method === 'OPTIONS')
  t.same(preflights.map(hit => ({ url: hit.url, status: hit.status, origin: hit.origin, asked: hit.requestHeaders?.toLowerCase().split(',').map(name => name.trim()).sort() })), [
    { url: '/v1/data/posts?limit=1', status: 204, origin: site.origin, asked: ['x-client-trace'] },
    { url: '/v1/data/posts', status: 204, origin: site.origin, asked: ['content-type', 'x-client-trace'] }
  ], 'the browser preflighted both requests and the proxy answered them itself')
  t.equal(api.received.filter(request => request.method === 'OPTIONS').length, 0, 'no preflight reached the upstream')
})

t.test('EventSource messages arrive one by one through the proxy', async t => {
  const clock: StreamClock = { sse: [], ndjson: [] }
  const api = await startFakeApi(t, { handler: bkendApi(clock) })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: PROJECT_ID })
  const site = await startPageServer(t, 'localhost')
  const { run } = await openTestPage(t, browser, site.origin, 'event-source')

  const result = await run<{ events: Arrival[] }>('eventSource', { label: 'EventSource via proxy', expected: 'ok', base: proxy.url, path: '/v1/events', count: STREAM_EVENTS })
  if (!result.ok) throw new Error(`EventSource failed in the page: ${result.errorName}: ${result.errorMessage}`)
  t.same(result.value.events.map(event => event.data), ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}'])
  assertIncremental(t, result.value.events, clock.sse)
  t.same(upstreamMethods(api), ['GET /v1/events'], 'one stream, no reconnect')
  t.equal(api.received[0]!.headers.accept, 'text/event-stream')
  t.equal(api.received[0]!.headers.authorization, `Bearer ${KEY}`)
})

t.test('a streamed fetch body arrives chunk by chunk through the proxy', async t => {
  const clock: StreamClock = { sse: [], ndjson: [] }
  const api = await startFakeApi(t, { handler: bkendApi(clock) })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: PROJECT_ID })
  const site = await startPageServer(t, 'localhost')
  const { run } = await openTestPage(t, browser, site.origin, 'streamed-fetch')

  const result = await run<{ status: number, contentType: string, lines: Arrival[] }>('streamedFetch', { label: 'streamed fetch via proxy', expected: 'ok', base: proxy.url, path: '/v1/export' })
  if (!result.ok) throw new Error(`streamed fetch failed in the page: ${result.errorName}: ${result.errorMessage}`)
  t.same([result.value.status, result.value.contentType], [200, 'application/x-ndjson'])
  t.same(result.value.lines.map(line => line.data), ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}'])
  assertIncremental(t, result.value.lines, clock.ndjson)
  t.same(upstreamMethods(api), ['GET /v1/export'])
})

t.test('an upstream 401 in bkend shape reaches the page with its body and headers', async t => {
  const api = await startFakeApi(t, { handler: bkendApi({ sse: [], ndjson: [] }) })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: PROJECT_ID })
  const site = await startPageServer(t, 'localhost')
  const { run } = await openTestPage(t, browser, site.origin, 'upstream-401')

  const result = await run('getJson', { label: 'upstream 401 via proxy', expected: 'ok', base: proxy.url, path: '/v1/auth/me' })
  t.same(result, {
    ok: true,
    value: {
      status: 401,
      requestId: 'req-401',
      rateLimit: null,
      contentType: 'application/json',
      body: { success: false, error: { code: 'auth/unauthorized', message: 'the access token is missing or expired' } }
    }
  })
  t.same(upstreamMethods(api), ['GET /v1/auth/me'])
})

t.test('a proxy-generated 502 is readable by the page when the upstream is down', async t => {
  const apiUrl = await closedPortUrl()
  const proxy = await startProxy(t, { apiUrl, apiKey: KEY, projectId: PROJECT_ID })
  const site = await startPageServer(t, 'localhost')
  const { page, run } = await openTestPage(t, browser, site.origin, 'proxy-502')

  const response = page.waitForResponse(candidate => candidate.url() === `${proxy.url}/v1/data/posts?limit=1` && candidate.request().method() === 'GET')
  const result = await run('getJson', { label: 'proxy 502 (upstream down)', expected: 'ok', base: proxy.url, path: '/v1/data/posts?limit=1' })
  if (!result.ok) throw new Error(`the page could not read the 502: ${result.errorName}: ${result.errorMessage}`)
  const body = result.value.body as { success: boolean, error: { code: string, message: string } }
  t.same([result.value.status, result.value.contentType, body.success, body.error.code], [502, 'application/json; charset=utf-8', false, 'proxy/upstream-unreachable'])
  t.match(body.error.message, `cannot reach ${new URL(apiUrl).host}`)
  const headers = await (await response).allHeaders()
  t.same([headers['access-control-allow-origin'], headers['access-control-allow-credentials']], [site.origin, 'true'], 'CORS headers are on the proxy\'s own error')
})

t.test('control: the same fetch straight to the upstream fails in the page', async t => {
  const api = await startFakeApi(t, { handler: bkendApi({ sse: [], ndjson: [] }) })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: PROJECT_ID })
  const site = await startPageServer(t, 'localhost')
  const { run } = await openTestPage(t, browser, site.origin, 'direct-upstream')

  const direct = await run('getJson', { label: 'GET straight to upstream', expected: 'TypeError', base: api.url, path: '/v1/data/posts?limit=1' })
  t.match(direct, { ok: false, errorName: 'TypeError' }, 'the preflighted fetch is rejected')
  const simple = await run('simpleGet', { label: 'simple GET straight to upstream', expected: 'TypeError', base: api.url, path: '/v1/data/posts?limit=1' })
  t.match(simple, { ok: false, errorName: 'TypeError' }, 'even a simple GET is unreadable')
  t.same(upstreamMethods(api), ['OPTIONS /v1/data/posts?limit=1', 'GET /v1/data/posts?limit=1'],
    'the upstream answered both (a preflight without CORS headers, then a 200 the browser hid): only CORS blocked them')

  const viaProxy = await run('getJson', { label: 'same GET via proxy', expected: 'ok', base: proxy.url, path: '/v1/data/posts?limit=1' })
  t.match(viaProxy, { ok: true, value: { status: 200, requestId: 'req-get-1' } }, 'the identical fetch through the proxy works')
})

t.test('control: a page on an origin outside CORS_ORIGINS cannot use the proxy', async t => {
  const api = await startFakeApi(t, { handler: bkendApi({ sse: [], ndjson: [] }) })
  const allowedSite = await startPageServer(t, 'localhost')
  const otherSite = await startPageServer(t, '127.0.0.1')
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: PROJECT_ID, corsOrigins: [allowedSite.origin] })
  const traffic = watchProxyTraffic(proxy)
  const other = await openTestPage(t, browser, otherSite.origin, 'origin-not-allowed')

  const get = await other.run('simpleGet', { label: 'simple GET from a foreign origin', expected: 'TypeError', base: proxy.url, path: '/v1/data/posts?limit=1' })
  t.match(get, { ok: false, errorName: 'TypeError' })
  const post = await other.run('postJson', { label: 'POST JSON from a foreign origin', expected: 'TypeError', base: proxy.url, path: '/v1/data/posts', payload: { title: 'x' } })
  t.match(post, { ok: false, errorName: 'TypeError' })
  t.same(traffic.map(hit => [hit.method, hit.origin, hit.status]), [
    ['GET', otherSite.origin, 403],
    ['OPTIONS', otherSite.origin, 403]
  ], 'the proxy saw both and refused them (the POST stopped at its preflight)')
  t.equal(api.started, 0, 'the upstream got 0 requests, so the key was never spent')

  const allowed = await openTestPage(t, browser, allowedSite.origin, 'origin-allowed')
  const ok = await allowed.run('simpleGet', { label: 'simple GET from the allowed origin', expected: 'ok', base: proxy.url, path: '/v1/data/posts?limit=1' })
  t.match(ok, { ok: true, value: { status: 200, requestId: 'req-get-1' } }, 'the same proxy serves the origin it lists')
  t.equal(api.started, 1)
})
