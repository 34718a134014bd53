// DNS rebinding and ambiguous requests: the Host check runs on every path, over real
// sockets, before the Origin check and the route, and a refused request never reaches
// the upstream (so it never spends the key).
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { readFileSync } from 'node:fs'
import { rawRequest, type RawResponse } from './helpers/raw-client.js'
import { startCli } from './helpers/cli.js'
import { startProxy } from './helpers/proxy.js'

const KEY = 'sk_test_CANARY_9f2c7d1e4b6a'

function get (path: string, lines: string[]): string {
  return `GET ${path} HTTP/1.1\r\n${lines.map(line => line + '\r\n').join('')}Connection: close\r\n\r\n`
}

function errorOf (response: RawResponse): { code: string, message: string } {
  const body = response.text.slice(response.text.indexOf('\r\n\r\n') + 4)
  return (JSON.parse(body) as { error: { code: string, message: string } }).error
}

function hasField (response: RawResponse, name: string): boolean {
  const head = response.text.slice(0, response.text.indexOf('\r\n\r\n'))
  return head.split('\r\n').some(line => line.toLowerCase().startsWith(name + ':'))
}

t.test('answers loopback Host names', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const P = proxy.port
  const hosts = [`localhost:${P}`, `LOCALHOST:${P}`, `127.0.0.1:${P}`, `127.1.2.3:${P}`, `[::1]:${P}`, 'localhost', `app.localhost:${P}`, 'localhost.', `localhost.:${P}`]
  for (const host of hosts) {
    const before = api.received.length
    const res = await rawRequest(P, get('/v1/echo', [`Host: ${host}`]))
    t.equal(res.status, 200, `Host: ${host}`)
    t.equal(api.received.length, before + 1, `Host: ${host} reached the upstream`)
  }
})

t.test('refuses foreign Host names with 403 before the upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const P = proxy.port
  const refused: Array<[host: string, name: string]> = [
    [`evil.example:${P}`, 'evil.example'],
    ['localhost.evil.example', 'localhost.evil.example'],
    ['127.0.0.1.nip.io', '127.0.0.1.nip.io'],
    ['evil-localhost', 'evil-localhost'],
    [`0.0.0.0:${P}`, '0.0.0.0'],
    [`192.168.1.10:${P}`, '192.168.1.10']
  ]
  for (const [host, name] of refused) {
    const res = await rawRequest(P, get('/v1/echo', [`Host: ${host}`]))
    const error = errorOf(res)
    t.same([res.status, error.code], [403, 'proxy/host-not-allowed'], `Host: ${host}`)
    t.match(error.message, 'ALLOWED_HOSTS', `the message for ${host} names the setting`)
    t.match(error.message, `"${name}"`, `the message names ${name}`)
  }
  t.equal(api.started, 0, 'no refused Host reached the upstream')
})

t.test('accepts the names listed in allowedHosts, at any port', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, allowedHosts: ['bkend-proxy'] })
  const res = await rawRequest(proxy.port, get('/v1/echo', ['Host: bkend-proxy:8787']))
  t.equal(res.status, 200)
  t.equal(api.received.length, 1)
  t.equal(api.received[0]!.url, '/v1/echo')
  const other = await rawRequest(proxy.port, get('/v1/echo', ['Host: other-service:8787']))
  t.same([other.status, errorOf(other).code], [403, 'proxy/host-not-allowed'], 'other names stay refused')
  t.equal(api.received.length, 1)
})

t.test('answers 400 to a malformed Host', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  for (const host of ['[', 'localhost:99999', 'a b', 'evil.example@localhost', 'localhost\x01']) {
    const res = await rawRequest(proxy.port, get('/v1/echo', [`Host: ${host}`]))
    t.same([res.status, errorOf(res).code], [400, 'proxy/bad-request'], `Host: ${JSON.stringify(host)}`)
  }
  t.equal(api.started, 0)
})

