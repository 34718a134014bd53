// What the upstream receives and what comes back: injected key, project and environment
// headers, the client's own Authorization (SEC-13), hop-by-hop and forwarding headers
// dropped both ways (HTTP-01, HTTP-02), path and query byte for byte (HTTP-04), MCP and
// base-path routing, multi-valued response headers (HTTP-07), redirects never followed.
import t from 'tap'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { WireClient, exchange, rawGet, rawRequest } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'
import { waitFor } from './helpers/wait.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'
const ORIGIN = 'http://localhost:3000'

t.test('adds the key, project and environment headers', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1', environment: 'staging' })
  const res = await fetch(new URL('/v1/data/posts', proxy.url))
  t.equal(res.status, 200)
  t.equal(api.received.length, 1)
  const headers = api.received[0]!.headers
  t.same([headers.authorization, headers['x-project-id'], headers['x-environment']], [`Bearer ${KEY}`, 'p1', 'staging'])
})

t.test("keeps a signed-in user's Authorization and reports a conflicting environment in the log", async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, environment: 'dev' })
  await (await fetch(new URL('/v1/me', proxy.url), { headers: { authorization: 'Bearer user.jwt.sig', 'x-environment': 'prod' } })).text()
  t.same([api.received[0]!.headers.authorization, api.received[0]!.headers['x-environment']], ['Bearer user.jwt.sig', 'dev'])
  t.match(await proxy.logs(), /\* #1 note: client sent x-environment: prod; replaced with the configured dev/)
})

t.test('forwards as a server-side call: upstream Host, no Origin, no client forwarding headers', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  await (await fetch(new URL('/v1/x', proxy.url), { headers: { origin: 'http://localhost:3000', 'x-forwarded-for': '6.6.6.6', forwarded: 'for=6.6.6.6' } })).text()
  const headers = api.received[0]!.headers
  t.equal(headers.host, `127.0.0.1:${api.port}`)
  t.same([headers.origin, headers['x-forwarded-for'], headers.forwarded], [undefined, undefined, undefined])
})

t.test('every client X-Forwarded-* and Proxy-* header is removed, and Proxy itself (httpoxy)', async t => {
  const upstream = await startRawUpstream(t, (_hit, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const client = await WireClient.connect(proxy.port)
  t.teardown(() => client.destroy())
  const spoofed = [
    'X-Forwarded-Server: evil', 'X-Forwarded-Prefix: /admin', 'X-Forwarded-Uri: /admin', 'X-Forwarded-Scheme: https',
    'X-Forwarded-Ssl: on', 'X-Forwarded-For: 6.6.6.6', 'Proxy: http://evil.example:8080', 'Proxy-Foo: bar'
  ]
  client.send(`GET /v1/x HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n${spoofed.map(line => line + '\r\n').join('')}X-Kept: yes\r\n\r\n`)
  t.equal((await client.read())?.status, 200)
  const names = Object.keys(upstream.hits[0]!.headers)
  t.same(names.filter(name => name.startsWith('x-forwarded-') || name.startsWith('proxy')), [], `none reached the upstream (it saw: ${names.join(', ')})`)
  t.same(upstream.hits[0]!.headers['x-kept'], ['yes'], 'other headers still pass')
})

t.test('every method is forwarded with its body; OPTIONS is never forwarded', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const res = await fetch(new URL('/v1/data/posts/1', proxy.url), { method, headers: { 'content-type': 'application/json' }, body: `{"m":"${method}"}` })
    t.equal(res.status, 200, method)
    await res.text()
  }
  const head = await fetch(new URL('/v1/data/posts/1', proxy.url), { method: 'HEAD' })
  t.equal(head.status, 200)
  const options = await fetch(new URL('/v1/data/posts/1', proxy.url), { method: 'OPTIONS' })
  await options.text()
  t.same(api.received.map(r => `${r.method} ${r.body}`), ['POST {"m":"POST"}', 'PUT {"m":"PUT"}', 'PATCH {"m":"PATCH"}', 'DELETE {"m":"DELETE"}', 'HEAD '])
})

t.test('redirects are passed to the client, never followed with the key', async t => {
  const canary = await startFakeApi(t)
  const api = await startFakeApi(t, { handler: (_req, res) => { res.writeHead(302, { location: `${canary.url}/steal` }); res.end() } })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const res = await fetch(new URL('/v1/redir', proxy.url), { redirect: 'manual' })
  t.equal(res.status, 302)
  t.equal(res.headers.get('location'), `${canary.url}/steal`)
  t.equal(canary.received.length, 0)
})

