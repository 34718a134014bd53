// The proxy owns CORS: it answers preflights itself, refuses disallowed origins before
// the upstream is called, and replaces whatever Access-Control-* the upstream sends.
import t from 'tap'
import http from 'node:http'
import { bkendReply, closedPortUrl, startFakeApi } from './helpers/fake-upstream.js'
import { injectableApp, startProxy } from './helpers/proxy.js'

const KEY = 'sk_test_CANARY_9f2c7d1e4b6a'
const PAGE = 'http://localhost:3000'
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
const REFUSED_ORIGINS = [
  'https://evil.example',
  'null',
  'http://localhost.evil.example:3000',
  'http://localhost:3000.evil.example',
  'http://127.0.0.1.evil.example'
]

interface Reply { status: number, headers: http.IncomingHttpHeaders, rawHeaders: string[], body: string }

/** node:http rather than fetch, because fetch will not send an arbitrary Origin or Host. */
function send (port: number, path: string, options: { method?: string, headers?: Record<string, string>, body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: options.method ?? 'GET',
      headers: { host: `localhost:${port}`, ...options.headers },
      agent: false
    }, response => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({
        status: response.statusCode!,
        headers: response.headers,
        rawHeaders: response.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8')
      }))
    })
    request.on('error', reject)
    request.end(options.body)
  })
}

function preflightHeaders (origin: string, method = 'DELETE'): Record<string, string> {
  return { origin, 'access-control-request-method': method }
}

/** Lower-cased names of the Access-Control-* fields, one entry per field line. */
function accessControlFields (rawHeaders: string[]): string[] {
  return rawHeaders.filter((_, i) => i % 2 === 0).map(name => name.toLowerCase()).filter(name => name.startsWith('access-control-'))
}

function fieldCount (rawHeaders: string[], name: string): number {
  return rawHeaders.filter((value, i) => i % 2 === 0 && value.toLowerCase() === name).length
}

function tokens (value: string | string[] | undefined): string[] {
  return String(value ?? '').split(',').map(token => token.trim().toLowerCase()).filter(Boolean)
}

function errorCode (body: string): string {
  return (JSON.parse(body) as { error: { code: string } }).error.code
}

t.test('answers preflights itself with 204 for every method and never forwards them', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1' })
  for (const method of ['DELETE', 'PUT', 'PATCH', 'GET', 'POST']) {
    const res = await send(proxy.port, '/v1/data/posts', {
      method: 'OPTIONS',
      headers: { ...preflightHeaders(PAGE, method), 'access-control-request-headers': 'content-type, x-request-id, authorization' }
    })
    t.same({
      status: res.status,
      origin: res.headers['access-control-allow-origin'],
      credentials: res.headers['access-control-allow-credentials'],
      methods: tokens(res.headers['access-control-allow-methods']),
      allowHeaders: tokens(res.headers['access-control-allow-headers'])
    }, {
      status: 204,
      origin: PAGE,
      credentials: 'true',
      methods: METHODS.map(name => name.toLowerCase()),
      allowHeaders: ['content-type', 'x-request-id', 'authorization']
    }, `preflight for ${method}`)
    t.same(tokens(res.headers.vary), ['origin', 'access-control-request-headers'], `Vary (${method})`)
    const maxAgeSeconds = Number(res.headers['access-control-max-age'])
    t.ok(maxAgeSeconds >= 1 && maxAgeSeconds <= 7200, `Max-Age ${maxAgeSeconds} within what browsers honour`)
  }
  t.equal(api.started, 0, 'no preflight reached the upstream')
  t.equal(api.received.length, 0)
})

