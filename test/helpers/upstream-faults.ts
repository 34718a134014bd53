// Raw TCP upstreams that misbehave on purpose (garbage, resets, silence), a closed
// port, and the checks every fault test ends with: the proxy still answers its health route.
import net from 'node:net'
import type { AddressInfo } from 'node:net'

interface Teardown { teardown: (fn: () => unknown) => void }

export type FaultBehaviour =
  /** Answers every request with bytes that are not HTTP, then closes. */
  | 'garbage'
  /** Sends a TCP RST as soon as a request arrives. */
  | 'reset'
  /** Accepts the connection, reads the request, never answers. */
  | 'hang'

export interface FaultyUpstream {
  url: string
  port: number
  /** TCP connections accepted. */
  connections: number
  /** Request lines seen (`GET /path HTTP/1.1`), across all connections. */
  requests: number
  /** Connections the peer closed (or that were reset) so far. */
  closed: number
  close: () => Promise<void>
}

const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r$/gm

export async function startFaultyUpstream (t: Teardown, behaviour: FaultBehaviour): Promise<FaultyUpstream> {
  const sockets = new Set<net.Socket>()
  const upstream = { connections: 0, requests: 0, closed: 0 } as FaultyUpstream
  const server = net.createServer(socket => {
    upstream.connections++
    sockets.add(socket)
    let seen = ''
    let answered = false
    socket.on('error', () => {})
    socket.on('close', () => { upstream.closed++; sockets.delete(socket) })
    socket.on('data', chunk => {
      seen += chunk.toString('latin1')
      upstream.requests = countRequests(upstream.requests, seen)
      seen = seen.slice(seen.lastIndexOf('\r\n') + 2)
      if (answered || behaviour === 'hang') return
      answered = true
      if (behaviour === 'garbage') socket.end('SSH-2.0-OpenSSH_9.6 not http at all\r\n\r\n\x00\x01\x02')
      else socket.resetAndDestroy()
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  upstream.port = (server.address() as AddressInfo).port
  upstream.url = `http://127.0.0.1:${upstream.port}`
  upstream.close = () => new Promise(resolve => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  })
  t.teardown(() => upstream.close())
  return upstream
}

function countRequests (before: number, text: string): number {
  return before + (text.match(REQUEST_LINE)?.length ?? 0)
}

/** A port that was just listening and is now closed, so connecting is refused. */
export async function closedPortUrl (): Promise<string> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>(resolve => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

interface Asserts {
  equal: (found: unknown, wanted: unknown, message: string) => unknown
}

/** Every fault test ends here: the process survived and still serves its health route. */
export async function assertProxyHealthy (t: Asserts, proxyUrl: string): Promise<void> {
  const res = await fetch(new URL('/__proxy/health', proxyUrl))
  const body = await res.json() as { status?: string }
  t.equal(res.status, 200, 'health still answers 200 after the fault')
  t.equal(body.status, 'ok', 'health reports ok')
}

/** Polls until the check passes or the time is up; returns whether it passed. */
export async function waitFor (check: () => boolean, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return true
    await new Promise(resolve => setTimeout(resolve, stepMs))
  }
  return check()
}
