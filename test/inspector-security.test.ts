// The inspector holds everything the API said, so no other site may read or trigger it:
// on its own port, same-origin or no-Origin requests only (whatever CORS_ORIGINS allows),
// the Host check, no CORS headers, JSON-only control requests, a strict CSP, and no
// secret in any byte it serves.
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { startFakeApi } from './helpers/fake-upstream.js'
import { rawRequest } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'
import { openSse } from './helpers/inspector.js'

const CANARY = 'sk_test_CANARYc4n4ry0123456789abcdefgh'
const CANARY_MIDDLE = 'CANARYc4n4ry'
const API_ORIGIN = 'http://localhost:3000' // allowed for the API by the default CORS_ORIGINS
const PAGE_DIR = new URL('../inspector-page/', import.meta.url)
const INSPECTOR_PATHS = ['/__proxy/', '/__proxy/assets/app.js', '/__proxy/api/exchanges', '/__proxy/api/exchanges/1', '/__proxy/api/har', '/__proxy/api/events']

function corsHeaders (headers: Headers): string[] {
  return [...headers.keys()].filter(name => name.startsWith('access-control-'))
}

t.test('any cross-origin request gets 403 proxy/origin-not-allowed without CORS headers, even from an allowed API origin', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const apiCall = await fetch(new URL('/v1/data/posts', proxy.url), { headers: { origin: API_ORIGIN } })
  await apiCall.arrayBuffer()
  t.equal(apiCall.headers.get('access-control-allow-origin'), API_ORIGIN, 'the origin is allowed for the API')
  for (const path of INSPECTOR_PATHS) {
    const res = await fetch(new URL(path, proxy.inspectorUrl), { headers: { origin: API_ORIGIN } })
    const body = await res.json() as { error: { code: string } }
    t.same([res.status, body.error.code, corsHeaders(res.headers)], [403, 'proxy/origin-not-allowed', []], `GET ${path}`)
  }
  const replay = await fetch(new URL('/__proxy/api/exchanges/1/replay', proxy.inspectorUrl), { method: 'POST', headers: { origin: API_ORIGIN, 'content-type': 'application/json' }, body: '{}' })
  t.same([replay.status, corsHeaders(replay.headers)], [403, []], 'replay from another origin')
  const preflight = await fetch(new URL('/__proxy/api/exchanges/1/replay', proxy.inspectorUrl), { method: 'OPTIONS', headers: { origin: API_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  t.same([preflight.status, corsHeaders(preflight.headers)], [403, []], 'a preflight is refused, not answered')
  const clear = await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl), { method: 'DELETE', headers: { origin: 'http://evil.example', 'content-type': 'application/json' } })
  t.same([clear.status, corsHeaders(clear.headers)], [403, []], 'clear from a foreign origin')
  t.equal(api.received.length, 1, 'nothing was replayed')
  const list = await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).json() as { exchanges: unknown[] }
  t.equal(list.exchanges.length, 1, 'nothing was cleared')
})

t.test('no-cors requests from another site (no Origin, Sec-Fetch-Site cross-site or same-site) are refused', async t => {
  const proxy = await startProxy(t)
  for (const site of ['cross-site', 'same-site']) {
    const res = await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl), { headers: { 'sec-fetch-site': site } })
    await res.arrayBuffer()
    t.equal(res.status, 403, site)
  }
  for (const site of ['same-origin', 'none']) {
    const res = await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl), { headers: { 'sec-fetch-site': site } })
    await res.arrayBuffer()
    t.equal(res.status, 200, site)
  }
})

t.test('the page itself (same origin) is answered without CORS headers, even when CORS_ORIGINS leaves its origin out', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, corsOrigins: [API_ORIGIN] })
  await (await fetch(new URL('/v1/data/posts', proxy.url))).arrayBuffer()
  const own = proxy.inspectorUrl // http://localhost:<inspector port>, the Host fetch sends
  const list = await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl), { headers: { origin: own } })
  t.same([list.status, corsHeaders(list.headers), list.headers.get('vary')], [200, [], null])
  await list.arrayBuffer()
  const replay = await fetch(new URL('/__proxy/api/exchanges/1/replay', proxy.inspectorUrl), { method: 'POST', headers: { origin: own, 'content-type': 'application/json' }, body: '{}' })
  t.same([replay.status, corsHeaders(replay.headers)], [201, []])
  await replay.arrayBuffer()
  t.equal(api.received.length, 2, 'replayed once')
  const other = await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl), { headers: { origin: 'http://127.0.0.1:' + proxy.inspectorPort } })
  await other.arrayBuffer()
  t.equal(other.status, 403, 'another name for the same port is another origin')
})

t.test('the Host check applies to the inspector like every route', async t => {
  const proxy = await startProxy(t)
  for (const path of ['/__proxy/', '/__proxy/api/exchanges', '/__proxy/api/har']) {
    const res = await rawRequest(proxy.inspectorPort, `GET ${path} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`)
    t.equal(res.status, 403, path)
    t.match(res.text, '"code":"proxy/host-not-allowed"')
    t.notMatch(res.text, /access-control-/i)
  }
  const rebinding = await rawRequest(proxy.inspectorPort, `GET /__proxy/api/exchanges HTTP/1.1\r\nHost: evil.example:${proxy.inspectorPort}\r\nOrigin: http://evil.example:${proxy.inspectorPort}\r\nConnection: close\r\n\r\n`)
  t.equal(rebinding.status, 403, 'a DNS-rebinding page that is "same origin" with its own name is still refused by Host')
})

