// Reaching the upstream: a closed port, a name that does not resolve, TLS trust and
// certificate names, a scheme that does not match the server (FLT-03), a TLS handshake
// that stalls (FLT-04), and recovery once the upstream is back (FLT-01). Every failure
// comes back in bkend's error shape, and no request (so no key) goes to an untrusted server.
import t from 'tap'
import { PassThrough } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { OTHER_CERT, closedPortUrl, startFakeApi, startTcpUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { getJson } from './helpers/fetch-body.js'
import { waitFor } from './helpers/wait.js'
import { startProxy, testConfig } from './helpers/proxy.js'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/log/logger.js'

const ORIGIN = 'http://localhost:3000'
const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

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
  const { logger, exchangeWriter } = createLogger(config, { destination: new PassThrough().resume(), colorize: false })
  const app = await buildApp(config, { logger, exchangeWriter, upstreamCa: [OTHER_CERT] })
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

t.test('FLT-01 upstream refused → fast 502 with CORS, then 200 once it is up, without a restart', async t => {
  const url = await closedPortUrl()
  const port = Number(new URL(url).port)
  const proxy = await startProxy(t, { apiUrl: url })
  const started = Date.now()
  const down = await fetch(new URL('/v1/x', proxy.url), { headers: { origin: ORIGIN } })
  const elapsedMs = Date.now() - started
  const body = await down.json() as { error: { code: string, message: string } }
  t.same([down.status, body.error.code], [502, 'proxy/upstream-unreachable'])
  t.ok(elapsedMs < 1000, `answered in ${elapsedMs} ms`)
  t.match(body.error.message, `127.0.0.1:${port}`, 'names the configured upstream')
  t.match(body.error.message, /BKEND_API_URL/, 'says which setting to check')
  t.notMatch(body.error.message, /ECONNREFUSED \d+\.\d+\.\d+\.\d+:\d+/, 'no raw socket error in the body')
  t.same([down.headers.get('access-control-allow-origin'), down.headers.get('access-control-allow-credentials')], [ORIGIN, 'true'])

  await startFakeApi(t, { port, handler: (_req, res) => res.end('back') })
  const up = await fetch(new URL('/v1/x', proxy.url), { headers: { origin: ORIGIN } })
  t.same([up.status, await up.text()], [200, 'back'], 'the next request succeeds: the failure was not cached')
})

t.test('FLT-03 scheme mismatch: plain HTTP on https:// → 502 upstream-tls; TLS on http:// → 502 upstream-bad-response', async t => {
  const plain = await startFakeApi(t)
  const proxyA = await startProxy(t, { apiUrl: `https://127.0.0.1:${plain.port}` })
  const a = await fetch(new URL('/v1/x', proxyA.url))
  const bodyA = await a.json() as { error: { code: string, message: string } }
  t.same([a.status, bodyA.error.code], [502, 'proxy/upstream-tls'], '(a) plain HTTP server behind an https:// URL')
  t.equal(plain.received.length, 0, '(a) no HTTP request was completed')

  const tlsApi = await startFakeApi(t, { tls: 'localhost' })
  const proxyB = await startProxy(t, { apiUrl: `http://127.0.0.1:${tlsApi.port}` })
  const started = Date.now()
  const b = await fetch(new URL('/v1/x', proxyB.url))
  const bodyB = await b.json() as { error: { code: string, message: string } }
  t.same([b.status, bodyB.error.code], [502, 'proxy/upstream-bad-response'], '(b) TLS server behind an http:// URL')
  t.ok(Date.now() - started < 5000, '(b) does not hang')
  await assertProxyHealthy(t, proxyA.url)
})

t.test('FLT-03 the scheme-mismatch errors say "did you mean http:// / https://"', async t => {
  const plain = await startFakeApi(t)
  const proxyA = await startProxy(t, { apiUrl: `https://127.0.0.1:${plain.port}` })
  const bodyA = await (await fetch(new URL('/v1/x', proxyA.url))).json() as { error: { message: string } }
  t.match(bodyA.error.message, /http:\/\//, '(a) suggests http://')
  const tlsApi = await startFakeApi(t, { tls: 'localhost' })
  const proxyB = await startProxy(t, { apiUrl: `http://127.0.0.1:${tlsApi.port}` })
  const bodyB = await (await fetch(new URL('/v1/x', proxyB.url))).json() as { error: { message: string } }
  t.match(bodyB.error.message, /https:\/\//, '(b) suggests https://')
})

t.test('FLT-04 a TLS handshake that stalls → 504 at the configured time, stalled socket closed', async t => {
  // Reads (and discards) the ClientHello, so the proxy's FIN is seen.
  const stalled = await startTcpUpstream(t, socket => socket.resume())
  const proxy = await startProxy(t, { apiUrl: `https://127.0.0.1:${stalled.port}`, upstreamTimeoutMs: 1000 })
  const started = Date.now()
  const res = await fetch(new URL('/v1/x', proxy.url))
  const answeredAt = Date.now()
  const body = await res.json() as { error: { code: string } }
  t.same([res.status, body.error.code], [504, 'proxy/upstream-timeout'])
  t.ok(answeredAt - started >= 950 && answeredAt - started <= 1500, `504 after ${answeredAt - started} ms (timeout 1000)`)
  t.ok(await waitFor(() => stalled.closedAt.length > 0, 1000), 'the stalled server socket saw the proxy close it')
  const closedAt = stalled.closedAt[0]!
  t.ok(closedAt - answeredAt <= 100, `closed ${closedAt - answeredAt} ms after the 504`)
})
