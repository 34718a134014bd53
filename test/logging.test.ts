import t from 'tap'
import { bkendReply, startFakeApi } from './helpers/fake-upstream.js'
import { rawRequest } from './helpers/raw-client.js'
import { waitFor } from './helpers/wait.js'
import { startProxy } from './helpers/proxy.js'
import http from 'node:http'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

t.test('pretty log: one curl -v block per exchange, request and response lines at line start', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1' })
  await (await fetch(new URL('/v1/data/posts?limit=2', proxy.url), { headers: { origin: 'http://localhost:3000' } })).text()
  const logs = await proxy.logs()
  const lines = logs.split('\n')
  t.match(logs, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \* #1 GET \/v1\/data\/posts\?limit=2 from http:\/\/localhost:3000 → http:\/\/127\.0\.0\.1:\d+\/v1\/data\/posts\?limit=2$/m)
  t.ok(lines.includes('> GET /v1/data/posts?limit=2 HTTP/1.1'))
  t.ok(lines.includes(`> host: 127.0.0.1:${api.port}`))
  t.ok(lines.includes('> authorization: Bearer sk_test_••••mnop (40 chars)   [injected]'))
  t.ok(lines.includes('> x-project-id: p1   [injected]'))
  t.ok(lines.includes('< HTTP/1.1 200 OK'))
  t.ok(lines.includes('< content-type: application/json'))
  t.match(logs, /^\* #1 200 OK in [\d.]+ ms, \d+ bytes$/m)
  t.notMatch(logs, KEY, 'the key never appears in full')
  t.notMatch(logs, /\u001b\[/, 'no colour codes')
})

t.test('json log: one object per exchange, redacted', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, logFormat: 'json' })
  await (await fetch(new URL('/v1/a', proxy.url), { headers: { cookie: 'session=0123456789abcdefghij' } })).text()
  await (await fetch(new URL('/nope', proxy.url))).text()
  const lines = (await proxy.logs()).trim().split('\n')
  t.equal(lines.length, 2)
  const [ok, missing] = lines.map(line => JSON.parse(line) as { level: number, msg: string, exchange: Record<string, any> })
  t.equal(ok!.level, 30)
  t.same(ok!.exchange.request.line, 'GET /v1/a HTTP/1.1')
  t.same(ok!.exchange.request.headers.find((h: string[]) => h[0] === 'authorization'), ['authorization', 'Bearer sk_test_••••mnop (40 chars)', true])
  t.same(ok!.exchange.request.headers.find((h: string[]) => h[0] === 'cookie'), ['cookie', 'session=0123••••ghij (20 chars)'])
  t.equal(ok!.exchange.response.status, 200)
  t.equal(ok!.exchange.answeredBy, 'upstream')
  t.equal(missing!.level, 40, '4xx logs at warn')
  t.equal(missing!.exchange.error.code, 'proxy/missing-v1-prefix')
  t.notMatch(lines.join('\n'), KEY)
  t.notMatch(lines.join('\n'), '0123456789abcdefghij')
})

