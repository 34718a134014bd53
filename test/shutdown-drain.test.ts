// What happens to open work when the real CLI stops: an idle keep-alive client gets FIN
// (SHD-01), a request in flight finishes while new work is refused (SHD-02), streams that
// never end are cut when SHUTDOWN_GRACE_MS runs out and logged as cut by the proxy
// (SHD-03), and the upstream pool is released at exit (SHD-05).
import t from 'tap'
import { lastLine, startCli } from './helpers/cli.js'
import { connectRefused, endlessStream, startFakeApi, startRawUpstream, type FakeHandler } from './helpers/fake-upstream.js'
import { WireClient, errorOf, rawGet } from './helpers/raw-client.js'
import { drain } from './helpers/stream-drain.js'
import { waitFor } from './helpers/wait.js'

const ORIGIN = 'http://localhost:3000'

t.test('SHD-01 SIGTERM with an idle keep-alive client: exit 0 within 1 s, the client gets FIN, last line flushed', async t => {
  const cli = await startCli(t)
  const client = await WireClient.connect(cli.port)
  client.send(rawGet(cli.port, '/__proxy/health'))
  t.equal((await client.read())?.status, 200)
  t.notOk(client.closed, 'the client connection is idle and open')
  const started = Date.now()
  const exit = await cli.stop('SIGTERM')
  const elapsedMs = Date.now() - started
  t.same(exit, { code: 0, signal: null })
  t.ok(elapsedMs < 1000, `exited in ${elapsedMs} ms`)
  t.ok(await client.waitClosed(500), 'the idle socket was closed by the proxy')
  t.match(lastLine(cli.stdout()), /INFO: stopped$/)
  client.destroy()
})

const slow: FakeHandler = (req, res) => {
  const delayMs = req.url === '/v1/slow' ? 1500 : 0
  setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ url: req.url })) }, delayMs)
}

t.test('SHD-02 SIGTERM with a request in flight: it finishes with 200, new connections are refused, an idle keep-alive socket is closed cleanly', async t => {
  const api = await startFakeApi(t, { handler: slow })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url } })
  const idle = await WireClient.connect(cli.port)
  idle.send(rawGet(cli.port, '/__proxy/health'))
  t.equal((await idle.read())?.status, 200, 'an idle keep-alive connection is open')
  const client = await WireClient.connect(cli.port)
  client.send(rawGet(cli.port, '/v1/slow', [`Origin: ${ORIGIN}`]))
  await waitFor(() => api.started === 1, 2000)
  await new Promise(resolve => setTimeout(resolve, 200))
  const signalledAt = Date.now()
  cli.child.kill('SIGTERM')
  await new Promise(resolve => setTimeout(resolve, 100))
  t.ok(await connectRefused(cli.port), '(a) a new TCP connection is refused')
  t.ok(await idle.waitClosed(500), 'the idle keep-alive socket got FIN (a browser retries on a fresh connection and is refused)')
  t.equal(await idle.read({ timeoutMs: 50 }), undefined, 'and no half response was written to it')
  const inFlight = await client.read({ timeoutMs: 4000 })
  t.same([inFlight?.status, inFlight?.body.toString()], [200, '{"url":"/v1/slow"}'], 'the in-flight request completes with 200')
  // The connection is closed right after the response (not announced in it), so a request
  // already queued on it still gets its 503 (SHD-02 b).
  t.ok(await client.waitClosed(1000), 'and its connection is closed right after')
  const exit = await cli.exited
  const elapsedMs = Date.now() - signalledAt
  t.same(exit, { code: 0, signal: null })
  t.ok(elapsedMs < 2500, `exited ${elapsedMs} ms after the signal, right after the in-flight request`)
  t.equal(api.abortedResponses, 0, 'the in-flight upstream response was not cut')
  client.destroy()
  idle.destroy()
})

