// An unreachable upstream on loopback: a port that was just listening and is now closed.
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