t.test('several Set-Cookie headers reach the client intact', async t => {
  const api = await startFakeApi(t, { handler: (_req, res) => { res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly']); res.end('ok') } })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const res = await fetch(new URL('/v1/login', proxy.url))
  t.same(res.headers.getSetCookie(), ['a=1; Path=/', 'b=2; HttpOnly'])
})

t.test('the client cannot strip injected headers by naming them in Connection', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1' })
  const { rawRequest } = await import('./helpers/raw-client.js')
  const res = await rawRequest(proxy.port, `GET /v1/echo HTTP/1.1\r\nHost: localhost:${proxy.port}\r\nConnection: authorization, x-project-id, x-environment\r\n\r\n`)
  t.equal(res.status, 200)
  const headers = api.received[0]!.headers
  t.same([headers.authorization, headers['x-project-id'], headers['x-environment']], [`Bearer ${KEY}`, 'p1', 'dev'])
})

t.test('SEC-13 client Authorization and environment policy is explicit', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1', environment: 'dev' })
  const P = proxy.port
  const send = (lines: string[]): Promise<{ status: number, code?: string, closed: boolean }> =>
    exchange(P, `GET /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\n${lines.map(line => line + '\r\n').join('')}Connection: close\r\n\r\n`)

  t.equal((await send(['Authorization: Bearer user.jwt.sig'])).status, 200, '(a) forwarded')
  const a = api.received.at(-1)!
  t.same([a.headers.authorization, a.headers['x-project-id'], a.headers['x-environment']], ['Bearer user.jwt.sig', 'p1', 'dev'], "(a) the user's token is kept, project and environment from config")

  const before = api.received.length
  const b = await send(['Authorization: Bearer user.jwt.sig', 'Authorization: Bearer other.jwt.sig'])
  t.same([b.status, b.code], [400, 'proxy/bad-request'], '(b) two Authorization lines → 400')
  t.equal(api.received.length, before, '(b) never forwarded')

  t.equal((await send(['X-Environment: prod'])).status, 200, '(c) forwarded')
  t.equal(api.received.at(-1)!.headers['x-environment'], 'dev', '(c) the configured environment wins')
  t.match(await proxy.logs(), /x-environment/i, '(c) the log reports the conflict')

  t.equal((await send(['Authorization: Bearer'])).status, 200, '(d) an empty Bearer is forwarded per policy')
  const d = api.received.at(-1)!.headers.authorization
  t.notMatch(String(d), /Bearer\s+Bearer/i, `(d) never doubled into "Bearer Bearer" (${d})`)
  t.equal(api.received.filter(request => Array.isArray(request.headers.authorization)).length, 0, 'never two Authorization values upstream')
})

t.test('HTTP-01 hop-by-hop request headers, Connection-named ones and Proxy-Authorization never reach the upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  for (const te of ['gzip', 'trailers']) {
    const client = await WireClient.connect(proxy.port)
    client.send(rawGet(proxy.port, '/v1/echo', ['Connection: X-Foo, keep-alive', 'X-Foo: bar', 'Keep-Alive: timeout=5', 'Proxy-Connection: keep-alive', 'Proxy-Authorization: Basic dTpw', `TE: ${te}`, 'Upgrade: h2c']))
    const res = await client.read()
    client.destroy()
    t.equal(res?.status, 200, `TE: ${te} → 200`)
    const names = api.received.at(-1)!.rawHeaders.filter((_, i) => i % 2 === 0).map(name => name.toLowerCase())
    t.same(names.filter(name => ['x-foo', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'upgrade', 'te'].includes(name)), [], `TE: ${te}: none reached the upstream`)
    t.notMatch(String(api.received.at(-1)!.headers.connection ?? ''), /x-foo/i, "the client's Connection tokens are not forwarded")
  }
})

t.test('HTTP-02 hop-by-hop response headers are stripped and the connection keeps working', async t => {
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: leaked\r\nKeep-Alive: timeout=1\r\nProxy-Authenticate: Basic realm="x"\r\nAlt-Svc: h2=":443"\r\nContent-Length: 2\r\n\r\nok')
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const client = await WireClient.connect(proxy.port)
  client.send(rawGet(proxy.port, '/v1/hop'))
  const first = await client.read()
  t.equal(first?.status, 200)
  for (const name of ['x-secret-hop', 'proxy-authenticate', 'alt-svc']) t.notOk(first?.headers[name], `${name} is stripped`)
  t.notMatch(first?.headers['keep-alive']?.join() ?? '', /timeout=1\b/, "the upstream's Keep-Alive does not reach the client")
  t.notMatch(first?.headers.connection?.join() ?? '', /x-secret-hop/i)
  // The upstream's socket goes as its Keep-Alive says (timeout=1 is under undici's threshold,
  // so at once); the client's connection must outlive it.
  t.ok(await waitFor(() => upstream.closedAt.length === 1), 'the upstream\'s own connection was closed')
  t.notOk(client.closed, 'the client\'s connection stays open')
  client.send(rawGet(proxy.port, '/v1/hop'))
  const second = await client.read()
  t.same([second?.status, second?.body.toString()], [200, 'ok'], 'the second request on the same socket works')
  t.equal(upstream.connections, 2, 'on a new upstream connection')
  client.destroy()
})

