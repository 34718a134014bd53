// Records what reached the proxy's own socket (preflights included) and how the proxy
// answered, so a test can tell "the proxy refused it" from "the browser never sent it".
import type { TestProxy } from '../../helpers/proxy.js'

export interface ProxyHit {
  method: string
  url: string
  origin: string | undefined
  requestHeaders: string | undefined
  status: number
}

export function watchProxyTraffic (proxy: TestProxy): ProxyHit[] {
  const hits: ProxyHit[] = []
  proxy.app.server.on('request', (req, res) => {
    res.on('finish', () => {
      hits.push({
        method: req.method ?? '',
        url: req.url ?? '',
        origin: req.headers.origin,
        requestHeaders: req.headers['access-control-request-headers'],
        status: res.statusCode
      })
    })
  })
  return hits
}
