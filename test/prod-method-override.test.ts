// Method overrides are writes too: while prod is active with PROD_READ_ONLY on, a request
// under /v1 or /mcp that carries X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override
// or a _method query parameter naming POST, PUT, PATCH or DELETE (any case) gets
// 403 proxy/prod-read-only naming the override, and nothing goes upstream.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { WireClient, errorOf } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'

const PROD_KEY = 'sk_live_PRDKEY0123456789abcdefghijprd3'

async function send (port: number, method: string, target: string, headers: string[] = []): Promise<{ status: number, code?: string, message?: string }> {
  const client = await WireClient.connect(port)
  try {
    client.send(`${method} ${target} HTTP/1.1\r\nHost: localhost:${port}\r\n${headers.map(line => line + '\r\n').join('')}\r\n`)
    const response = await client.read({ bodyless: method === 'HEAD' })
    return { status: response?.status ?? 0, ...errorOf(response) }
  } finally {
    client.destroy()
  }
}

t.test('with prod read-only, a GET or HEAD that overrides its method to a write is refused, naming the override', async t => {
  const api = await startFakeApi(t)
  const mcp = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, mcpUrl: `${mcp.url}/mcp`, apiKey: PROD_KEY, environment: 'prod' })
  const refused: Array<[string, string, string[], RegExp]> = [
    ['GET', '/v1/data/posts/1', ['X-HTTP-Method-Override: DELETE'], /X-HTTP-Method-Override: DELETE/],
    ['GET', '/v1/data/posts/1', ['X-HTTP-Method: put'], /X-HTTP-Method: put/],
    ['GET', '/v1/data/posts/1', ['x-method-override: Patch'], /X-Method-Override: Patch/],
    ['GET', '/v1/data/posts', ['X-HTTP-Method-Override:  post '], /X-HTTP-Method-Override: post/],
    ['GET', '/v1/data/posts/1?_method=DELETE', [], /_method=DELETE/],
    ['GET', '/v1/data/posts?limit=1&_method=delete', [], /_method=delete/],
    ['GET', '/v1/data/posts?%5Fmethod=%44ELETE', [], /_method=DELETE/],
    ['GET', '/v1/data/posts?_method=GET&_method=PUT', [], /_method=PUT/],
    ['GET', '/%761/data/posts?_method=PATCH', [], /_method=PATCH/],
    ['GET', '/mcp?_method=POST', [], /_method=POST/],
    ['GET', '/mcp', ['X-HTTP-Method-Override: POST'], /X-HTTP-Method-Override: POST/]
  ]
  for (const [method, target, headers, names] of refused) {
    const answer = await send(proxy.port, method, target, headers)
    t.same([answer.status, answer.code], [403, 'proxy/prod-read-only'], `${method} ${target} ${headers.join(' ')}`)
    t.match(answer.message, names, 'the message names the override')
    t.match(answer.message, /PROD_READ_ONLY=false/, 'and the switch')
  }
  t.equal((await send(proxy.port, 'HEAD', '/v1/data/posts/1', ['X-HTTP-Method-Override: DELETE'])).status, 403, 'HEAD too')
  t.equal(api.started + mcp.started, 0, 'zero upstream requests')
})

t.test('overrides that name a read, other parameters, other environments and PROD_READ_ONLY=false go through', async t => {
  const api = await startFakeApi(t)
  const prod = await startProxy(t, { apiUrl: api.url, apiKey: PROD_KEY, environment: 'prod' })
  const passing: Array<[string, string[]]> = [
    ['/v1/data/posts?_method=GET', []],
    ['/v1/data/posts?x_method=DELETE&method=DELETE', []],
    ['/v1/data/posts', ['X-HTTP-Method-Override: GET']],
    ['/v1/data/posts', ['X-HTTP-Method-Override: HEAD']]
  ]
  for (const [target, headers] of passing) t.equal((await send(prod.port, 'GET', target, headers)).status, 200, `${target} ${headers.join(' ')}`)
  const open = await startProxy(t, { apiUrl: api.url, apiKey: PROD_KEY, environment: 'prod', prodReadOnly: false })
  t.equal((await send(open.port, 'GET', '/v1/data/posts?_method=DELETE', ['X-HTTP-Method-Override: DELETE'])).status, 200, 'PROD_READ_ONLY=false')
  const dev = await startProxy(t, { apiUrl: api.url, apiKey: 'sk_test_DEVKEY0123456789abcdefghijdev1', environment: 'dev' })
  t.equal((await send(dev.port, 'GET', '/v1/data/posts?_method=DELETE', ['X-HTTP-Method-Override: DELETE'])).status, 200, 'dev')
  t.equal(api.received.length, passing.length + 2)
  t.equal((await send(prod.port, 'GET', '/data/posts?_method=DELETE')).code, 'proxy/missing-v1-prefix', 'outside the forwarded prefixes nothing is forwarded anyway')
})
