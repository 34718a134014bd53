// How a replayed exchange learns which one it repeats. Replay sends its request over a
// loopback socket of its own; the proxy sees that socket's port as the request's remote
// port, so nothing is added to the request (no marker header could leak upstream, and
// none can be forged from outside: the port is held by our socket for the whole call).
import type { FastifyRequest } from 'fastify'

interface Pending {
  /** The replay socket's local address, which the proxy sees as the remote one. */
  address: string
  originalId: number
  /** Told the new exchange's id as soon as the log numbers it. */
  onLinked: (id: number) => void
}

export class ReplayLinks {
  private readonly pending = new Map<number, Pending>()

  expect (local: { port: number, address: string }, originalId: number, onLinked: (id: number) => void): () => void {
    const localPort = local.port
    this.pending.set(localPort, { address: local.address, originalId, onLinked })
    return () => { this.pending.delete(localPort) }
  }

  /** The id of the exchange this request replays, if it is a replay. */
  claim (request: FastifyRequest): number | undefined {
    if (this.pending.size === 0) return undefined
    const socket = request.clientSocket as { remotePort?: number, remoteAddress?: string } | null
    if (socket?.remotePort === undefined) return undefined
    const pending = this.pending.get(socket.remotePort)
    if (pending === undefined || pending.address !== socket.remoteAddress) return undefined
    pending.onLinked(request.exchange.id)
    return pending.originalId
  }
}
