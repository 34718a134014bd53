// POST /__proxy/api/environment, on the inspector's port, switches the active profile for
// requests that start afterwards: key, project, URL and X-Environment move together (two
// upstreams, one per profile), requests in flight keep theirs (an open SSE stream), and
// only curl, scripts and the inspector's own page may switch (same Host and same-origin
// rules as the inspector). The proxy port has no switch, and INSPECTOR=false none at all.
import t from 'tap'
import type { ServerResponse } from 'node:http'
import { startFakeApi, type FakeApi } from './helpers/fake-upstream.js'
import { rawRequest } from './helpers/raw-client.js'
import { startProxy, type TestProxy } from './helpers/proxy.js'

const DEV_KEY = 'sk_test_DEVKEY0123456789abcdefghijdev1'
const STAGING_KEY = 'sk_test_STGKEY0123456789abcdefghijstg2'

interface Switched { environment: string, previous: string, changed: boolean, environments: Array<{ environment: string, active: boolean, apiKey: string | null }> }

async function twoProfiles (t: typeof import('tap'), overrides: Parameters<typeof startProxy>[1] = {}, devHandler?: Parameters<typeof startFakeApi>[1]['handler']): Promise<{ dev: FakeApi, staging: FakeApi, proxy: TestProxy }> {
  const dev = await startFakeApi(t, devHandler === undefined ? {} : { handler: devHandler })
  const staging = await startFakeApi(t)
  const proxy = await startProxy(t, {
    apiKey: DEV_KEY,
    projectId: 'p-dev',
    apiUrl: dev.url,
    environments: { staging: { apiKey: STAGING_KEY, projectId: 'p-staging', apiUrl: `${staging.url}/base` } },
    ...overrides
  })
  return { dev, staging, proxy }
}

function switchTo (proxy: TestProxy, environment: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ environment }) })
}

function profileOf (headers: Record<string, string | string[] | undefined>): string {
  return [headers.authorization, headers['x-project-id'], headers['x-environment']].join(' | ')
}

t.test('a switch moves key, project, URL and X-Environment together; requests around it never mix two profiles', async t => {
  const { dev, staging, proxy } = await twoProfiles(t)
  const requests: Array<Promise<number>> = []
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 8; i++) requests.push(fetch(new URL(`/v1/data/posts?round=${round}&i=${i}`, proxy.url)).then(res => res.status))
    const res = await switchTo(proxy, round % 2 === 0 ? 'staging' : 'dev')
    t.equal(res.status, 200)
  }
  t.same(new Set(await Promise.all(requests)), new Set([200]))
  t.ok(dev.received.length > 0 && staging.received.length > 0, `both upstreams got requests (dev ${dev.received.length}, staging ${staging.received.length})`)
  t.same(new Set(dev.received.map(request => profileOf(request.headers))), new Set([`Bearer ${DEV_KEY} | p-dev | dev`]), 'dev\'s URL only ever saw dev\'s profile')
  t.same(new Set(staging.received.map(request => profileOf(request.headers))), new Set([`Bearer ${STAGING_KEY} | p-staging | staging`]), 'staging\'s URL only ever saw staging\'s profile')
  t.ok(staging.received.every(request => request.url.startsWith('/base/v1/data/posts?round=')), 'the staging URL\'s own path is kept')
})

t.test('the switch answers with the active and configured environments, logs one line, and a repeat changes nothing', async t => {
  const { proxy } = await twoProfiles(t)
  const res = await switchTo(proxy, 'staging')
  const body = await res.json() as Switched
  t.same([res.status, body.environment, body.previous, body.changed], [200, 'staging', 'dev', true])
  t.same(body.environments.map(profile => [profile.environment, profile.active, profile.apiKey]), [['dev', false, 'sk_test_••••dev1 (38 chars)'], ['staging', true, 'sk_test_••••stg2 (38 chars)']])
  const again = await (await switchTo(proxy, 'staging')).json() as Switched
  t.equal(again.changed, false)
  const health = await (await fetch(new URL('/__proxy/health', proxy.url))).json() as { environment: string, environments: Switched['environments'], projectId: string }
  t.same([health.environment, health.projectId, health.environments.find(profile => profile.active)?.environment], ['staging', 'p-staging', 'staging'])
  const logs = await proxy.logs()
  t.equal(logs.match(/environment: switched/g)?.length, 1, 'one line for the switch')
  t.match(logs, /environment: switched dev → staging for requests that start from now on: key sk_test_••••stg2 \(38 chars\), project p-staging, http:\/\/127\.0\.0\.1:\d+\/base; requests in flight finish on dev/)
  t.notMatch(logs + JSON.stringify(body) + JSON.stringify(health), /DEVKEY|STGKEY/, 'keys by fingerprint only')
})