t.test('allows http and https on localhost, 127.0.0.1 and [::1] at any port by default', async t => {
  const app = await injectableApp(t)
  const allowed = [
    'http://localhost:3000', 'http://localhost', 'https://localhost:8443', 'https://localhost',
    'http://127.0.0.1:5173', 'https://127.0.0.1:1', 'http://[::1]:3000', 'https://[::1]:65535'
  ]
  for (const origin of allowed) {
    const res = await app.inject({ method: 'OPTIONS', url: '/v1/data/posts', headers: preflightHeaders(origin) })
    t.same([res.statusCode, res.headers['access-control-allow-origin'], res.headers['access-control-allow-credentials']], [204, origin, 'true'], origin)
  }
})

t.test('corsOrigins replaces the default list, with exact origins and host:* for any port', async t => {
  const app = await injectableApp(t, { corsOrigins: ['http://localhost:3000', 'http://dev.test:*'] })
  for (const origin of ['http://localhost:3000', 'http://dev.test:1234', 'http://dev.test']) {
    const res = await app.inject({ method: 'OPTIONS', url: '/v1/x', headers: preflightHeaders(origin) })
    t.same([res.statusCode, res.headers['access-control-allow-origin']], [204, origin], `${origin} allowed`)
  }
  for (const origin of ['http://localhost:3001', 'http://127.0.0.1:3000', 'https://localhost:3000', 'https://dev.test:1234', 'http://sub.dev.test:1']) {
    const res = await app.inject({ method: 'OPTIONS', url: '/v1/x', headers: preflightHeaders(origin) })
    t.same([res.statusCode, errorCode(res.body), res.headers['access-control-allow-origin']], [403, 'proxy/origin-not-allowed', undefined], `${origin} refused`)
  }
})

t.test('actual responses carry the exact origin, credentials, one merged Vary and the exposed headers', async t => {
  const api = await startFakeApi(t, {
    handler: bkendReply(200, { ok: true }, {
      vary: 'Accept-Encoding',
      'x-request-id': 'r1',
      'retry-after': '3',
      'x-ratelimit-remaining': '9',
      'mcp-session-id': 's1',
      'www-authenticate': 'Bearer realm="bkend"'
    })
  })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const res = await send(proxy.port, '/v1/x', { headers: { origin: PAGE } })
  t.equal(res.status, 200)
  t.same([res.headers['access-control-allow-origin'], res.headers['access-control-allow-credentials']], [PAGE, 'true'])
  t.equal(fieldCount(res.rawHeaders, 'vary'), 1, 'exactly one Vary field')
  t.same(tokens(res.headers.vary).sort(), ['accept-encoding', 'origin'])
  const exposed = tokens(res.headers['access-control-expose-headers'])
  for (const name of ['x-request-id', 'retry-after', 'x-ratelimit-remaining', 'mcp-session-id', 'www-authenticate']) {
    t.ok(exposed.includes(name), `${name} exposed`)
  }
  t.notOk(exposed.includes('content-type'), 'safelisted names are left out')
  t.notOk(exposed.includes('vary'), 'Vary is not listed as exposed')
  t.equal(api.received.length, 1)
})

t.test('does not repeat Origin when the upstream already varies on it', async t => {
  const api = await startFakeApi(t, { handler: bkendReply(200, { ok: true }, { vary: 'origin, Accept-Encoding' }) })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const res = await send(proxy.port, '/v1/x', { headers: { origin: PAGE } })
  t.equal(fieldCount(res.rawHeaders, 'vary'), 1)
  t.same(tokens(res.headers.vary), ['origin', 'accept-encoding'])
})

