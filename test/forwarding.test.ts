import t from 'tap'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { WireClient } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

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