t.test('SHD-02 (b) a request arriving on an already-open keep-alive connection gets 503 shutting-down with Connection: close and CORS', async t => {
  const api = await startFakeApi(t, { handler: slow })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url } })
  const client = await WireClient.connect(cli.port)
  client.send(rawGet(cli.port, '/v1/slow', [`Origin: ${ORIGIN}`]))
  await waitFor(() => api.started === 1, 2000)
  await new Promise(resolve => setTimeout(resolve, 200))
  cli.child.kill('SIGTERM')
  await new Promise(resolve => setTimeout(resolve, 100))
  // Sent behind the in-flight request on the same open connection (the only way a request
  // can still arrive: idle sockets are closed at the signal).
  client.send(rawGet(cli.port, '/v1/after', [`Origin: ${ORIGIN}`]))
  const inFlight = await client.read({ timeoutMs: 4000 })
  t.equal(inFlight?.status, 200, 'the in-flight request completes')
  const refused = await client.read({ timeoutMs: 2000 })
  t.same([refused?.status, errorOf(refused).code], [503, 'proxy/shutting-down'], '(b) 503 proxy/shutting-down')
  t.match(refused?.headers.connection?.join() ?? '', /close/i, '(b) with Connection: close')
  t.same([refused?.headers['access-control-allow-origin'], refused?.headers['access-control-allow-credentials']], [[ORIGIN], ['true']], '(b) with CORS headers')
  t.same(api.received.map(request => request.url), ['/v1/slow'], 'the refused request never reached the upstream')
  client.destroy()
})

t.test('SHD-03 SIGTERM with three open MCP streams: cut at the grace period, upstream streams closed, exit 0', async t => {
  const mcp = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: open\n\n')
      const tick = setInterval(() => res.write('data: tick\n\n'), 200)
      res.on('close', () => clearInterval(tick))
    }
  })
  const cli = await startCli(t, [], { env: { BKEND_MCP_URL: `${mcp.url}/mcp`, SHUTDOWN_GRACE_MS: '1500' } })
  const clients = await Promise.all([1, 2, 3].map(() => WireClient.connect(cli.port)))
  for (const client of clients) client.send(rawGet(cli.port, '/mcp', ['Accept: text/event-stream', 'Mcp-Session-Id: s-1']))
  t.ok(await waitFor(() => mcp.started === 3, 3000), 'three streams are open')
  await new Promise(resolve => setTimeout(resolve, 200))
  const signalledAt = Date.now()
  cli.child.kill('SIGTERM')
  const ended = await Promise.all(clients.map(client => client.waitClosed(3000).then(() => client.closedAt! - signalledAt)))
  t.ok(Math.max(...ended) <= 1500 + 300, `the streams ended ${ended.join(', ')} ms after SIGTERM (grace 1500 ms)`)
  t.ok(Math.min(...ended) >= 1400, 'not before the grace period')
  const exit = await cli.exited
  const exitMs = Date.now() - signalledAt
  t.same(exit, { code: 0, signal: null })
  t.ok(exitMs <= 1500 + 500, `exit 0 after ${exitMs} ms`)
  t.ok(await waitFor(() => mcp.abortedResponses === 3, 1000), 'the three upstream streams were closed')
  t.match(cli.stdout(), /grace period of 1500 ms is over/)
  for (const client of clients) client.destroy()
})

t.test('SHD-03 the default grace period stays under Docker\'s 10 s stop timeout', async t => {
  const cli = await startCli(t)
  const exit = cli.stop('SIGTERM')
  await cli.waitForStdout(/open requests get (\d+) ms to finish/)
  const graceMs = Number(/open requests get (\d+) ms to finish/.exec(cli.stdout())![1])
  t.ok(graceMs > 0 && graceMs <= 8000, `default SHUTDOWN_GRACE_MS is ${graceMs} ms`)
  t.same(await exit, { code: 0, signal: null })
})

