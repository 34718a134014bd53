// Security cases of the reliability matrix (reliability-cases.md §2.1) that the guard,
// CORS and forwarding tests do not already cover: open-proxy targets, traversal, the
// smuggling and parser matrix, slow clients, a fuzz corpus, the client Authorization
// policy and the listening socket. Every refusal is checked on the upstream's side too.
import t from 'tap'
import net from 'node:net'
import { readFileSync } from 'node:fs'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { rawRequest, WireClient, errorOf } from './helpers/raw-client.js'
import { waitFor } from './helpers/wait.js'
import { fdCount } from './helpers/fd-count.js'
import { startProxy } from './helpers/proxy.js'
import { startCli } from './helpers/cli.js'

const KEY = 'sk_test_CANARY_9f2c7d1e4b6a'

/** Sends the bytes on a fresh socket; reads one response and whether the proxy closed. */
async function exchange (port: number, bytes: string, timeoutMs = 1500): Promise<{ status: number, code?: string, closed: boolean }> {
  const client = await WireClient.connect(port)
  client.send(bytes)
  const response = await client.read({ timeoutMs })
  const closed = await client.waitClosed(500)
  client.destroy()
  return { status: response?.status ?? 0, code: errorOf(response).code, closed }
}

t.test('SEC-08 no open proxy: absolute-form, scheme-relative and CONNECT targets never reach a canary', async t => {
  const api = await startFakeApi(t)
  const canary = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const P = proxy.port
  const C = canary.port

  const absolute = await exchange(P, `GET http://127.0.0.1:${C}/v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`)
  t.ok(absolute.status === 0 || (absolute.status >= 400 && absolute.status < 500), `(a) absolute-form → ${absolute.status}`)
  const schemeRelative = await exchange(P, `GET //127.0.0.1:${C}/v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`)
  t.ok(schemeRelative.status >= 400 && schemeRelative.status < 500, `(b) scheme-relative → ${schemeRelative.status}`)
  const connect = await exchange(P, `CONNECT 127.0.0.1:${C} HTTP/1.1\r\nHost: 127.0.0.1:${C}\r\n\r\n`)
  t.ok(connect.closed, '(c) CONNECT: the connection is closed')
  t.ok(connect.status === 0 || (connect.status >= 400 && connect.status < 500), `(c) CONNECT → ${connect.status || 'closed'}, never a tunnel`)
  // 127.0.0.1 is a loopback Host, so it is answered, but the target stays the configured upstream.
  const foreignPortHost = await exchange(P, `GET /v1/echo HTTP/1.1\r\nHost: 127.0.0.1:${C}\r\n\r\n`)
  t.equal(foreignPortHost.status, 200, '(d) a loopback Host naming the canary port is still sent to the upstream')
  t.same(api.received.map(request => request.url), ['/v1/echo'], '(d) went to the configured upstream')
  t.equal(canary.started, 0, 'the canary was never hit')
  await assertProxyHealthy(t, proxy.url)
})

t.test('SEC-09 path traversal cannot leave the /v1 prefix; malformed escapes never crash', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const paths = ['/v1/../admin', '/v1/%2e%2e/admin', '/v1/%2E%2E%2Fadmin', '/v1/..%2fadmin', '/v1/%252e%252e/admin', '/v1/%E0%A4%A', '/v1/a%00b', '/v1/./../admin', '/v1%2f..%2fadmin']
  for (const path of paths) {
    const before = api.received.length
    const res = await exchange(proxy.port, `GET ${path} HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n\r\n`)
    t.not(res.status, 500, `${path} is not a 500`)
    t.ok(res.status !== 0, `${path} got an answer`)
    const forwarded = api.received.slice(before).map(request => request.url)
    for (const url of forwarded) {
      t.ok(url.startsWith('/v1/'), `${path} reached the upstream only under /v1/ (${url})`)
      // What reaches the upstream is the client's own bytes: never decoded into a dot-segment.
      t.notOk(/(^|\/)\.\.(\/|$)/.test(url), `${path}: no literal .. segment upstream (${url})`)
    }
    if (forwarded.length === 0) t.ok(res.status >= 400 && res.status < 500, `${path} refused with ${res.status}`)
  }
  t.notOk(api.received.some(request => /^\/admin/.test(request.url)), 'nothing outside /v1 reached the upstream')
  await assertProxyHealthy(t, proxy.url)
})

