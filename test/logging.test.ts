import t from 'tap'
import { startFakeApi } from './helpers/fake-api.js'
import { startProxy } from './helpers/proxy.js'

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
