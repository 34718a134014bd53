// Methods outside the API (issue 10, item 10): TRACE, PROPFIND, CONNECT and `OPTIONS *`
// get 405 proxy/method-not-allowed with an Allow header, after the Host and Origin checks,
// and never reach the upstream. The missing-prefix 404 names the port the proxy listens on.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { WireClient, errorOf, type WireResponse } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'

const ALLOW = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'

async function send (port: number, bytes: string): Promise<WireResponse | undefined> {
  const client = await WireClient.connect(port)
  client.send(bytes)
  const response = await client.read({ timeoutMs: 2000 })
  client.destroy()
  return response
}

t.test('TRACE, PROPFIND, CONNECT and OPTIONS * get 405 proxy/method-not-allowed with Allow', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const P = proxy.port
  const requests: Array<[string, string]> = [
    ['TRACE /x', `TRACE /x HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`],
    ['TRACE /v1/data/posts', `TRACE /v1/data/posts HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`],
    ['PROPFIND /v1/x', `PROPFIND /v1/x HTTP/1.1\r\nHost: localhost:${P}\r\nDepth: 1\r\n\r\n`],
    ['CONNECT 127.0.0.1:1', `CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n`],
    ['OPTIONS *', `OPTIONS * HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`]
  ]
  for (const [name, bytes] of requests) {
    const res = await send(P, bytes)
    t.same([res?.status, res?.headers.allow, errorOf(res).code], [405, [ALLOW], 'proxy/method-not-allowed'], `${name} → 405 with Allow`)
    t.match(errorOf(res).message ?? '', /^the proxy forwards GET, HEAD, POST, PUT, PATCH and DELETE, and answers OPTIONS \(CORS preflight\) itself; /, `${name}: says which methods are forwarded`)
    t.notMatch(errorOf(res).message ?? '', /Did you mean/, `${name}: no missing-prefix advice`)
  }
  t.equal(api.started, 0, 'none reached the upstream')
  const logs = await proxy.logs()
  for (const name of ['TRACE /x', 'TRACE /v1/data/posts', 'PROPFIND /v1/x', 'CONNECT 127.0.0.1:1', 'OPTIONS *']) {
    t.match(logs, new RegExp(`\\* #\\d+ ${name.replace(/[*.]/g, '\\$&')} answered by the proxy`, 'm'), `${name} is logged`)
  }
  t.equal(logs.match(/405 Method Not Allowed proxy\/method-not-allowed/g)?.length, 5, 'each with its 405')
  // Their copy-as-curl commands send the same request target (curl's --request-target).
  t.match(logs, new RegExp(`^curl -v -X 'OPTIONS' --request-target '\\*' 'http://127\\.0\\.0\\.1:${P}/' -H 'Host: localhost:${P}'$`, 'm'), 'OPTIONS * repeats as curl, against the proxy')
  t.match(logs, new RegExp(`^curl -v -X 'CONNECT' --request-target '127\\.0\\.0\\.1:1' 'http://127\\.0\\.0\\.1:${P}/' -H 'Host: 127\\.0\\.0\\.1:1'$`, 'm'), 'CONNECT repeats as curl, against the proxy')
})

t.test('the Host and Origin checks come before the method check', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const P = proxy.port
  const foreignHost = await send(P, `TRACE /v1/x HTTP/1.1\r\nHost: evil.example\r\n\r\n`)
  t.same([foreignHost?.status, errorOf(foreignHost).code], [403, 'proxy/host-not-allowed'], 'TRACE with a foreign Host → 403')
  const connectForeign = await send(P, `CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n`)
  t.same([connectForeign?.status, errorOf(connectForeign).code], [403, 'proxy/host-not-allowed'], 'CONNECT to a foreign Host → 403')
  const foreignOrigin = await send(P, `PROPFIND /v1/x HTTP/1.1\r\nHost: localhost:${P}\r\nOrigin: https://evil.example\r\n\r\n`)
  t.same([foreignOrigin?.status, errorOf(foreignOrigin).code], [403, 'proxy/origin-not-allowed'], 'PROPFIND from a foreign Origin → 403')
  const allowedOrigin = await send(P, `PROPFIND /v1/x HTTP/1.1\r\nHost: localhost:${P}\r\nOrigin: http://localhost:3000\r\n\r\n`)
  t.same([allowedOrigin?.status, allowedOrigin?.headers['access-control-allow-origin']], [405, ['http://localhost:3000']], 'an allowed page can read the 405')
  t.equal(api.started, 0)
})

t.test('the missing-prefix 404 names the port the proxy listens on, not 8787', async t => {
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:1' })
  const P = proxy.port
  const res = await send(P, `GET /data/posts?limit=1 HTTP/1.1\r\nHost: 127.0.0.1:${P}\r\n\r\n`)
  t.same([res?.status, errorOf(res).code], [404, 'proxy/missing-v1-prefix'])
  t.equal(errorOf(res).message, `/data/posts is not forwarded: bkend API paths start with /v1. Did you mean /v1/data/posts?limit=1? Set your frontend's base URL to http://localhost:${P} and keep /v1 in the request paths.`)
  const root = await send(P, `GET / HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`)
  t.same([root?.status, errorOf(root).code], [404, 'proxy/missing-v1-prefix'], 'the root keeps its own explanation')
})