t.test('LOG_LEVEL=warn shows only what went wrong', async t => {
  const api = await startFakeApi(t, { handler: (req, res) => { res.statusCode = req.url === '/v1/fail' ? 500 : 200; res.end('x') } })
  const proxy = await startProxy(t, { apiUrl: api.url, logLevel: 'warn' })
  for (const path of ['/v1/ok', '/v1/fail', '/v1/ok']) await (await fetch(new URL(path, proxy.url))).text()
  const logs = await proxy.logs()
  t.equal(logs.match(/^> GET /gm)?.length, 1)
  t.match(logs, /ERROR: \* #2 GET \/v1\/fail/)
})

t.test('health checks log only at debug', async t => {
  const proxy = await startProxy(t, { logLevel: 'info' })
  await (await fetch(new URL('/__proxy/health', proxy.url))).text()
  t.equal(await proxy.logs(), '')
})

t.test('--log-bodies adds previews of text bodies, cut at 2 KB with the full size', async t => {
  const big = 'x'.repeat(5000)
  const api = await startFakeApi(t, { handler: (_req, res) => { res.setHeader('content-type', 'text/plain'); res.end(big) } })
  const proxy = await startProxy(t, { apiUrl: api.url, logBodies: true })
  const res = await fetch(new URL('/v1/posts', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"hello"}' })
  t.equal((await res.text()).length, 5000)
  t.equal(api.received[0]!.body, '{"title":"hello"}')
  const logs = await proxy.logs()
  t.match(logs, '} [17 bytes]\n} {"title":"hello"}\n')
  t.match(logs, `{ [first 2048 of 5000 bytes]\n{ ${'x'.repeat(2048)}\n`)
})

t.test('without --log-bodies no body appears in the log', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  await (await fetch(new URL('/v1/posts', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"secret":"body"}' })).text()
  t.notMatch(await proxy.logs(), '"secret"')
})

const PAGE = 'http://localhost:5173'

function preflight (port: number, path: string, method: string, headers?: string): Promise<{ status: number }> {
  const requested = headers === undefined ? '' : `Access-Control-Request-Headers: ${headers}\r\n`
  return rawRequest(port, `OPTIONS ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nOrigin: ${PAGE}\r\nAccess-Control-Request-Method: ${method}\r\n${requested}Connection: close\r\n\r\n`)
}

t.test('an allowed preflight is one line; a refused one keeps its block and hint', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  t.equal((await preflight(proxy.port, '/v1/data/posts', 'PATCH', 'authorization, content-type')).status, 204)
  const refused = await rawRequest(proxy.port, `OPTIONS /v1/data/posts HTTP/1.1\r\nHost: localhost:${proxy.port}\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\nConnection: close\r\n\r\n`)
  t.equal(refused.status, 403)
  const lines = (await proxy.logs()).trimEnd().split('\n')
  t.match(lines[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \* #1 OPTIONS \/v1\/data\/posts from http:\/\/localhost:5173 for PATCH with authorization, content-type → 204 \(preflight, answered by the proxy\) in \d+\.\d ms$/)
  t.match(lines[1], /WARN: \* #2 OPTIONS \/v1\/data\/posts from https:\/\/evil\.example answered by the proxy/, 'the refused one opens a block')
  t.ok(lines.includes('< HTTP/1.1 403 Forbidden'), 'with its status line')
  t.ok(lines.some(line => line.startsWith('* hint: the page https://evil.example is not in CORS_ORIGINS')), 'and its hint')
  t.equal(api.started, 0, 'neither reached the upstream')
})

t.test('LOG_LEVEL=debug shows the full block of an allowed preflight', async t => {
  const proxy = await startProxy(t, { logLevel: 'debug' })
  await preflight(proxy.port, '/v1/data/posts', 'POST')
  const lines = (await proxy.logs()).split('\n')
  t.match(lines[0], /INFO: \* #1 OPTIONS \/v1\/data\/posts from http:\/\/localhost:5173 answered by the proxy \(not forwarded\)$/)
  t.ok(lines.includes('> access-control-request-method: POST'))
  t.ok(lines.includes('< HTTP/1.1 204 No Content'))
})

t.test('health checks are not numbered: the first forwarded request is #1', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, logLevel: 'debug' })
  for (let i = 0; i < 3; i++) t.equal((await fetch(new URL('/__proxy/health', proxy.url))).status, 200)
  await (await fetch(new URL('/v1/data/posts', proxy.url))).text()
  const lines = (await proxy.logs()).split('\n')
  t.equal(lines.filter(line => /DEBUG: \* GET \/__proxy\/health answered by the proxy/.test(line)).length, 3, 'each health check at debug, without a number')
  t.ok(lines.some(line => /INFO: \* #1 GET \/v1\/data\/posts /.test(line)), 'the forwarded request is #1')
  t.notOk(lines.some(line => /#[2-9] /.test(line)), 'nothing else was numbered')
})

t.test('a refused request to a /__proxy/ path is numbered and logged', async t => {
  const proxy = await startProxy(t)
  t.equal((await rawRequest(proxy.port, 'GET /__proxy/health HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n')).status, 403)
  t.match(await proxy.logs(), /WARN: \* #1 GET \/__proxy\/health /)
})

t.test('LOG_FORMAT=compact: one line per exchange, the curl command under a failure', async t => {
  const api = await startFakeApi(t, {
    handler: (req, res, body) => req.url === '/v1/auth/email/signin'
      ? bkendReply(401, { success: false, error: { code: 'auth/invalid-token-format', message: 'bad token' } })(req, res, body)
      : bkendReply(200, { success: true, data: [] })(req, res, body)
  })
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'compact', apiKey: KEY })
  await preflight(proxy.port, '/v1/data/posts', 'GET', 'authorization')
  await (await fetch(new URL('/v1/data/posts?limit=20&access_token=Q2secretvalue0123456789', proxy.url))).text()
  await (await fetch(new URL('/v1/auth/email/signin', proxy.url), { method: 'POST', body: '{}' })).text()
  const lines = (await proxy.logs()).trimEnd().split('\n')
  t.equal(lines.length, 4, 'three exchanges, and one curl command')
  t.match(lines[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] #1 OPTIONS \/v1\/data\/posts 204 \d+\.\d ms 0 B preflight$/)
  t.match(lines[1], /^\[[\d:.]+\] #2 GET \/v1\/data\/posts\?limit=20&access_token=Q2se••••6789 \(23 chars\) 200 \d+\.\d ms 26 B$/)
  t.match(lines[2], /^\[[\d:.]+\] #3 POST \/v1\/auth\/email\/signin 401 \d+\.\d ms \d+ B auth\/invalid-token-format {2}hint: check BKEND_API_KEY or the app's token for quotes, whitespace or a missing part$/)
  t.match(lines[3], /^curl /)
  t.notMatch(lines.join('\n'), KEY)
})

t.test('LOG_LEVEL=warn on a healthy run: preflights, reads, health checks and a stream the client closes print nothing', async t => {
  const api = await startFakeApi(t, {
    handler: (req, res) => {
      if (req.url !== '/v1/events') return bkendReply(200, { success: true })(req, res, '')
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: hello\n\n')
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url, logLevel: 'warn' })
  await preflight(proxy.port, '/v1/data/posts', 'GET', 'authorization')
  t.equal((await get(proxy.port, '/__proxy/health')).status, 200)
  t.equal((await get(proxy.port, '/v1/data/posts')).status, 200)
  const stream = await get(proxy.port, '/v1/events', { leaveAfterFirstChunk: true })
  t.equal(stream.status, 200)
  t.ok(await waitFor(() => api.abortedResponses === 1, 2000), 'the stream ended')
  t.equal(await proxy.logs(), '')
})

/** A GET on its own connection (no keep-alive pool left behind), from an allowed page. */
function get (port: number, path: string, options: { leaveAfterFirstChunk?: boolean } = {}): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { origin: PAGE } }, response => {
      if (options.leaveAfterFirstChunk === true) {
        response.once('data', () => { request.destroy(); resolve({ status: response.statusCode ?? 0 }) })
        return
      }
      response.resume().on('end', () => resolve({ status: response.statusCode ?? 0 }))
    })
    request.on('error', reject)
  })
}
