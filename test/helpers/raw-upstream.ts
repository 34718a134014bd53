// The byte level of the fake upstream: a TCP server on 127.0.0.1:0 that either hands
// each socket to the test (startTcpUpstream: stop reading, stall a TLS handshake) or
// parses the requests it receives and lets a handler write any bytes back
// (startRawUpstream), including the standard faults: garbage, a reset, silence.
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { parseRequest, type UpstreamHit } from './request-parser.js'

export type { UpstreamHit } from './request-parser.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface TcpUpstream {
  url: string
  port: number
  connections: number
  /** Sockets the proxy closed or reset so far, with when it happened. */
  closedAt: number[]
  sockets: Set<net.Socket>
  close: () => Promise<void>
}

export interface RawUpstream extends TcpUpstream {
  /** Complete requests received (head and, where framed, the whole body). */
  hits: UpstreamHit[]
}

export type RawHandler = (hit: UpstreamHit, socket: net.Socket) => void

/** A TCP upstream that does what onSocket says with each connection. */
export async function startTcpUpstream (t: Teardown, onSocket: (socket: net.Socket) => void): Promise<TcpUpstream> {
  const upstream = { connections: 0, closedAt: [], sockets: new Set() } as unknown as TcpUpstream
  const server = net.createServer(socket => {
    upstream.connections++
    upstream.sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => { upstream.closedAt.push(Date.now()); upstream.sockets.delete(socket) })
    onSocket(socket)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  upstream.port = (server.address() as AddressInfo).port
  upstream.url = `http://127.0.0.1:${upstream.port}`
  upstream.close = () => new Promise(resolve => {
    for (const socket of upstream.sockets) socket.destroy()
    server.close(() => resolve())
  })
  t.teardown(() => upstream.close())
  return upstream
}

/** A raw upstream; the handler writes whatever bytes it likes for each parsed request. */
export async function startRawUpstream (t: Teardown, handler: RawHandler): Promise<RawUpstream> {
  const hits: UpstreamHit[] = []
  const upstream = await startTcpUpstream(t, socket => {
    let buffer: Buffer = Buffer.alloc(0)
    socket.on('data', chunk => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        const parsed = parseRequest(buffer)
        if (!parsed) return
        buffer = buffer.subarray(parsed.consumed)
        hits.push(parsed.hit)
        handler(parsed.hit, socket)
      }
    })
  })
  return Object.assign(upstream, { hits })
}

/** Upstreams that misbehave on purpose, once a request has arrived. */
export const faults = {
  /** Answers with bytes that are not HTTP, then closes. */
  garbage: ((_hit, socket) => { socket.end('SSH-2.0-OpenSSH_9.6 not http at all\r\n\r\n\x00\x01\x02') }) as RawHandler,
  /** Sends a TCP RST. */
  reset: ((_hit, socket) => { socket.resetAndDestroy() }) as RawHandler,
  /** Reads the request, never answers. */
  hang: (() => {}) as RawHandler
}
