// Which paths and methods the proxy forwards: never an open proxy (SEC-08), no way out of
// the /v1 prefix (SEC-09), a 404 naming the likely path outside /v1 and /mcp, and 405 with
// Allow for TRACE, PROPFIND, CONNECT and `OPTIONS *` (issue 10, item 10), after the Host and
// Origin checks. Nothing refused reaches the upstream.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { getJson } from './helpers/fetch-body.js'
import { WireClient, errorOf, exchange, type WireResponse } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'

const KEY = 'sk_test_CANARY_9f2c7d1e4b6a'
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

t.test('answers 404 missing-v1-prefix for a path outside /v1 and /mcp, naming the likely path', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, mcpUrl: `${api.url}/mcp` })
  const posts = await getJson(new URL('/data/posts', proxy.url))
  t.equal(posts.status, 404)
  t.same([posts.body.success, posts.body.error.code], [false, 'proxy/missing-v1-prefix'])
  t.match(posts.body.error.message, '/v1/data/posts')
  const root = await getJson(new URL('/', proxy.url))
  t.equal(root.status, 404)
  t.same([root.body.success, root.body.error.code], [false, 'proxy/missing-v1-prefix'])
  t.equal(api.started, 0, 'nothing was forwarded')
  await assertProxyHealthy(t, proxy.url)
})

t.test('SEC-08 no open proxy: absolute-form, scheme-relative and CONNECT targets never reach a canary', async t => {
  const api = await startFakeApi(t)
  const canary = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const P = proxy.port
  const C = canary.port

  const absolute = await exchange(P, `GET http://127.0.0.1:${C}/v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`)
  t.ok(absolute.status === 0 || (absolute.status >= 400 && absolute.status < 500), `(a) absolute-form → ${absolute.status}`)
  const schemeRelative = await exchange(P, `GET //127.0.0.1:${C}/v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`)
  t.ok(schemeRelative.status >= 400 && schemeRelative.status < 500, `(b) scheme-relative → ${schemeRelative.status}`)
  const connect = await exchange(P, `CONNECT 127.0.0.1:${C} HTTP/1.1\r\nHost: 127.0.0.1:${C}\r\n\r\n`)
  t.ok(connect.closed, '(c) CONNECT: the connection is closed')
  t.ok(connect.status === 0 || (connect.status >= 400 && connect.status < 500), `(c) CONNECT → ${connect.status || 'closed'}, never a tunnel`)
  // 127.0.0.1 is a loopback Host, so it is answered, but the target stays the configured upstream.
  const foreignPortHost = await exchange(P, `GET /v1/echo HTTP/1.1\r\nHost: 127.0.0.1:${C}\r\n\r\n`)
  t.equal(foreignPortHost.status, 200, '(d) a loopback Host naming the canary port is still sent to the upstream')
  t.same(api.received.map(request => request.url), ['/v1/echo'], '(d) went to the configured upstream')
  t.equal(canary.started, 0, 'the canary was never hit')
  await assertProxyHealthy(t, proxy.url)
})

t.test('SEC-09 path traversal cannot leave the /v1 prefix; malformed escapes never crash', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const paths = ['/v1/../admin', '/v1/%2e%2e/admin', '/v1/%2E%2E%2Fadmin', '/v1/..%2fadmin', '/v1/%252e%252e/admin', '/v1/%E0%A4%A', '/v1/a%00b', '/v1/./../admin', '/v1%2f..%2fadmin']
  for (const path of paths) {
    const before = api.received.length
    const res = await exchange(proxy.port, `GET ${path} HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n\r\n`)
    t.not(res.status, 500, `${path} is not a 500`)
    t.ok(res.status !== 0, `${path} got an answer`)
    const forwarded = api.received.slice(before).map(request => request.url)
    for (const url of forwarded) {
      t.ok(url.startsWith('/v1/'), `${path} reached the upstream only under /v1/ (${url})`)
      // What reaches the upstream is the client's own bytes: never decoded into a dot-segment.
      t.notOk(/(^|\/)\.\.(\/|$)/.test(url), `${path}: no literal .. segment upstream (${url})`)
    }
    if (forwarded.length === 0) t.ok(res.status >= 400 && res.status < 500, `${path} refused with ${res.status}`)
  }
  t.notOk(api.received.some(request => /^\/admin/.test(request.url)), 'nothing outside /v1 reached the upstream')
  await assertProxyHealthy(t, proxy.url)
})

t.test('SEC-09 traversal and malformed-escape refusals answer in the bkend shape', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const expected: Array<[string, string]> = [['/v1/../admin', 'proxy/non-canonical-path'], ['/v1/%2e%2e/admin', 'proxy/non-canonical-path'], ['/v1/%E0%A4%A', 'proxy/bad-request']]
  for (const [path, code] of expected) {
    const client = await WireClient.connect(proxy.port)
    client.send(`GET ${path} HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n\r\n`)
    const res = await client.read()
    client.destroy()
    t.equal(res?.status, 400, `${path} → 400`)
    t.equal(errorOf(res).code, code, `${path}: error.code ${code}`)
    t.notMatch(res?.body.toString() ?? '', /FST_|statusCode/, `${path}: no framework error body`)
  }
  t.equal(api.started, 0)
})
