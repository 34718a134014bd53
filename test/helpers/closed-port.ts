// Closed loopback ports: an unreachable upstream, and the check that a stopped proxy let go of its port.
import net from 'node:net'
import type { AddressInfo } from 'node:net'

/** http://127.0.0.1:<port> where connecting is refused. */
export async function closedPortUrl (): Promise<string> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>(resolve => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

/** Whether nothing listens on the port any more (no orphaned process). */
export function connectRefused (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', error => resolve((error as NodeJS.ErrnoException).code === 'ECONNREFUSED'))
  })
}
