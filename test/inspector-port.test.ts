// The inspector on its own port: the proxy port keeps only /__proxy/health, redirects
// GET /__proxy/ and answers 404 proxy/moved elsewhere under /__proxy/ (naming the new
// URL); on the inspector's port every control request must be JSON, and is refused from
// another site or in no-cors mode even with the page's own Origin.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { exchange, rawGet } from './helpers/raw-client.js'
import { listenFailureMessage } from '../src/lifecycle/listen-failure.js'

interface ErrorBody { error: { code: string, message: string } }

t.test('the proxy port: GET /__proxy/ redirects to the inspector, other /__proxy/ paths answer 404 proxy/moved, health stays', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  for (const path of ['/__proxy/', '/__proxy']) {
    const res = await fetch(new URL(path, proxy.url), { redirect: 'manual' })
    t.same([res.status, res.headers.get('location')], [302, `${proxy.inspectorUrl}/__proxy/`], `GET ${path}`)
    await res.arrayBuffer()
  }
  const cases: Array<[string, string]> = [['GET', '/__proxy/api/exchanges'], ['GET', '/__proxy/assets/app.js'], ['DELETE', '/__proxy/api/exchanges'], ['POST', '/__proxy/api/exchanges/1/replay'], ['POST', '/__proxy/api/environment'], ['GET', '/%5F_proxy/api/har']]
  for (const [method, path] of cases) {
    const res = await fetch(new URL(path, proxy.url), { method, headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' }, body: method === 'GET' ? undefined : '{"environment":"prod"}' })
    const body = await res.json() as ErrorBody
    t.same([res.status, body.error.code, res.headers.get('access-control-allow-origin')], [404, 'proxy/moved', null], `${method} ${path}, unreadable to a page of an allowed origin`)
    t.match(body.error.message, `their own port: ${proxy.inspectorUrl}${path.replace('%5F', '_')} (INSPECTOR_PORT)`, 'names the new URL')
  }
  const health = await fetch(new URL('/__proxy/health', proxy.url))
  t.same([health.status, ((await health.json()) as { inspectorUrl: string }).inspectorUrl], [200, `${proxy.inspectorUrl}/__proxy/`])
  t.equal(api.started, 0, 'nothing went upstream')
})

t.test('the inspector port: / redirects to the page; anything else outside the API is 404 proxy/not-found; every answer has the page\'s security headers', async t => {
  const proxy = await startProxy(t)
  const root = await fetch(new URL('/', proxy.inspectorUrl), { redirect: 'manual' })
  t.same([root.status, root.headers.get('location')], [302, '/__proxy/'])
  await root.arrayBuffer()
  const elsewhere = await fetch(new URL('/v1/data/posts', proxy.inspectorUrl))
  t.same([elsewhere.status, ((await elsewhere.json()) as ErrorBody).error.code], [404, 'proxy/not-found'], 'the inspector\'s port forwards nothing')
  const environment = await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl))
  await environment.arrayBuffer()
  t.same([environment.status, environment.headers.get('x-frame-options'), environment.headers.get('cross-origin-resource-policy')], [200, 'DENY', 'same-origin'])
})

t.test('a control request on the inspector port needs JSON, and is refused from another site or in no-cors mode, even with its own Origin', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  await (await fetch(new URL('/v1/data/posts', proxy.url))).arrayBuffer()
  const own = { origin: proxy.inspectorUrl }
  const json = { 'content-type': 'application/json' }
  const refusals: Array<[string, string, Record<string, string>, number, string]> = [
    ['DELETE', '/__proxy/api/exchanges', {}, 415, 'proxy/unsupported-media-type'],
    ['DELETE', '/__proxy/api/exchanges', { ...own, 'content-type': 'text/plain' }, 415, 'proxy/unsupported-media-type'],
    ['POST', '/__proxy/api/exchanges/1/replay', { ...own, ...json, 'sec-fetch-site': 'same-site' }, 403, 'proxy/origin-not-allowed'],
    ['POST', '/__proxy/api/environment', { ...own, ...json, 'sec-fetch-site': 'cross-site' }, 403, 'proxy/origin-not-allowed'],
    ['POST', '/__proxy/api/environment', { ...json, 'sec-fetch-mode': 'no-cors' }, 403, 'proxy/origin-not-allowed'],
    ['DELETE', '/__proxy/api/exchanges', { ...own, ...json, 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'same-origin' }, 403, 'proxy/origin-not-allowed']
  ]
  // On raw sockets: fetch in Node writes its own Sec-Fetch-Mode over the one given.
  for (const [method, path, headers, status, code] of refusals) {
    const body = method === 'POST' ? '{"environment":"prod"}' : ''
    const lines = [...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), `Content-Length: ${body.length}`, 'Connection: close']
    const res = await exchange(proxy.inspectorPort, rawGet(proxy.inspectorPort, path, lines, method) + body)
    t.same([res.status, res.code], [status, code], `${method} ${path} ${JSON.stringify(headers)}`)
  }
  t.equal(api.started, 1, 'nothing was replayed')
  const state = await exchange(proxy.inspectorPort, rawGet(proxy.inspectorPort, '/__proxy/api/environment', ['Sec-Fetch-Mode: no-cors', 'Connection: close']))
  t.equal(state.status, 200, 'a GET is answered in any mode')
  const now = await (await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl))).json() as { environment: string }
  t.equal(now.environment, 'dev', 'nothing was switched')
  const kept = await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).json() as { exchanges: unknown[] }
  t.equal(kept.exchanges.length, 1, 'nothing was cleared')
  const page = await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl), { method: 'DELETE', headers: { ...own, ...json, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' } })
  t.equal(page.status, 204, 'the page itself clears')
  const curl = await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl), { method: 'POST', headers: json, body: '{"environment":"staging"}' })
  t.equal(curl.status, 200, 'curl switches')
})

t.test('the one start-up message for a port that cannot be listened on', async t => {
  const attempt = { host: '127.0.0.1', hostFrom: 'built-in default', from: 'built-in default' }
  const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })
  t.equal(listenFailureMessage({ ...attempt, port: 8787, variable: 'PORT', otherPort: 8788, otherVariable: 'INSPECTOR_PORT' }, inUse), 'config: port 8787 (PORT, from built-in default) is already in use\n  fix: stop the other process, or PORT=8789', 'the fix skips the inspector\'s port')
  t.equal(listenFailureMessage({ ...attempt, port: 8788, variable: 'INSPECTOR_PORT', otherPort: 8787, otherVariable: 'PORT' }, inUse), 'config: port 8788 (INSPECTOR_PORT, from built-in default) is already in use\n  fix: stop the other process, or INSPECTOR_PORT=8789')
  t.equal(listenFailureMessage({ ...attempt, port: 9000, variable: 'PORT', otherPort: 9000, otherVariable: 'INSPECTOR_PORT' }, inUse), 'config: PORT and INSPECTOR_PORT are both 9000; the proxy and the inspector need a port each\n  fix: PORT=9001')
  const denied = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES' })
  t.equal(listenFailureMessage({ ...attempt, port: 80, variable: 'INSPECTOR_PORT', otherPort: 8787, otherVariable: 'PORT' }, denied), 'config: cannot listen on 127.0.0.1:80 (host from built-in default, INSPECTOR_PORT from built-in default): listen EACCES: permission denied 0.0.0.0:80\n  fix: HOST=127.0.0.1')
})