t.test('SEC-09 traversal and malformed-escape refusals answer in the bkend shape', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  for (const path of ['/v1/../admin', '/v1/%2e%2e/admin', '/v1/%E0%A4%A']) {
    const client = await WireClient.connect(proxy.port)
    client.send(`GET ${path} HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n\r\n`)
    const res = await client.read()
    client.destroy()
    t.equal(res?.status, 400, `${path} → 400`)
    t.equal(errorOf(res).code, 'proxy/bad-request', `${path}: error.code proxy/bad-request`)
    t.notMatch(res?.body.toString() ?? '', /FST_|statusCode/, `${path}: no framework error body`)
  }
  t.equal(api.started, 0)
})

t.test('SEC-13 client Authorization and environment policy is explicit', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1', environment: 'dev' })
  const P = proxy.port
  const send = (lines: string[]): Promise<{ status: number, code?: string, closed: boolean }> =>
    exchange(P, `GET /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n${lines.map(line => line + '\r\n').join('')}Connection: close\r\n\r\n`)

  t.equal((await send(['Authorization: Bearer user.jwt.sig'])).status, 200, '(a) forwarded')
  const a = api.received.at(-1)!
  t.same([a.headers.authorization, a.headers['x-project-id'], a.headers['x-environment']], ['Bearer user.jwt.sig', 'p1', 'dev'], "(a) the user's token is kept, project and environment from config")

  const before = api.received.length
  const b = await send(['Authorization: Bearer user.jwt.sig', 'Authorization: Bearer other.jwt.sig'])
  t.same([b.status, b.code], [400, 'proxy/bad-request'], '(b) two Authorization lines → 400')
  t.equal(api.received.length, before, '(b) never forwarded')

  t.equal((await send(['X-Environment: prod'])).status, 200, '(c) forwarded')
  t.equal(api.received.at(-1)!.headers['x-environment'], 'dev', '(c) the configured environment wins')
  t.match(await proxy.logs(), /x-environment/i, '(c) the log reports the conflict')

  t.equal((await send(['Authorization: Bearer'])).status, 200, '(d) an empty Bearer is forwarded per policy')
  const d = api.received.at(-1)!.headers.authorization
  t.notMatch(String(d), /Bearer\s+Bearer/i, `(d) never doubled into "Bearer Bearer" (${d})`)
  t.equal(api.received.filter(request => Array.isArray(request.headers.authorization)).length, 0, 'never two Authorization values upstream')
})

t.test('SEC-14 listens on loopback only by default; HOST=0.0.0.0 warns and still checks Host', async t => {
  const cli = await startCli(t)
  const listening = readFileSync('/proc/net/tcp', 'utf8').split('\n').concat(readFileSync('/proc/net/tcp6', 'utf8').split('\n'))
    .map(line => line.trim().split(/\s+/))
    .filter(fields => fields[3] === '0A' && fields[1]?.endsWith(':' + cli.port.toString(16).toUpperCase().padStart(4, '0')))
    .map(fields => fields[1]!.split(':')[0])
  t.same(listening, ['0100007F'], 'the only listener is 127.0.0.1')
  t.same(await cli.stop(), { code: 0, signal: null })

  const api = await startFakeApi(t)
  const open = await startCli(t, [], { env: { HOST: '0.0.0.0', BKEND_API_URL: api.url } })
  await open.waitForStdout(/WARN: listening on 0\.0\.0\.0/)
  t.match(open.stdout(), /WARN: listening on 0\.0\.0\.0, not loopback.*-p 127\.0\.0\.1:/, 'the banner warns and suggests publishing on 127.0.0.1')
  const lan = await rawRequest(open.port, `GET /v1/echo HTTP/1.1\r\nHost: 192.168.1.10:8787\r\nConnection: close\r\n\r\n`)
  t.equal(lan.status, 403, 'a LAN Host is refused on the 0.0.0.0 listener')
  t.equal(api.started, 0)
  t.same(await open.stop(), { code: 0, signal: null })
})

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
