// What the client gets when the upstream is missing, untrusted, silent or broken, and
// what the upstream saw of it. Every failure comes back in bkend's error shape.
import t from 'tap'
import { PassThrough } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { bkendReply, OTHER_CERT, startFakeApi, closedPortUrl, faults, startRawUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { waitFor } from './helpers/wait.js'
import { startProxy, testConfig } from './helpers/proxy.js'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/log/logger.js'
import { VERSION } from '../src/config/version.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

interface ErrorBody { success: boolean, error: { code: string, message: string } }

async function getJson (url: URL): Promise<{ status: number, body: ErrorBody, text: string }> {
  const res = await fetch(url)
  const text = await res.text()
  return { status: res.status, body: JSON.parse(text) as ErrorBody, text }
}

t.test('answers 502 upstream-unreachable when the upstream port is closed', async t => {
  const proxy = await startProxy(t, { apiUrl: await closedPortUrl(), apiKey: KEY })
  const { status, body, text } = await getJson(new URL('/v1/data/posts', proxy.url))
  t.equal(status, 502)
  t.same([body.success, body.error.code], [false, 'proxy/upstream-unreachable'])
  t.match(body.error.message, /ECONNREFUSED/)
  t.notMatch(text, KEY)
  await assertProxyHealthy(t, proxy.url)
})

t.test('answers 502 upstream-unreachable when the upstream name does not resolve', async t => {
  const proxy = await startProxy(t, { apiUrl: 'http://does-not-exist.invalid', apiKey: KEY, upstreamTimeoutMs: 10000 })
  const { status, body } = await getJson(new URL('/v1/data/posts', proxy.url))
  t.equal(status, 502)
  t.same([body.success, body.error.code], [false, 'proxy/upstream-unreachable'])
  t.match(body.error.message, /does-not-exist\.invalid/)
  t.match(body.error.message, /does not resolve/)
  await assertProxyHealthy(t, proxy.url)
})

t.test('refuses an untrusted self-signed certificate with 502 upstream-tls, key never sent', async t => {
  const api = await startFakeApi(t, { tls: 'localhost' })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY }, { trustTestCa: false })
  const { status, body, text } = await getJson(new URL('/v1/data/posts', proxy.url))
  t.equal(status, 502)
  t.same([body.success, body.error.code], [false, 'proxy/upstream-tls'])
  t.match(body.error.message, /NODE_EXTRA_CA_CERTS/)
  t.notMatch(text, KEY)
  t.same([api.started, api.received.length], [0, 0], 'the upstream received no request, so no key')
  await assertProxyHealthy(t, proxy.url)
})

t.test('refuses a certificate for another name even though the test CA is trusted', async t => {
  const api = await startFakeApi(t, { tls: 'other' })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const { status, body } = await getJson(new URL('/v1/data/posts', proxy.url))
  t.equal(status, 502)
  t.same([body.success, body.error.code], [false, 'proxy/upstream-tls'])
  t.same([api.started, api.received.length], [0, 0])
  await assertProxyHealthy(t, proxy.url)
})