t.test('replaces every Access-Control-* header the upstream sends', async t => {
  const api = await startFakeApi(t, {
    handler: bkendReply(200, { ok: true }, {
      'access-control-allow-origin': '*',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Up',
      'access-control-allow-methods': 'GET',
      'access-control-max-age': '99999',
      vary: 'Accept-Encoding',
      'x-request-id': 'r2'
    })
  })
  const proxy = await startProxy(t, { apiUrl: api.url })

  const browser = await send(proxy.port, '/v1/x', { headers: { origin: PAGE } })
  t.equal(browser.status, 200)
  t.same(accessControlFields(browser.rawHeaders).sort(), [
    'access-control-allow-credentials',
    'access-control-allow-origin',
    'access-control-expose-headers'
  ], 'one of each, none of the upstream-only ones')
  t.same([browser.headers['access-control-allow-origin'], browser.headers['access-control-allow-credentials']], [PAGE, 'true'])
  const exposed = tokens(browser.headers['access-control-expose-headers'])
  t.ok(exposed.includes('x-request-id'))
  t.notOk(exposed.includes('x-up'), 'the upstream\'s expose list does not leak')
  t.notOk(exposed.some(name => name.startsWith('access-control-')), 'no Access-Control-* name is exposed')
  t.equal(fieldCount(browser.rawHeaders, 'vary'), 1)
  t.same(tokens(browser.headers.vary).sort(), ['accept-encoding', 'origin'])

  const curl = await send(proxy.port, '/v1/x')
  t.equal(curl.status, 200)
  t.same(accessControlFields(curl.rawHeaders), [], 'no Access-Control-* without Origin either')
  t.equal(api.received.length, 2)
})

t.test('refuses a disallowed origin with 403 before the upstream, for every kind of request', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  for (const origin of REFUSED_ORIGINS) {
    const requests: Array<{ method: string, headers?: Record<string, string>, body?: string }> = [
      { method: 'GET' },
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' },
      { method: 'DELETE' },
      { method: 'OPTIONS', headers: { 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' } }
    ]
    for (const { method, headers, body } of requests) {
      const res = await send(proxy.port, '/v1/data/posts', { method, headers: { origin, ...headers }, body })
      t.same([res.status, errorCode(res.body), accessControlFields(res.rawHeaders)], [403, 'proxy/origin-not-allowed', []], `${method} from ${origin}`)
    }
  }
  t.equal(api.started, 0, 'the upstream was never called')
  const lines = (await proxy.logs()).split('\n')
  for (const origin of REFUSED_ORIGINS) {
    t.ok(lines.some(line => line.includes(`origin ${origin}`) && line.includes('CORS_ORIGINS')), `a log line names ${origin} and CORS_ORIGINS`)
  }
})

t.test('allows the control origin that the refusals are measured against', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const res = await send(proxy.port, '/v1/data/posts', { method: 'POST', headers: { origin: PAGE, 'content-type': 'text/plain' }, body: 'hello' })
  t.same([res.status, res.headers['access-control-allow-origin']], [200, PAGE])
  t.equal(api.received.length, 1)
  t.equal(api.received[0]!.body, 'hello')
})

t.test('a request without Origin is not subject to CORS', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const res = await send(proxy.port, '/v1/echo')
  t.equal(res.status, 200)
  t.equal(res.headers['access-control-allow-origin'], undefined)
  t.equal(res.headers['access-control-allow-credentials'], undefined)
  t.equal(api.received.length, 1)
})

t.test('grants Private Network Access to allowed origins only', async t => {
  const pna = { 'access-control-request-private-network': 'true' }
  t.test('default origins', async t => {
    const app = await injectableApp(t)
    const allowed = await app.inject({ method: 'OPTIONS', url: '/v1/x', headers: { ...preflightHeaders(PAGE, 'GET'), ...pna } })
    t.same([allowed.statusCode, allowed.headers['access-control-allow-private-network'], allowed.headers['access-control-allow-origin']], [204, 'true', PAGE])
    const refused = await app.inject({ method: 'OPTIONS', url: '/v1/x', headers: { ...preflightHeaders('https://evil.example', 'GET'), ...pna } })
    t.same([refused.statusCode, refused.headers['access-control-allow-private-network'], refused.headers['access-control-allow-origin']], [403, undefined, undefined])
  })
  t.test('a public origin listed in corsOrigins', async t => {
    const app = await injectableApp(t, { corsOrigins: ['https://app.example.test'] })
    const allowed = await app.inject({ method: 'OPTIONS', url: '/v1/x', headers: { ...preflightHeaders('https://app.example.test', 'GET'), ...pna } })
    t.same([allowed.statusCode, allowed.headers['access-control-allow-private-network'], allowed.headers['access-control-allow-origin'], allowed.headers['access-control-allow-credentials']],
      [204, 'true', 'https://app.example.test', 'true'])
    const refused = await app.inject({ method: 'OPTIONS', url: '/v1/x', headers: { ...preflightHeaders(PAGE, 'GET'), ...pna } })
    t.same([refused.statusCode, refused.headers['access-control-allow-private-network']], [403, undefined], 'the default localhost origin is no longer listed')
  })
})

