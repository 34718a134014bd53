// Clients that attack the parser or the connection: request smuggling (SEC-15), parser
// strictness (SEC-16), invalid chunked bodies (SEC-17), idle and slow clients (SEC-18)
// and a fuzz corpus (SEC-19). Nothing smuggled reaches the upstream, the process never
// crashes, and sockets are released. (Host, Origin, route and Authorization policy live
// in host-guard, cors, route-guard and forwarding.)
import t from 'tap'
import net from 'node:net'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { WireClient, exchange } from './helpers/raw-client.js'
import { waitFor } from './helpers/wait.js'
import { fdCount } from './helpers/fd-count.js'
import { startProxy } from './helpers/proxy.js'
import { startCli } from './helpers/cli.js'

const KEY = 'sk_test_CANARY_9f2c7d1e4b6a'

t.test('SEC-15 request smuggling: CL/TE conflicts → 400 and closed, nothing smuggled upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const P = proxy.port
  const head = `POST /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n`
  const cases: Array<[string, string]> = [
    ['(a) CL + TE with a hidden request', `${head}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/smuggled HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`],
    ['(b) two differing Content-Length lines', `${head}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`],
    ['(c) Content-Length: 5, 6', `${head}Content-Length: 5, 6\r\n\r\nhello!`],
    ['(d) empty Content-Length', `${head}Content-Length: \r\n\r\nhello`],
    ['(e) Content-Length: +5', `${head}Content-Length: +5\r\n\r\nhello`],
    ['(f) Content-Length: 0x5', `${head}Content-Length: 0x5\r\n\r\nhello`]
  ]
  for (const [name, bytes] of cases) {
    const res = await exchange(P, bytes)
    t.equal(res.status, 400, `${name} → 400`)
    t.ok(res.closed, `${name}: connection closed`)
  }
  await new Promise(resolve => setTimeout(resolve, 100))
  t.equal(api.started, 0, 'no request reached the upstream, /v1/smuggled included')
  await assertProxyHealthy(t, proxy.url)
})