t.test('HTTP-04 path and query reach the upstream byte for byte', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const target = '/v1/data/a%2Fb/%20x;p=1?a=%zz&b=1+2&c=%2F&d=&e&f=%E2%9C%93&f=2&limit=1'
  const client = await WireClient.connect(proxy.port)
  client.send(rawGet(proxy.port, target))
  t.equal((await client.read())?.status, 200)
  client.destroy()
  t.same(api.received.map(request => request.url), [target])
})

t.test('HTTP-07 multi-valued and special response headers survive', async t => {
  const link = '<https://a.example/p?page=2>; rel="next", <https://a.example/p?page=9>; rel="last"'
  const disposition = "attachment; filename=\"na-ve.txt\"; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt"
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    socket.write([
      'HTTP/1.1 401 Unauthorized',
      'Set-Cookie: a=1; Path=/; HttpOnly',
      'Set-Cookie: b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT',
      'WWW-Authenticate: Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource"',
      'WWW-Authenticate: Basic realm="x"',
      `Link: ${link}`,
      `Content-Disposition: ${disposition}`,
      'Content-Length: 2', '', 'no'
    ].join('\r\n'))
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const client = await WireClient.connect(proxy.port)
  client.send(rawGet(proxy.port, '/v1/multi', [`Origin: ${ORIGIN}`]))
  const res = await client.read()
  client.destroy()
  t.equal(res?.status, 401)
  t.same(res?.headers['set-cookie'], ['a=1; Path=/; HttpOnly', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT'], 'two Set-Cookie fields, never comma-joined')
  const authenticate = res?.headers['www-authenticate']?.join(', ') ?? ''
  t.match(authenticate, 'Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource"')
  t.match(authenticate, 'Basic realm="x"')
  t.same([res?.headers.link, res?.headers['content-disposition']], [[link], [disposition]], 'Link and Content-Disposition byte-identical')
  t.match(res?.headers['access-control-expose-headers']?.join(',').toLowerCase() ?? '', 'www-authenticate', 'WWW-Authenticate is exposed to the page')
})

t.test('hop-by-hop request headers not named in Connection are dropped, not refused', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const response = await rawRequest(proxy.port, [
    'GET /v1/data/posts HTTP/1.1',
    `Host: localhost:${proxy.port}`,
    'Keep-Alive: timeout=5',
    'Upgrade: h2c',
    'Proxy-Connection: keep-alive',
    'TE: trailers',
    'X-Kept: yes',
    '', ''
  ].join('\r\n'))
  t.equal(response.status, 200, response.text.split('\r\n')[0] ?? '')
  t.equal(api.received.length, 1)
  const names = api.received[0]!.rawHeaders.filter((_, index) => index % 2 === 0).map(name => name.toLowerCase())
  t.same(names.filter(name => ['keep-alive', 'upgrade', 'proxy-connection', 'te'].includes(name)), [])
  t.equal(api.received[0]!.headers['x-kept'], 'yes', 'ordinary headers still pass')
  await assertProxyHealthy(t, proxy.url)
})

t.test('MCP requests reach the MCP URL path with the injected headers', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', mcpUrl: `${api.url}/mcp`, apiKey: KEY, projectId: 'p1', environment: 'staging' })
  for (const path of ['/mcp', '/mcp/sub']) {
    const res = await fetch(new URL(path, proxy.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })
    })
    t.equal(res.status, 200, path)
  }
  t.same(api.received.map(request => [request.method, request.url]), [['POST', '/mcp'], ['POST', '/mcp/sub']])
  for (const request of api.received) {
    t.same([request.headers.authorization, request.headers['x-project-id'], request.headers['x-environment']], [`Bearer ${KEY}`, 'p1', 'staging'])
    t.equal(request.body, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }))
  }
  await assertProxyHealthy(t, proxy.url)
})

t.test('an MCP URL without a path: /mcp and its query go to the upstream root', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', mcpUrl: api.url })
  const sent = ['/mcp', '/mcp?x=1', '/mcp/', '/mcp/?x=1', '/mcp/sub?x=1']
  for (const target of sent) {
    const response = await rawRequest(proxy.port, `GET ${target} HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n\r\n`)
    t.equal(response.status, 200, target)
  }
  t.same(api.received.map(request => request.url), ['/', '/?x=1', '/', '/?x=1', '/sub?x=1'])
})

t.test('an API URL with a base path prefixes it to /v1 paths', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: `${api.url}/base` })
  const res = await fetch(new URL('/v1/x', proxy.url))
  t.equal(res.status, 200)
  t.same(api.received.map(request => request.url), ['/base/v1/x'])
  await assertProxyHealthy(t, proxy.url)
})

t.test('the query string arrives byte for byte', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const target = '/v1/data/posts?a=1+2&b=%2F&c=%e2%82%ac&d&d=&e[x]=1'
  const response = await rawRequest(proxy.port, `GET ${target} HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n\r\n`)
  t.equal(response.status, 200)
  t.same(api.received.map(request => request.url), [target])
  await assertProxyHealthy(t, proxy.url)
})