/** What a page needs to read a proxy error: the status, the code and its CORS headers. */
function readableError (res: Reply): Record<string, unknown> {
  return {
    status: res.status,
    code: errorCode(res.body),
    origin: res.headers['access-control-allow-origin'],
    credentials: res.headers['access-control-allow-credentials'],
    varyOrigin: tokens(res.headers.vary).includes('origin')
  }
}

t.test('the proxy\'s own errors are readable by an allowed page', async t => {
  const proxy = await startProxy(t, { apiUrl: await closedPortUrl(), apiKey: KEY })
  const down = await send(proxy.port, '/v1/data/posts', { headers: { origin: PAGE } })
  t.same(readableError(down), { status: 502, code: 'proxy/upstream-unreachable', origin: PAGE, credentials: 'true', varyOrigin: true }, '502 when the upstream is down')

  const missing = await send(proxy.port, '/data/posts', { headers: { origin: PAGE } })
  t.same(readableError(missing), { status: 404, code: 'proxy/missing-v1-prefix', origin: PAGE, credentials: 'true', varyOrigin: true }, '404 without the /v1 prefix')
})

t.test('refuses cross-site no-cors requests without Origin and forwards same-origin ones', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const imageFetch = { 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }
  const refused = await send(proxy.port, '/v1/data/posts?delete=1', { headers: { 'sec-fetch-site': 'cross-site', ...imageFetch } })
  t.same([refused.status, errorCode(refused.body), refused.headers['access-control-allow-origin']], [403, 'proxy/origin-not-allowed', undefined])
  t.equal(api.started, 0, 'the cross-site request never reached the upstream')

  for (const site of ['same-origin', 'none']) {
    const res = await send(proxy.port, '/v1/data/posts', { headers: { 'sec-fetch-site': site, ...imageFetch } })
    t.equal(res.status, 200, `Sec-Fetch-Site: ${site} is forwarded`)
  }
  t.equal(api.received.length, 2)
})

t.test('a refused Host is still readable by an allowed page (CORS-05)', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const res = await send(proxy.port, '/v1/x', { headers: { host: `bkend-proxy:${proxy.port}`, origin: PAGE } })
  t.same(readableError(res), { status: 403, code: 'proxy/host-not-allowed', origin: PAGE, credentials: 'true', varyOrigin: true })
  t.equal(api.started, 0)
})

t.test('a bare OPTIONS without Origin on a forwarded path is not called a missing /v1 prefix (CORS-08)', async t => {
  const app = await injectableApp(t)
  const res = await app.inject({ method: 'OPTIONS', url: '/v1/echo' })
  t.equal(res.headers['access-control-allow-origin'], undefined)
  if (res.statusCode >= 400) {
    const error = (JSON.parse(res.body) as { error: { code: string, message: string } }).error
    t.not(error.code, 'proxy/missing-v1-prefix', 'the path already has the /v1 prefix')
    t.notMatch(error.message, '/v1/v1', 'no hint to double the prefix')
  } else {
    t.ok(res.statusCode >= 200 && res.statusCode < 300, `status ${res.statusCode}`)
  }
})
