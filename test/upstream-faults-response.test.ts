// What the client gets when a connected upstream answers late, badly or not at all:
// header timeouts (FLT-05), resets before headers (FLT-07), bodies cut mid-way (FLT-08),
// invalid responses on a kept-alive client connection (FLT-09), rate limits passed
// through (FLT-10), trickled bodies (FLT-13), and never a hidden retry.
import t from 'tap'
import http from 'node:http'
import { bkendReply, faults, startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { getJson } from './helpers/fetch-body.js'
import { WireClient, errorOf, rawGet } from './helpers/raw-client.js'
import { waitFor } from './helpers/wait.js'
import { startProxy } from './helpers/proxy.js'

const ORIGIN = 'http://localhost:3000'

/**
 * The exchange's summary line, written once the proxy is done with it: any upstream attempt it
 * made has been sent and settled by then, so a count taken after it is final.
 */
async function settledExchangeLine (proxy: { logs: () => Promise<string> }, id = 1): Promise<string> {
  const summary = new RegExp(`^\\* #${id} \\d{3} .*$`, 'm')
  for (let tries = 0; tries < 150; tries++) {
    const line = summary.exec(await proxy.logs())?.[0]
    if (line !== undefined) return line
  }
  throw new Error(`exchange #${id} was never logged`)
}

t.test('FLT-05 no headers in time → 504 with CORS and a ?limit= hint; the upstream socket is closed right after', async t => {
  const upstream = await startRawUpstream(t, () => {})
  const proxy = await startProxy(t, { apiUrl: upstream.url, upstreamTimeoutMs: 1000 })
  const started = Date.now()
  const res = await fetch(new URL('/v1/data/posts', proxy.url), { headers: { origin: ORIGIN } })
  const answeredAt = Date.now()
  const body = await res.json() as { error: { code: string, message: string } }
  t.same([res.status, body.error.code], [504, 'proxy/upstream-timeout'])
  t.ok(answeredAt - started >= 950 && answeredAt - started <= 1500, `504 after ${answeredAt - started} ms`)
  t.match(body.error.message, /\?limit=/)
  t.equal(res.headers.get('access-control-allow-origin'), ORIGIN)
  t.ok(await waitFor(() => upstream.connections > 0 && upstream.sockets.size === 0, 1000), 'every upstream socket was closed')
  const lastClose = Math.max(...upstream.closedAt)
  t.ok(lastClose - answeredAt <= 100, `closed ${lastClose - answeredAt} ms after the 504`)
  t.equal(upstream.hits.length, 1, 'not retried')
})

t.test('FLT-05 a POST whose upstream never answers gets its 504 too', async t => {
  const upstream = await startRawUpstream(t, () => {})
  const proxy = await startProxy(t, { apiUrl: upstream.url, upstreamTimeoutMs: 500 })
  const res = await fetch(new URL('/v1/data/posts', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"x"}', signal: AbortSignal.timeout(3000) })
  const body = await res.json() as { error: { code: string } }
  t.same([res.status, body.error.code], [504, 'proxy/upstream-timeout'])
})

t.test('FLT-07 reset before headers on a fresh connection: a GET gets 502 and is not retried', async t => {
  const upstream = await startRawUpstream(t, (_hit, socket) => socket.resetAndDestroy())
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const res = await fetch(new URL('/v1/x', proxy.url))
  const body = await res.json() as { error: { code: string } }
  t.equal(res.status, 502)
  t.match(body.error.code, /^proxy\/upstream-(reset|bad-response)$/)
  await settledExchangeLine(proxy)
  // Only a stale pooled socket is sent again; this one was fresh.
  t.equal(upstream.hits.length, 1, 'the GET on a fresh connection reached the upstream once, not retried')
})

t.test('FLT-07 reset before headers: a POST gets 502 and is sent exactly once', async t => {
  const upstream = await startRawUpstream(t, (_hit, socket) => socket.resetAndDestroy())
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const res = await fetch(new URL('/v1/x', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":12345}', signal: AbortSignal.timeout(3000) })
  const body = await res.json() as { error: { code: string } }
  t.equal(res.status, 502)
  t.match(body.error.code, /^proxy\/upstream-(reset|bad-response)$/)
  await settledExchangeLine(proxy)
  t.equal(upstream.hits.length, 1, 'the POST reached the upstream once, never replayed')
  t.equal(upstream.hits[0]!.body.toString(), '{"a":12345}')
})

t.test('FLT-08 upstream dies mid-body → the client connection is aborted, never a clean truncated 200', async t => {
  const upstream = await startRawUpstream(t, (hit, socket) => {
    if (hit.url.endsWith('/length')) socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789')
    else if (hit.url.endsWith('/chunked')) socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n')
    else {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n')
      for (let i = 1; i <= 3; i++) socket.write(`9\r\ndata: ${i}\n\n\r\n`)
    }
    setTimeout(() => socket.resetAndDestroy(), 100)
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  for (const path of ['/v1/x/length', '/v1/x/chunked', '/v1/x/sse']) {
    const client = await WireClient.connect(proxy.port)
    client.send(rawGet(proxy.port, path))
    const res = await client.read({ timeoutMs: 3000 })
    t.equal(res?.status, 200, `${path}: status and headers were relayed`)
    t.equal(res?.complete, false, `${path}: the framing is left incomplete`)
    t.ok(client.closed, `${path}: the client connection was closed`)
    const raw = res!.raw.toString('latin1')
    if (path.endsWith('/length')) {
      t.equal(res!.headers['content-length']?.[0], '1000', 'Content-Length kept at 1000')
      t.equal(res!.body.toString(), '0123456789', 'the 10 bytes that came arrived, no more')
    } else {
      t.notMatch(raw, /\r\n0\r\n\r\n$/, `${path}: no terminating chunk`)
      t.notMatch(raw, /success":false/, `${path}: no JSON error after the headers`)
      t.match(res!.body.toString(), path.endsWith('/sse') ? 'data: 3' : '0123456789', `${path}: the bytes that were sent arrived`)
    }
    client.destroy()
  }
  const logs = await proxy.logs()
  t.equal(logs.match(/^\* #\d+ 200 OK in [\d.]+ ms, \d+ bytes$/gm)?.length ?? 0, 0, 'none of the three is logged as a clean 200')
  await assertProxyHealthy(t, proxy.url)
})

t.test('FLT-09 invalid upstream responses → 502 upstream-bad-response; the next request on the same connection is fine', async t => {
  const bad: Record<string, string> = {
    a: 'SSH-2.0-OpenSSH_9.6\r\n\r\n',
    b: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
    c: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\nResponse splitting attach',
    d: 'HTTP/1.1 999 X\r\nContent-Length: 2\r\n\r\nok',
    e: 'HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\nContent-Length: 2\r\n\r\nok',
    f: `HTTP/1.1 200 OK\r\nX-Huge: ${'h'.repeat(80 * 1024)}\r\nContent-Length: 2\r\n\r\nok`
  }
  const upstream = await startRawUpstream(t, (hit, socket) => {
    const mode = hit.url.split('/').at(-1)!
    if (mode === 'ok') socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok')
    else if (mode === 'g') socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n12345')
    else socket.end(bad[mode]!)
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  for (const mode of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
    const client = await WireClient.connect(proxy.port)
    client.send(rawGet(proxy.port, `/v1/bad/${mode}`))
    const res = await client.read()
    if (mode === 'g') {
      t.same([res?.status, res?.body.toString(), res?.complete], [200, '12345', true], '(g) a body that ends at close is valid: 200 with 5 bytes')
    } else {
      t.same([res?.status, errorOf(res).code], [502, 'proxy/upstream-bad-response'], `(${mode}) → 502 upstream-bad-response`)
      t.same(Object.keys(JSON.parse(res!.body.toString()) as object), ['success', 'error'], `(${mode}) in the bkend shape`)
    }
    t.notOk(client.closed, `(${mode}) the client connection stays open`)
    client.send(rawGet(proxy.port, '/v1/ok'))
    const next = await client.read()
    t.same([next?.status, next?.body.toString()], [200, 'ok'], `(${mode}) the next request on the same connection gets ok`)
    t.notMatch(next?.raw.toString('latin1') ?? '', /splitting|hello|SSH|12345/, `(${mode}) no bytes of the bad response leak into it`)
    client.destroy()
  }
  await assertProxyHealthy(t, proxy.url)
})

t.test('FLT-13 a trickled body streams byte by byte past the header timeout', async t => {
  const written: number[] = []
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 12\r\n\r\n')
    let sent = 0
    const tick = setInterval(() => {
      socket.write(String(sent % 10))
      written.push(Date.now())
      if (++sent === 12) { clearInterval(tick); socket.end() }
    }, 250)
    socket.on('close', () => clearInterval(tick))
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url, upstreamTimeoutMs: 1000 })
  const arrived: number[] = []
  const status = await new Promise<number>((resolve, reject) => {
    http.get(new URL('/v1/trickle', proxy.url), res => {
      res.on('data', (chunk: Buffer) => { for (let i = 0; i < chunk.length; i++) arrived.push(Date.now()) })
      res.on('end', () => resolve(res.statusCode!))
      res.on('error', reject)
    }).on('error', reject)
  })
  t.equal(status, 200)
  t.equal(arrived.length, 12, 'all 12 bytes arrived over 3 s, past UPSTREAM_TIMEOUT_MS=1000')
  const lags = arrived.map((at, i) => at - written[i]!)
  t.ok(Math.max(...lags) <= 100, `each byte reached the client within ${Math.max(...lags)} ms of its write`)
})

t.test('FLT-08 the log says the upstream cut the body, not the client', async t => {
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789')
    setTimeout(() => socket.resetAndDestroy(), 100)
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  await fetch(new URL('/v1/x', proxy.url)).then(res => res.text()).catch(() => 'cut')
  const summary = await settledExchangeLine(proxy)
  t.match(summary, /upstream/i, `the summary blames the upstream: ${summary}`)
  t.match(summary, /10\b.*1000|10\/1000/, 'and says how much of the declared length came')
  t.notMatch(summary, /client closed/, 'the client did not close anything')
})

t.test('FLT-10 an upstream 429 with Retry-After is passed through once, Retry-After exposed', async t => {
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '5' })
      res.end('{"success":false,"error":{"code":"rate-limit/exceeded","message":"slow down"}}')
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const res = await fetch(new URL('/v1/data/posts', proxy.url), { headers: { origin: ORIGIN } })
  t.same([res.status, res.headers.get('retry-after')], [429, '5'])
  t.match((res.headers.get('access-control-expose-headers') ?? '').toLowerCase(), 'retry-after')
  t.match(await res.text(), 'rate-limit/exceeded', 'the upstream body is passed through')
  t.match(await settledExchangeLine(proxy), /^\* #1 429 /, 'one exchange in the log')
  t.equal(api.started, 1, 'exactly one upstream request')
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
  await settledExchangeLine(proxy)
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
  await settledExchangeLine(proxy)
  t.equal(api.received.length, 1, 'no hidden retry')
  await assertProxyHealthy(t, proxy.url)
})