t.test('SHD-05 the upstream pool is released at exit: idle upstream sockets closed, exit within 1 s', async t => {
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok')
  })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: upstream.url, LOG_LEVEL: 'warn' } })
  const responses = await Promise.all(Array.from({ length: 24 }, () => fetch(new URL('/v1/x', cli.url)).then(res => res.text())))
  t.equal(responses.filter(text => text === 'ok').length, 24)
  t.ok(upstream.sockets.size > 1, `${upstream.sockets.size} idle pooled upstream sockets are open`)
  const started = Date.now()
  const exit = await cli.stop('SIGTERM')
  const elapsedMs = Date.now() - started
  t.same(exit, { code: 0, signal: null })
  t.ok(elapsedMs < 1000, `exited in ${elapsedMs} ms, not held by keep-alive timers`)
  t.ok(await waitFor(() => upstream.sockets.size === 0, 500), 'every pooled upstream socket was closed')
})

t.test('SHUTDOWN_GRACE_MS=300 cuts a stream that never ends and exits 0 within ~2 s', async t => {
  const api = await startFakeApi(t, { handler: endlessStream })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, SHUTDOWN_GRACE_MS: '300' } })
  const res = await fetch(new URL('/v1/events', cli.url))
  t.equal(res.status, 200)
  const drained = drain(res.body!)
  await waitFor(() => api.started === 1)
  const started = Date.now()
  cli.child.kill('SIGTERM')
  const exit = await cli.exited
  const elapsedMs = Date.now() - started
  t.same(exit, { code: 0, signal: null })
  t.ok(elapsedMs >= 250 && elapsedMs < 2000, `exited ${elapsedMs} ms after SIGTERM (grace 300 ms)`)
  t.equal(await drained, 'cut', 'the client sees the stream cut, not a clean end')
  await waitFor(() => api.abortedResponses === 1)
  t.equal(api.abortedResponses, 1, 'the upstream stream was closed too')
  t.match(cli.stdout(), /WARN: grace period of 300 ms is over: closing the connections still open$/m)
  t.match(cli.stdout(), /\* #1 200 OK, stream cut by the proxy shutdown after [\d.]+ m?s: (\d+ events?, )?9 bytes$/m,
    'the log says the proxy cut the stream, not the upstream')
  t.notMatch(cli.stdout(), /upstream closed the connection|client closed the connection/)
})

t.test('the JSON log records cutBy "proxy" for a stream and for a request still unanswered when the grace period ends', async t => {
  const api = await startFakeApi(t, { handler: (req, res) => { if (req.url === '/v1/events') endlessStream(req, res, '') } })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, SHUTDOWN_GRACE_MS: '300', LOG_FORMAT: 'json' } })
  const res = await fetch(new URL('/v1/events', cli.url))
  const drained = drain(res.body!)
  const unanswered = fetch(new URL('/v1/never', cli.url)).then(() => 'answered', () => 'cut')
  await waitFor(() => api.started === 2)
  cli.child.kill('SIGTERM')
  t.same(await cli.exited, { code: 0, signal: null })
  t.same([await drained, await unanswered], ['cut', 'cut'])
  const exchanges = cli.stdout().trim().split('\n').map(line => JSON.parse(line) as { exchange?: { url: string, cutBy?: string, completed: boolean, response: { status: number } }, msg: string })
    // A stream also has its opening line; the closing one says who ended it.
    .filter(entry => entry.exchange !== undefined && !entry.msg.includes('stream open'))
    .map(entry => [entry.exchange!.url, entry.exchange!.cutBy, entry.exchange!.response.status, entry.msg.replace(/in [\d.]+ ms/, 'in N ms').replace(/after [\d.]+ m?s:/, 'after N:')])
    .sort()
  t.same(exchanges, [
    ['/v1/events', 'proxy', 200, '* #1 200 OK, stream cut by the proxy shutdown after N: 1 event, 9 bytes'],
    ['/v1/never', 'proxy', 503, '* #2 503 Service Unavailable, the proxy cut the response at shutdown after 0 bytes in N ms (SHUTDOWN_GRACE_MS elapsed)']
  ])
})
