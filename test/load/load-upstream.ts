// A loopback upstream that counts its connections, and the soak's ping answer.
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Teardown } from './helpers.js'

export type UpstreamHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void

export interface LoadUpstream {
  url: string
  port: number
  /** TCP connections accepted since start (across restarts). */
  accepted: number
  /** Requests received since start. */
  requests: number
  /** Sockets open right now. */
  open: () => number
  /** Most sockets open at the same time. */
  maxOpen: number
  /** Destroys every socket and stops listening, as a crashed process would. */
  kill: () => Promise<void>
  /** Listens again on the same port. */
  restart: () => Promise<void>
}

/** A loopback HTTP upstream that counts accepted, open and peak connections. */
export async function startLoadUpstream (t: Teardown, handler: UpstreamHandler, options: { keepAliveTimeoutMs?: number } = {}): Promise<LoadUpstream> {
  const sockets = new Set<Socket>()
  let server: http.Server | undefined
  const upstream = { accepted: 0, requests: 0, maxOpen: 0, open: () => sockets.size } as LoadUpstream
  const listen = async (port: number): Promise<void> => {
    const created = http.createServer((req, res) => { upstream.requests++; handler(req, res) })
    // Long enough that the proxy's pooled sockets are still open when a test looks at them.
    created.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5000
    created.on('connection', (socket: Socket) => {
      upstream.accepted++
      sockets.add(socket)
      upstream.maxOpen = Math.max(upstream.maxOpen, sockets.size)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject)
      created.listen(port, '127.0.0.1', () => { created.off('error', reject); resolve() })
    })
    server = created
  }
  await listen(0)
  upstream.port = (server!.address() as AddressInfo).port
  upstream.url = `http://127.0.0.1:${upstream.port}`
  upstream.kill = async () => {
    const current = server
    server = undefined
    if (!current) return
    const closed = new Promise<void>(resolve => current.close(() => resolve()))
    for (const socket of sockets) socket.destroy()
    await closed
  }
  upstream.restart = () => listen(upstream.port)
  t.teardown(() => upstream.kill())
  return upstream
}

/** The 100-byte JSON answer of the soak upstream, kept alive. */
export const pingReply: UpstreamHandler = (_req, res) => {
  const body = JSON.stringify({ ok: true, pad: 'x'.repeat(80) })
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
