import t from 'tap'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { startProxy } from './helpers/proxy.js'

// FLT-11: an upstream that answers without a Keep-Alive hint and silently closes each
// socket 300 ms after its last response, hit by requests spaced right at that moment.
async function startIdleClosingUpstream (t: { teardown: (fn: () => unknown) => void }, idleCloseMs: number): Promise<{ url: string, requests: () => number }> {
  let requests = 0
  const server = net.createServer(socket => {
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
    socket.on('error', () => {})
    socket.on('close', () => clearTimeout(timer))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests }
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

t.test('a POST on a stale socket is never sent twice', async t => {
  const upstream = await startIdleClosingUpstream(t, 300)
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  let errors = 0
  for (let i = 0; i < 20; i++) {
    const res = await fetch(new URL('/v1/x', proxy.url), { method: 'POST', body: 'x' })
    await res.text()
    if (res.status !== 200) errors++
    await new Promise(resolve => setTimeout(resolve, 298 + (i % 5)))
  }
  // A POST that met a closing socket may fail (502) and may or may not have reached the
  // upstream; what must never happen is a second copy of it.
  t.ok(upstream.requests() <= 20, `the upstream saw ${upstream.requests()} POSTs for 20 sent (${errors} answered 502), never a resend`)
})
