// Serves the static test page from its own origin: a server on 127.0.0.1:0 named by
// the host the test picks (localhost or 127.0.0.1), so its origin differs from the proxy's.
import http from 'node:http'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'

const PAGE_HTML = readFileSync(new URL('../page/index.html', import.meta.url), 'utf8')

export interface PageServer {
  /** e.g. http://localhost:41234, exactly what the browser sends as Origin. */
  origin: string
  close: () => Promise<void>
}

interface Teardown { teardown: (fn: () => unknown) => void }

export async function startPageServer (t: Teardown, hostName: 'localhost' | '127.0.0.1'): Promise<PageServer> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(PAGE_HTML)
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const close = (): Promise<void> => new Promise(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  t.teardown(close)
  return { origin: `http://${hostName}:${port}`, close }
}
