// Shutdown cases of the reliability matrix (reliability-cases.md §2.6) through the real
// CLI as a child process: idle keep-alive clients, a request in flight while new work
// is refused, open MCP streams cut at the grace period, `npm start` as the parent
// process, and the upstream pool released at exit.
import t from 'tap'
import net from 'node:net'
import { startCli } from './helpers/cli.js'
import { npmStart } from './helpers/npm-start.js'
import { startFakeApi, type FakeHandler, startRawUpstream } from './helpers/fake-upstream.js'
import { WireClient, errorOf } from './helpers/raw-client.js'
import { waitFor } from './helpers/wait.js'

const ORIGIN = 'http://localhost:3000'

function lastLine (text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? ''
}

function get (port: number, path: string, lines: string[] = []): string {
  return `GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\n${lines.map(line => line + '\r\n').join('')}\r\n`
}

function connectRefused (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', error => resolve((error as NodeJS.ErrnoException).code === 'ECONNREFUSED'))
  })
}

t.test('SHD-01 SIGTERM with an idle keep-alive client: exit 0 within 1 s, the client gets FIN, last line flushed', async t => {
  const cli = await startCli(t)
  const client = await WireClient.connect(cli.port)
  client.send(get(cli.port, '/__proxy/health'))
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
  idle.send(get(cli.port, '/__proxy/health'))
  t.equal((await idle.read())?.status, 200, 'an idle keep-alive connection is open')
  const client = await WireClient.connect(cli.port)
  client.send(get(cli.port, '/v1/slow', [`Origin: ${ORIGIN}`]))
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
  client.send(get(cli.port, '/v1/slow', [`Origin: ${ORIGIN}`]))
  await waitFor(() => api.started === 1, 2000)
  await new Promise(resolve => setTimeout(resolve, 200))
  cli.child.kill('SIGTERM')
  await new Promise(resolve => setTimeout(resolve, 100))
  // Sent behind the in-flight request on the same open connection (the only way a request
  // can still arrive: idle sockets are closed at the signal).
  client.send(get(cli.port, '/v1/after', [`Origin: ${ORIGIN}`]))
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
  for (const client of clients) client.send(get(cli.port, '/mcp', ['Accept: text/event-stream', 'Mcp-Session-Id: s-1']))
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

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // npm runs the script through `sh -c`; a signal sent to npm reaches sh, not the proxy.
  t.test(`SHD-04 ${signal} to \`npm start\` (npm as the parent process) stops the proxy: exit 0, last line flushed, port closed`, async t => {
    const run = npmStart(t)
    const port = await run.port
    const health = await fetch(`http://127.0.0.1:${port}/__proxy/health`)
    t.equal(health.status, 200)
    await health.text()
    const started = Date.now()
    process.kill(run.pid, signal)
    const exit = await Promise.race([run.exited, new Promise<'timeout'>(resolve => setTimeout(() => resolve('timeout'), 7000))])
    const elapsedMs = Date.now() - started
    t.not(exit, 'timeout', 'npm exited')
    if (exit !== 'timeout') {
      t.ok(exit.code === 0 || (signal === 'SIGINT' && exit.code === 130), `exit code ${exit.code} (signal ${exit.signal})`)
    }
    t.ok(elapsedMs < 5000, `within the grace period (${elapsedMs} ms)`)
    t.match(run.output(), /INFO: stopped\s*$/, 'the proxy itself shut down and flushed its last line')
    t.ok(await connectRefused(port), 'nothing listens on the port any more (no orphaned proxy)')
  })
}

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
