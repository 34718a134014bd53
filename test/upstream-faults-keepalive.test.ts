// Pooled upstream sockets the upstream closes (FLT-11): a stale socket never becomes an
// error for the client, a POST is never sent twice, and a GET is resent at most once.
import t from 'tap'
import { startProxy } from './helpers/proxy.js'
import { startRawUpstream, startTcpUpstream } from './helpers/fake-upstream.js'

// FLT-11: an upstream that answers without a Keep-Alive hint and silently closes each
// socket 300 ms after its last response, hit by requests spaced right at that moment.
async function startIdleClosingUpstream (t: { teardown: (fn: () => unknown) => void }, idleCloseMs: number): Promise<{ url: string, requests: () => number }> {
  let requests = 0
  const upstream = await startTcpUpstream(t, socket => {
    let timer: NodeJS.Timeout | undefined
    let buffered = ''
    socket.on('data', chunk => {
      buffered += chunk.toString('latin1')
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4)
        requests++
        clearTimeout(timer)
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok')
        timer = setTimeout(() => socket.end(), idleCloseMs)
      }
    })
    socket.on('close', () => clearTimeout(timer))
  })
  return { url: upstream.url, requests: () => requests }
}

// The second request on each connection meets the upstream closing it: no byte of an answer.
function startSecondRequestClosingUpstream (t: Parameters<typeof startRawUpstream>[0]): ReturnType<typeof startRawUpstream> {
  const served = new WeakMap<object, number>()
  return startRawUpstream(t, (_hit, socket) => {
    const count = (served.get(socket) ?? 0) + 1
    served.set(socket, count)
    if (count === 2) socket.destroy()
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
  })
}

t.test('a pooled socket the upstream closed never becomes an error for the client', async t => {
  const upstream = await startIdleClosingUpstream(t, 300)
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const statuses: number[] = []
  for (let i = 0; i < 60; i++) {
    const res = await fetch(new URL('/v1/x', proxy.url))
    await res.text()
    statuses.push(res.status)
    await new Promise(resolve => setTimeout(resolve, 298 + (i % 5)))
  }
  t.same(statuses.filter(status => status !== 200), [], '60 sequential requests, 0 errors')
  t.ok(upstream.requests() >= 60 && upstream.requests() <= 120, `upstream requests ${upstream.requests()} (at most one resend each)`)
})

t.test('a POST on a pooled socket the upstream closes without a byte is never sent twice', async t => {
  // The same stale socket as the GET case below, met deterministically: the second request
  // on a connection finds the upstream closing it. A GET is sent again; a POST must not be.
  const upstream = await startSecondRequestClosingUpstream(t)
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  t.equal(await (await fetch(new URL('/v1/first', proxy.url))).text(), 'ok')
  const res = await fetch(new URL('/v1/second', proxy.url), { method: 'POST', body: 'x' })
  const body = await res.json() as { error: { code: string } }
  t.same([res.status, body.error.code], [502, 'proxy/upstream-bad-response'], 'the client is told, since the POST may have been received')
  t.same(upstream.hits.map(hit => `${hit.method} ${hit.url}`), ['GET /v1/first', 'POST /v1/second'], 'the POST reached the upstream once')
  t.equal(upstream.connections, 1, 'no second connection was opened for it')
  t.notMatch(await proxy.logs(), /sent again/)
})

// Issue 10 item 2: the stale-socket rule counts only bytes from before this request was
// written. A fresh connection whose upstream answers part of a response, or 101, and
// closes has carried no earlier exchange: the GET must not be sent again.
for (const [name, answer] of [
  ['a cut-off status head', 'HTTP/1.1 200 OK\r\nContent-Type: appl'],
  ['a 101 to a request that asked for no upgrade', 'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n']
] as const) {
  t.test(`a GET answered with ${name} on a fresh connection is sent once, never again`, async t => {
    const upstream = await startRawUpstream(t, (_hit, socket) => socket.end(answer))
    const proxy = await startProxy(t, { apiUrl: upstream.url })
    const res = await fetch(new URL('/v1/x', proxy.url))
    const body = await res.json() as { error: { code: string } }
    t.same([res.status, body.error.code], [502, 'proxy/upstream-bad-response'])
    await new Promise(resolve => setTimeout(resolve, 200))
    t.equal(upstream.hits.length, 1, 'one client request, one upstream request')
    t.equal(upstream.connections, 1, 'no second connection was opened for it')
    t.notMatch(await proxy.logs(), /sent again/, 'the log does not claim a stale pooled socket')
  })
}

t.test('on a pooled socket, a partial answer to the second GET is not taken for a stale socket', async t => {
  // The first exchange completes and leaves the socket pooled; the second request's own
  // bytes must not make the socket look as if it had been closed while idle.
  const upstream = await startRawUpstream(t, (hit, socket) => {
    if (hit.url.endsWith('/first')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    else socket.end('HTTP/1.1 200 OK\r\nContent-Type: appl')
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  t.equal((await (await fetch(new URL('/v1/first', proxy.url))).text()), 'ok')
  const res = await fetch(new URL('/v1/second', proxy.url))
  t.equal(res.status, 502)
  await res.text()
  await new Promise(resolve => setTimeout(resolve, 200))
  t.same(upstream.hits.map(hit => hit.url), ['/v1/first', '/v1/second'], 'the second GET reached the upstream once')
})

t.test('a GET on a pooled socket the upstream closes without a byte is sent again once, and the log says so', async t => {
  const upstream = await startSecondRequestClosingUpstream(t)
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  t.equal(await (await fetch(new URL('/v1/first', proxy.url))).text(), 'ok')
  const res = await fetch(new URL('/v1/second', proxy.url))
  t.same([res.status, await res.text()], [200, 'ok'], 'the client never sees the stale socket')
  t.same(upstream.hits.map(hit => hit.url), ['/v1/first', '/v1/second', '/v1/second'], 'sent again once, on a fresh connection')
  t.equal(upstream.connections, 2)
  t.match(await proxy.logs(), /sent again once on a fresh connection/)
})