t.test('the page sets a strict CSP, frames nowhere, has no inline script and never writes markup from data', async t => {
  const proxy = await startProxy(t)
  const res = await fetch(new URL('/__proxy/', proxy.inspectorUrl))
  const html = await res.text()
  const csp = res.headers.get('content-security-policy') ?? ''
  t.match(csp, "default-src 'none'")
  t.match(csp, "script-src 'self';")
  t.match(csp, "frame-ancestors 'none'")
  t.notMatch(csp, /unsafe-|https?:|\*/, 'no unsafe-inline/eval, no external source, no wildcard')
  t.same([res.headers.get('x-frame-options'), res.headers.get('x-content-type-options'), res.headers.get('content-type')], ['DENY', 'nosniff', 'text/html; charset=utf-8'])
  t.notMatch(html, /<script(?![^>]*\ssrc=)/, 'every script is a file')
  t.notMatch(html, /\son[a-z]+=|\sstyle=|<style/i, 'no inline handlers or styles')
  t.notMatch(html, /https?:\/\//, 'nothing loaded from elsewhere')
  for (const name of readdirSync(PAGE_DIR).filter(file => file.endsWith('.js'))) {
    const source = readFileSync(new URL(name, PAGE_DIR), 'utf8')
    t.notMatch(source, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/, `${name} builds DOM with text nodes only`)
    const served = await fetch(new URL(`/__proxy/assets/${name}`, proxy.inspectorUrl))
    t.same([served.status, served.headers.get('content-type'), await served.text() === source], [200, 'text/javascript; charset=utf-8', true], `${name} is served as it ships`)
  }
  const traversal = await fetch(new URL('/__proxy/assets/..%2F..%2Fpackage.json', proxy.inspectorUrl))
  t.equal(traversal.status, 404, 'only the listed files are served')
  await traversal.arrayBuffer()
})

t.test('the health route keeps its behaviour: readable by allowed origins', async t => {
  const proxy = await startProxy(t)
  const res = await fetch(new URL('/__proxy/health', proxy.url), { headers: { origin: API_ORIGIN } })
  await res.arrayBuffer()
  t.same([res.status, res.headers.get('access-control-allow-origin')], [200, API_ORIGIN])
})

t.test('the canary key is absent from every byte of the page, the API, the events and HAR', async t => {
  const api = await startFakeApi(t) // echoes the headers and body it received
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: CANARY })
  const events = await openSse(t, `${proxy.inspectorUrl}/__proxy/api/events`)
  const calls: Array<[string, RequestInit]> = [
    ['/v1/data/posts', {}],
    [`/v1/data/posts?api_key=${CANARY}&limit=1`, {}],
    ['/v1/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@b.c', apiKey: CANARY, nested: { secret: CANARY } }) }],
    ['/v1/notes', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `the key is ${CANARY} in plain text` }],
    ['/v1/form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `user=a&token=${CANARY}` }],
    ['/v1/me', { headers: { 'x-api-key': CANARY, cookie: `session=${CANARY}; theme=dark`, authorization: `Bearer ${CANARY}` } }]
  ]
  for (const [path, init] of calls) await (await fetch(new URL(path, proxy.url), init)).arrayBuffer()
  await events.next(event => event.data.includes('"/v1/me"'))
  const served: string[] = []
  const read = async (path: string): Promise<string> => {
    const text = await (await fetch(new URL(path, proxy.inspectorUrl))).text()
    served.push(text)
    return text
  }
  await read('/__proxy/')
  for (const name of readdirSync(PAGE_DIR)) await read(`/__proxy/assets/${name}`)
  const list = JSON.parse(await read('/__proxy/api/exchanges')) as { exchanges: Array<{ id: number }> }
  t.equal(list.exchanges.length, calls.length)
  for (const { id } of list.exchanges) await read(`/__proxy/api/exchanges/${id}`)
  await read('/__proxy/api/har')
  served.push(JSON.stringify(events.events))
  const everything = served.join('\n')
  // (The lead kept before •••• is redact.ts's business; issue 10 keeps the whole sk_test_.)
  t.match(everything, /\\"apiKey\\":\\"sk_test_?••••efgh \(38 chars\)\\"/, 'the body field is shown redacted')
  t.match(everything, /the key is sk_test_?••••efgh \(38 chars\) in plain text/, 'the configured key is scrubbed from plain text')
  t.equal(everything.includes(CANARY_MIDDLE), false, 'the canary appears in no byte served')
  t.equal(api.received.filter(request => request.headers.authorization === `Bearer ${CANARY}`).length, calls.length, 'while the upstream did get the key')
})

t.test('the log stays quiet about the page\'s own requests, but shows a refused one as a warning', async t => {
  const proxy = await startProxy(t, { logLevel: 'info' })
  await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).arrayBuffer()
  await (await fetch(new URL('/__proxy/', proxy.inspectorUrl))).arrayBuffer()
  t.equal(await proxy.logs(), '', 'nothing at info for the inspector\'s own traffic')
  await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl), { headers: { origin: API_ORIGIN } })).arrayBuffer()
  const logs = await proxy.logs()
  t.match(logs, /WARN: \* #1 GET \/__proxy\/api\/exchanges from http:\/\/localhost:3000/)
  t.match(logs, '* #1 note: refused an inspector request: origin http://localhost:3000 may not use the inspector')
  const list = await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).json() as { exchanges: unknown[] }
  t.same(list.exchanges, [], 'and the inspector does not list its own traffic')
})