t.test('refuses a trusted certificate whose name does not match the upstream host', async t => {
  // Trusting other.test's own certificate leaves only the name check to fail.
  const api = await startFakeApi(t, { tls: 'other' })
  const config = testConfig({ port: 0, apiUrl: api.url, apiKey: KEY })
  const { logger } = createLogger(config, { destination: new PassThrough().resume(), colorize: false })
  const app = await buildApp(config, { logger, upstreamCa: [OTHER_CERT] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const proxyUrl = `http://localhost:${(app.server.address() as AddressInfo).port}`
  const { status, body } = await getJson(new URL('/v1/data/posts', proxyUrl))
  t.equal(status, 502)
  t.same([body.error.code, /ALTNAME|HOSTNAME/.test(body.error.message)], ['proxy/upstream-tls', true])
  t.same([api.started, api.received.length], [0, 0])
  await assertProxyHealthy(t, proxyUrl)
})

t.test('forwards to a trusted HTTPS upstream with SNI and Host set to the upstream', async t => {
  const api = await startFakeApi(t, { tls: 'localhost' })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const res = await fetch(new URL('/v1/data/posts', proxy.url))
  t.equal(res.status, 200)
  t.equal((await res.json() as { url: string }).url, '/v1/data/posts')
  t.equal(api.received.length, 1)
  t.equal(api.serverNames[0], 'localhost')
  t.equal(api.received[0]!.headers.host, `localhost:${api.port}`)
  t.equal(api.received[0]!.headers.authorization, `Bearer ${KEY}`)
  await assertProxyHealthy(t, proxy.url)
})

t.test('answers 504 upstream-timeout when the API never answers', async t => {
  const api = await startFakeApi(t, { handler: () => {} })
  const proxy = await startProxy(t, { apiUrl: api.url, upstreamTimeoutMs: 300 })
  const started = Date.now()
  const { status, body } = await getJson(new URL('/v1/data/posts?limit=1000', proxy.url))
  const elapsedMs = Date.now() - started
  t.equal(status, 504)
  t.same([body.success, body.error.code], [false, 'proxy/upstream-timeout'])
  t.match(body.error.message, /limit/)
  t.match(body.error.message, /300 ms/)
  t.ok(elapsedMs >= 250 && elapsedMs < 2000, `answered after the limit, not long after (${elapsedMs} ms)`)
  t.equal(api.started, 1, 'exactly one upstream request')
  t.ok(await waitFor(() => api.abortedResponses === 1, 1000), 'the stalled upstream request was closed')
  await assertProxyHealthy(t, proxy.url)
})

t.test('answers 502 upstream-bad-response when the upstream sends garbage before headers', async t => {
  const upstream = await startRawUpstream(t, faults.garbage)
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const { status, body } = await getJson(new URL('/v1/data/posts', proxy.url))
  t.equal(status, 502)
  t.same([body.success, body.error.code], [false, 'proxy/upstream-bad-response'])
  t.same([upstream.hits.length, upstream.connections], [1, 1], 'exactly one upstream request')
  await assertProxyHealthy(t, proxy.url)
})

t.test('answers 502 upstream-bad-response when the upstream resets a GET, without retrying it', async t => {
  const upstream = await startRawUpstream(t, faults.reset)
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const { status, body } = await getJson(new URL('/v1/data/posts', proxy.url))
  t.equal(status, 502)
  t.same([body.success, body.error.code], [false, 'proxy/upstream-bad-response'])
  await new Promise(resolve => setTimeout(resolve, 300)) // room for a hidden retry to show up
  t.same([upstream.hits.length, upstream.connections], [1, 1], 'exactly one upstream request')
  await assertProxyHealthy(t, proxy.url)
})

t.test('passes a 503 for a GET through after exactly one upstream request', async t => {
  const unavailable = { success: false, error: { code: 'service/unavailable', message: 'try later' } }
  const api = await startFakeApi(t, { handler: bkendReply(503, unavailable, { 'retry-after': '0' }) })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const res = await fetch(new URL('/v1/data/posts', proxy.url))
  t.equal(res.status, 503)
  t.same(await res.json(), unavailable)
  t.equal(res.headers.get('retry-after'), '0')
  await new Promise(resolve => setTimeout(resolve, 300)) // room for a hidden retry to show up
  t.equal(api.received.length, 1, 'no hidden retry')
  await assertProxyHealthy(t, proxy.url)
})

t.test('answers 404 missing-v1-prefix for a path outside /v1 and /mcp, naming the likely path', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, mcpUrl: `${api.url}/mcp` })
  const posts = await getJson(new URL('/data/posts', proxy.url))
  t.equal(posts.status, 404)
  t.same([posts.body.success, posts.body.error.code], [false, 'proxy/missing-v1-prefix'])
  t.match(posts.body.error.message, '/v1/data/posts')
  const root = await getJson(new URL('/', proxy.url))
  t.equal(root.status, 404)
  t.same([root.body.success, root.body.error.code], [false, 'proxy/missing-v1-prefix'])
  t.equal(api.started, 0, 'nothing was forwarded')
  await assertProxyHealthy(t, proxy.url)
})

t.test('health reports the configuration and never the key', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, mcpUrl: `${api.url}/mcp`, apiKey: KEY, projectId: 'p1', environment: 'staging', allowedHosts: ['bkend-proxy'] })
  const res = await fetch(new URL('/__proxy/health', proxy.url))
  const text = await res.text()
  t.equal(res.status, 200)
  const body = JSON.parse(text) as Record<string, unknown>
  t.same(Object.keys(body).sort(), ['allowedHosts', 'allowedOrigins', 'droppedLogLines', 'environment', 'environments', 'keySet', 'mcpUpstream', 'prodReadOnly', 'projectId', 'status', 'upstream', 'version'])
  t.same(
    [body.status, body.version, body.upstream, body.mcpUpstream, body.environment, body.projectId, body.keySet],
    ['ok', VERSION, api.url, `${api.url}/mcp`, 'staging', 'p1', true]
  )
  t.same(body.allowedOrigins, proxy.config.corsOrigins)
  t.ok((body.allowedHosts as string[]).includes('bkend-proxy'), 'lists the configured extra host')
  t.notMatch(text, KEY)
  t.notMatch(text, KEY.slice(-12), 'not even the end of the key')
  t.equal(api.started, 0, 'health never reaches the upstream')
})
