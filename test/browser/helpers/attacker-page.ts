// A page on its own loopback origin (http://localhost:<port>), as any local dev server or
// malicious page would be: it serves one empty HTML document, and the test runs the
// attacker's script in it with page.evaluate. Its origin is allowed by the default
// CORS_ORIGINS (any localhost port), which is exactly the case the proxy must survive.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

interface Teardown { teardown: (fn: () => unknown) => void }

export async function startAttackerPage (t: Teardown): Promise<{ origin: string }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    res.end('<!doctype html><title>another local page</title><p>nothing to see</p>')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { origin: `http://localhost:${(server.address() as AddressInfo).port}` }
}