t.test('a stream open across a switch keeps its profile; the next request gets the new one', async t => {
  let stream: ServerResponse | undefined
  const { dev, staging, proxy } = await twoProfiles(t, { logFormat: 'json' }, (req, res) => {
    if (!req.url!.includes('/stream')) { res.end('{}'); return }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: one\n\n')
    stream = res
  })
  const res = await fetch(new URL('/v1/stream', proxy.url))
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  t.match(decoder.decode((await reader.read()).value), 'data: one')
  t.equal((await switchTo(proxy, 'staging')).status, 200)
  t.equal((await fetch(new URL('/v1/data/posts', proxy.url))).status, 200)
  t.equal(staging.received.length, 1, 'the request after the switch went to staging')
  t.equal(profileOf(staging.received[0]!.headers), `Bearer ${STAGING_KEY} | p-staging | staging`)
  stream!.end('data: two\n\n')
  let rest = ''
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value)
  t.match(rest, 'data: two', 'the stream ran to its end after the switch')
  t.equal(dev.started, 1, 'the stream alone reached dev')
  const lines = (await proxy.logs()).trim().split('\n').map(line => JSON.parse(line) as { environment?: string, exchange?: { url: string } })
  const exchanges = lines.filter(line => line.exchange !== undefined).map(line => [line.exchange!.url, line.environment])
  // The stream's lines (as it opens, as it ends) say dev around the staging request.
  t.same(exchanges.filter(([url]) => url!.startsWith('/v1/')), [['/v1/stream', 'dev'], ['/v1/data/posts', 'staging'], ['/v1/stream', 'dev']], 'each exchange logged with its own environment')
})

t.test('the switch is refused cross-origin, cross-site and for a foreign Host; curl and the page itself may switch', async t => {
  const { proxy } = await twoProfiles(t)
  // http://localhost:3000 is allowed by CORS_ORIGINS for the API, and still refused here.
  const crossOrigin = await switchTo(proxy, 'staging', { origin: 'http://localhost:3000' })
  t.same([crossOrigin.status, ((await crossOrigin.json()) as { error: { code: string } }).error.code], [403, 'proxy/origin-not-allowed'], 'cross-origin')
  t.equal(crossOrigin.headers.get('access-control-allow-origin'), null, 'the refusal carries no CORS headers')
  const crossSite = await switchTo(proxy, 'staging', { 'sec-fetch-site': 'cross-site' })
  t.equal(crossSite.status, 403, 'cross-site without Origin')
  const body = '{"environment":"staging"}'
  const foreign = await rawRequest(proxy.inspectorPort, `POST /__proxy/api/environment HTTP/1.1\r\nHost: evil.example:${proxy.inspectorPort}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
  t.match(foreign.text, /^HTTP\/1\.1 403 [^]*"proxy\/host-not-allowed"/, 'foreign Host')
  const state = await (await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl))).json() as { environment: string }
  t.equal(state.environment, 'dev', 'nothing was switched by the refused requests')
  t.equal((await switchTo(proxy, 'staging', { origin: proxy.inspectorUrl })).status, 200, 'same origin (the page)')
  t.equal((await switchTo(proxy, 'dev')).status, 200, 'no Origin (curl)')
})

t.test('the proxy port has no switch: 404 proxy/moved naming the inspector\'s; with INSPECTOR=false there is none over HTTP', async t => {
  for (const inspector of [true, false]) {
    const { dev, staging, proxy } = await twoProfiles(t, { inspector })
    const label = inspector ? '' : ' (inspector off)'
    for (const origin of [undefined, 'http://localhost:3000', proxy.url]) {
      const res = await fetch(new URL('/__proxy/api/environment', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json', ...(origin === undefined ? {} : { origin }) }, body: '{"environment":"staging"}' })
      const refused = await res.json() as { error: { code: string, message: string } }
      t.same([res.status, refused.error.code], [404, inspector ? 'proxy/moved' : 'proxy/not-found'], `from ${origin ?? 'curl'}${label}`)
      t.match(refused.error.message, inspector ? `${proxy.inspectorUrl}/__proxy/api/environment` : 'set BKEND_ENVIRONMENT in .env', `the answer says where to switch${label}`)
    }
    const health = await (await fetch(new URL('/__proxy/health', proxy.url))).json() as { environment: string, inspectorUrl: string | null }
    t.same([health.environment, health.inspectorUrl], ['dev', inspector ? `${proxy.inspectorUrl}/__proxy/` : null], `nothing was switched${label}`)
    await (await fetch(new URL('/v1/data/posts', proxy.url))).arrayBuffer()
    t.same([dev.received.length, staging.received.length], [1, 0], `requests still go to dev${label}`)
  }
})

t.test('a switch needs JSON and a known environment', async t => {
  const { proxy } = await twoProfiles(t)
  const form = await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '{"environment":"staging"}' })
  t.equal(form.status, 415)
  t.match(((await form.json()) as { error: { message: string } }).error.message, /-H 'content-type: application\/json' -d '\{"environment": "staging"\}'/)
  const unknown = await switchTo(proxy, 'production')
  t.same([unknown.status, await unknown.json()], [400, { success: false, error: { code: 'proxy/bad-request', message: '"environment" "production" must be dev, staging or prod: send {"environment": "prod"}' } }])
  const missing = await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(missing.status, 400)
})

t.test('the inspector page carries the switch', async t => {
  const { proxy } = await twoProfiles(t)
  const page = await (await fetch(new URL('/__proxy/', proxy.inspectorUrl))).text()
  t.match(page, '<select id="environment"')
  const script = await fetch(new URL('/__proxy/assets/environment.js', proxy.inspectorUrl))
  t.same([script.status, script.headers.get('content-type')], [200, 'text/javascript; charset=utf-8'])
  t.match(await script.text(), "const PATH = '/__proxy/api/environment'")
})

t.test('the inspector scrubs the key of the profile each exchange ran with, not only the first one', async t => {
  const { proxy } = await twoProfiles(t)
  await switchTo(proxy, 'staging')
  await fetch(new URL(`/v1/data/posts?note=${STAGING_KEY}`, proxy.url))
  const list = await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).json() as { exchanges: Array<{ url: string }> }
  t.equal(list.exchanges.length, 1)
  t.notMatch(list.exchanges[0]!.url, 'STGKEY', 'the list shows no staging key')
})