t.test('SEC-16 parser strictness: TE variants, obs-fold, line endings and size limits', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const P = proxy.port
  const post = `POST /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n`
  const body = '5\r\nhello\r\n0\r\n\r\n'
  const malformed: Array<[string, string]> = [
    ['TE: chunked, chunked', `${post}Transfer-Encoding: chunked, chunked\r\n\r\n${body}`],
    ['TE: gzip', `${post}Transfer-Encoding: gzip\r\n\r\nhello`],
    ['TE: identity', `${post}Transfer-Encoding: identity\r\n\r\nhello`],
    ['TE: \\x0bchunked', `${post}Transfer-Encoding: \x0bchunked\r\n\r\n${body}`],
    ['space before the colon', `${post}Transfer-Encoding : chunked\r\n\r\n${body}`],
    ['leading space (obs-fold of TE)', `${post} Transfer-Encoding: chunked\r\n\r\n${body}`],
    ['two TE lines chunked + identity', `${post}Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n${body}`],
    ['obs-fold X-A: a / b', `${post}X-A: a\r\n b\r\nContent-Length: 5\r\n\r\nhello`],
    ['bare LF line endings', `POST /v1/echo HTTP/1.1\nHost: localhost:${P}\nContent-Length: 5\n\nhello`],
    ['bare CR', `POST /v1/echo HTTP/1.1\rHost: localhost:${P}\r\nContent-Length: 5\r\n\r\nhello`],
    ['h2 prior knowledge', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']
  ]
  for (const [name, bytes] of malformed) {
    const res = await exchange(P, bytes)
    t.equal(res.status, 400, `${name} → 400`)
    t.ok(res.closed, `${name}: connection closed`)
  }
  const sized: Array<[string, string, number[]]> = [
    ['a 17 KB header', `GET /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, [431]],
    ['2,100 small headers', `GET /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n${Array.from({ length: 2100 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`, [431]],
    ['a 20 KB URL', `GET /v1/${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`, [414, 431]]
  ]
  for (const [name, bytes, statuses] of sized) {
    const res = await exchange(P, bytes)
    t.ok(statuses.includes(res.status), `${name} → ${res.status} (want ${statuses.join(' or ')})`)
  }
  await new Promise(resolve => setTimeout(resolve, 100))
  t.equal(api.started, 0, 'none of them reached the upstream, not even truncated')
  await assertProxyHealthy(t, proxy.url)
})

// Node accepts a TE list that ends in chunked; the proxy then re-frames the body and the
// gzip transfer-coding is lost, so the upstream gets coded bytes as if they were plain.
t.test('SEC-16 Transfer-Encoding: gzip, chunked is refused with 400/422, never forwarded without its coding', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const res = await exchange(proxy.port, `POST /v1/echo HTTP/1.1\r\nHost: localhost:${proxy.port}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`)
  t.ok(res.status === 400 || res.status === 422, `answered ${res.status}`)
  t.ok(res.closed, 'connection closed')
  t.equal(api.started, 0, 'never reached the upstream')
})

t.test('SEC-17 invalid chunked bodies never reach the upstream as complete', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const P = proxy.port
  const head = `POST /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`
  const cases: Array<[string, string]> = [
    ['(a) size zz', `${head}zz\r\nhello\r\n0\r\n\r\n`],
    ['(b) size overflow', `${head}ffffffffffffffffff\r\nhello\r\n0\r\n\r\n`],
    ['(c) data longer than the size', `${head}3\r\nhello\r\n0\r\n\r\n`],
    ['(d) no CRLF after the data', `${head}5\r\nhello0\r\n\r\n`],
    ['(e) chunk extension with a bare LF', `${head}5;ext=a\nb\r\nhello\r\n0\r\n\r\n`]
  ]
  for (const [name, bytes] of cases) {
    const res = await exchange(P, bytes)
    t.equal(res.status, 400, `${name} → 400`)
    t.ok(res.closed, `${name}: connection closed`)
  }
  // (f) The client leaves before the last chunk: the upstream must see an aborted request.
  const client = await WireClient.connect(P)
  client.send(`${head}5\r\nhello\r\n`)
  await waitFor(() => api.started === 1, 2000)
  client.destroy()
  await new Promise(resolve => setTimeout(resolve, 500))
  t.equal(api.received.length, 0, 'no complete request reached the upstream, (f) included')
  await assertProxyHealthy(t, proxy.url)
})

t.test('SEC-18 idle and slow clients do not stall other clients', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const P = proxy.port
  const idle: net.Socket[] = []
  for (let i = 0; i < 200; i++) {
    const socket = net.connect(P, '127.0.0.1')
    socket.on('error', () => {})
    idle.push(socket)
  }
  t.teardown(() => { for (const socket of idle) socket.destroy() })
  // (a) headers one byte at a time; (b) a body one byte at a time.
  const slowHead = net.connect(P, '127.0.0.1')
  slowHead.on('error', () => {})
  slowHead.write(`GET /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n`)
  const slowBody = net.connect(P, '127.0.0.1')
  slowBody.on('error', () => {})
  slowBody.write(`POST /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\nContent-Length: 1000\r\n\r\nx`)
  const drip = setInterval(() => { slowHead.write('X'); slowBody.write('x') }, 100)
  t.teardown(() => { clearInterval(drip); slowHead.destroy(); slowBody.destroy() })
  const timings: number[] = []
  for (let i = 0; i < 50; i++) {
    const started = performance.now()
    const res = await fetch(new URL('/v1/echo', proxy.url))
    await res.text()
    t.equal(res.status, 200)
    timings.push(performance.now() - started)
  }
  timings.sort((x, y) => x - y)
  const p99 = timings[Math.floor(timings.length * 0.99) - 1]!
  t.ok(p99 < 100, `a normal client's p99 is ${p99.toFixed(1)} ms with 200 idle and 2 dripping connections open`)
})

// A deterministic generator, so a failing corpus can be replayed.
function prng (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

t.test('SEC-19 a fuzz corpus never crashes the process or leaks sockets', async t => {
  let mode = 0
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    switch (mode++ % 5) {
      case 0: socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'); break
      case 1: socket.resetAndDestroy(); break
      case 2: socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'); break
      case 3: socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshort'); socket.resetAndDestroy(); break
      default: socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!')
    }
  })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: upstream.url, BKEND_API_KEY: KEY, UPSTREAM_TIMEOUT_MS: '1000', LOG_LEVEL: 'error' } })
  const pid = cli.child.pid!
  const P = cli.port
  const seeds = [
    `GET /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`,
    `POST /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/smuggled HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`,
    `POST /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    `OPTIONS /v1/data/posts HTTP/1.1\r\nHost: localhost:${P}\r\nOrigin: http://localhost:3000\r\nAccess-Control-Request-Method: DELETE\r\n\r\n`,
    `GET /v1/a%0d%0a%3c%20HTTP/1.1%20200%20OK HTTP/1.1\r\nHost: localhost:${P}\r\nUser-Agent: x\x1b[2Jy\r\n\r\n`,
    `GET http://127.0.0.1:1/v1/echo HTTP/1.1\r\nHost: [\r\nOrigin: null\r\n\r\n`,
    `GET /mcp HTTP/1.1\r\nHost: localhost:${P}\r\nMcp-Session-Id: s-1\r\nLast-Event-ID: 3\r\nAccept: text/event-stream\r\n\r\n`,
    `PUT /v1/x?api_key=Q1 HTTP/1.1\r\nHost: localhost:${P}\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: authorization, keep-alive\r\nKeep-Alive: timeout=5\r\nUpgrade: h2c\r\n\r\nabc`,
    `GET /v1/%E0%A4%A HTTP/1.1\r\nHost: localhost:${P}\r\nSec-Fetch-Site: cross-site\r\n\r\n`,
    `CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n`
  ]
  const random = prng(0x5ec19)
  const corpus: Buffer[] = seeds.map(seed => Buffer.from(seed, 'latin1'))
  while (corpus.length < 400) {
    const bytes = Buffer.from(corpus[Math.floor(random() * seeds.length)]!)
    const flips = 1 + Math.floor(random() * 4)
    for (let i = 0; i < flips; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
    corpus.push(random() < 0.3 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes)
  }
  // Baseline after one warm-up request, so lazily opened descriptors are counted.
  await (await fetch(new URL('/__proxy/health', cli.url))).text()
  const baseline = await fdCount(pid)
  const send = (bytes: Buffer): Promise<void> => new Promise(resolve => {
    const socket = net.connect(P, '127.0.0.1', () => socket.end(bytes))
    const timer = setTimeout(() => socket.destroy(), 1500)
    socket.on('error', () => {})
    socket.on('data', () => {})
    socket.on('close', () => { clearTimeout(timer); resolve() })
  })
  for (let i = 0; i < corpus.length; i += 20) await Promise.all(corpus.slice(i, i + 20).map(send))
  t.equal(cli.child.exitCode, null, `the same process (pid ${pid}) is still running after ${corpus.length} inputs`)
  const health = await fetch(new URL('/__proxy/health', cli.url))
  t.equal(health.status, 200)
  await health.text()
  t.ok(await waitFor(() => upstream.sockets.size === 0, 6000, 50), 'the upstream sockets were released')
  let fds = await fdCount(pid)
  const deadline = Date.now() + 5000
  while (Math.abs(fds - baseline) > 8 && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 200))
    fds = await fdCount(pid)
  }
  t.ok(Math.abs(fds - baseline) <= 8, `fd count ${fds} is back to the baseline ${baseline} ±8`)
  t.notMatch(cli.stderr(), /uncaughtException|unhandledRejection|TypeError|RangeError/, 'nothing uncaught in stderr')
  t.same(await cli.stop(), { code: 0, signal: null })
})