t.test('answers 400 to two Host lines and to two Authorization lines', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const hosts = await rawRequest(proxy.port, get('/v1/echo', ['Host: localhost', 'Host: evil.example']))
  t.same([hosts.status, errorOf(hosts).code], [400, 'proxy/bad-request'], 'two Host lines')
  t.match(errorOf(hosts).message, 'Host')
  const sameHosts = await rawRequest(proxy.port, get('/v1/echo', [`Host: localhost:${proxy.port}`, `Host: localhost:${proxy.port}`]))
  t.equal(sameHosts.status, 400, 'two identical Host lines')
  const auth = await rawRequest(proxy.port, get('/v1/echo', ['Host: localhost', 'Authorization: Bearer user.jwt.sig', 'Authorization: Bearer other.jwt.sig']))
  t.same([auth.status, errorOf(auth).code], [400, 'proxy/bad-request'], 'two Authorization lines')
  t.match(errorOf(auth).message, 'Authorization')
  t.equal(api.started, 0)
})

t.test('checks the Host on /__proxy/health too', async t => {
  const proxy = await startProxy(t)
  const refused = await rawRequest(proxy.port, get('/__proxy/health', [`Host: evil.example:${proxy.port}`]))
  t.same([refused.status, errorOf(refused).code], [403, 'proxy/host-not-allowed'])
  const allowed = await rawRequest(proxy.port, get('/__proxy/health', [`Host: localhost:${proxy.port}`]))
  t.equal(allowed.status, 200)
})

t.test('refuses in order: Host, then Origin, then path', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const P = proxy.port

  const foreignHost = await rawRequest(P, get('/nope', [`Host: evil.example:${P}`, 'Origin: https://evil.example']))
  t.same([foreignHost.status, errorOf(foreignHost).code], [403, 'proxy/host-not-allowed'], 'foreign Host + evil Origin')
  t.notOk(hasField(foreignHost, 'access-control-allow-origin'))

  const evilOrigin = await rawRequest(P, get('/nope', [`Host: localhost:${P}`, 'Origin: https://evil.example']))
  t.same([evilOrigin.status, errorOf(evilOrigin).code], [403, 'proxy/origin-not-allowed'], 'good Host + evil Origin on /nope')
  t.notOk(hasField(evilOrigin, 'access-control-allow-origin'))

  const missing = await rawRequest(P, get('/nope', [`Host: localhost:${P}`, 'Origin: http://localhost:3000']))
  t.same([missing.status, errorOf(missing).code], [404, 'proxy/missing-v1-prefix'], 'good Host + good Origin on /nope')

  const duplicate = await rawRequest(P, get('/v1/echo', [`Host: evil.example:${P}`, 'Host: localhost', 'Origin: https://evil.example']))
  t.equal(duplicate.status, 400, 'two Host lines are refused before either is judged')

  t.equal(api.started, 0)
})

t.test('SEC-14 listens on loopback only by default; HOST=0.0.0.0 warns and still checks Host', async t => {
  const cli = await startCli(t)
  const listening = readFileSync('/proc/net/tcp', 'utf8').split('\n').concat(readFileSync('/proc/net/tcp6', 'utf8').split('\n'))
    .map(line => line.trim().split(/\s+/))
    .filter(fields => fields[3] === '0A' && fields[1]?.endsWith(':' + cli.port.toString(16).toUpperCase().padStart(4, '0')))
    .map(fields => fields[1]!.split(':')[0])
  t.same(listening, ['0100007F'], 'the only listener is 127.0.0.1')
  t.same(await cli.stop(), { code: 0, signal: null })

  const api = await startFakeApi(t)
  const open = await startCli(t, [], { env: { HOST: '0.0.0.0', BKEND_API_URL: api.url } })
  await open.waitForStdout(/WARN: listening on 0\.0\.0\.0/)
  t.match(open.stdout(), /WARN: listening on 0\.0\.0\.0, not loopback.*-p 127\.0\.0\.1:/, 'the banner warns and suggests publishing on 127.0.0.1')
  const lan = await rawRequest(open.port, `GET /v1/echo HTTP/1.1\r\nHost: 192.168.1.10:8787\r\nConnection: close\r\n\r\n`)
  t.equal(lan.status, 403, 'a LAN Host is refused on the 0.0.0.0 listener')
  t.equal(api.started, 0)
  t.same(await open.stop(), { code: 0, signal: null })
})
