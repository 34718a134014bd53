// Guard rails while prod is active: writes refused with 403 proxy/prod-read-only and
// nothing sent upstream (API and MCP), unless PROD_READ_ONLY=false; every exchange marked
// PROD in the pretty log and "environment": "prod" in JSON; a banner line that cannot be
// missed; a warning when a key names another environment, at start-up and on a switch.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { startCli, tempDir } from './helpers/cli.js'

const PROD_KEY = 'sk_live_PRDKEY0123456789abcdefghijprd3'
const DEV_KEY = 'sk_test_DEVKEY0123456789abcdefghijdev1'
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE']

interface ErrorBody { success: boolean, error: { code: string, message: string } }

t.test('with prod active, each writing method is refused in bkend\'s shape and nothing goes upstream (API and MCP)', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, mcpUrl: `${api.url}/mcp`, apiKey: PROD_KEY, environment: 'prod' })
  for (const method of WRITES) {
    for (const path of ['/v1/data/posts/1', '/mcp']) {
      const res = await fetch(new URL(path, proxy.url), { method, headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' }, body: '{"title":"x"}' })
      const body = await res.json() as ErrorBody
      t.same([res.status, body.success, body.error.code], [403, false, 'proxy/prod-read-only'], `${method} ${path}`)
      t.match(body.error.message, /PROD_READ_ONLY=false/, 'the message names the setting')
      t.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:5173', 'an allowed page can read the refusal')
    }
  }
  t.equal(api.started, 0, 'zero upstream hits')
  for (const method of ['GET', 'HEAD']) t.equal((await fetch(new URL('/v1/data/posts', proxy.url), { method })).status, 200, `${method} still reads prod`)
  const preflight = await fetch(new URL('/v1/data/posts', proxy.url), { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } })
  t.equal(preflight.status, 204, 'a preflight is not a write')
  t.equal(api.started, 2)
})

t.test('the proxy\'s own POST routes are not writes to prod', async t => {
  const proxy = await startProxy(t, { apiKey: PROD_KEY, environment: 'prod', apiUrl: 'http://127.0.0.1:9' })
  const res = await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"environment":"dev"}' })
  t.equal(res.status, 200, 'switching away from prod is always possible')
})

t.test('PROD_READ_ONLY=false lets writes through to prod', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: PROD_KEY, environment: 'prod', prodReadOnly: false })
  for (const method of WRITES) t.equal((await fetch(new URL('/v1/data/posts/1', proxy.url), { method, body: '{}' })).status, 200, method)
  t.same(api.received.map(request => [request.method, request.headers['x-environment']]), WRITES.map(method => [method, 'prod']))
})

t.test('a switch to prod applies read-only to the requests after it', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: DEV_KEY, environments: { prod: { apiKey: PROD_KEY, projectId: 'p-prod', apiUrl: api.url } } })
  t.equal((await fetch(new URL('/v1/data/posts', proxy.url), { method: 'POST', body: '{}' })).status, 200, 'dev takes writes')
  const switched = await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"environment":"prod"}' })
  t.equal(switched.status, 200)
  t.equal((await fetch(new URL('/v1/data/posts', proxy.url), { method: 'POST', body: '{}' })).status, 403)
  t.equal(api.started, 1)
  t.match(await proxy.logs(), /WARN: environment: switched dev → prod [^\n]*!!! PROD is the active environment/, 'the switch line says prod, at warn')
})

t.test('every prod exchange is marked: PROD in the pretty summary line and the compact line, "environment": "prod" in JSON', async t => {
  const api = await startFakeApi(t)
  const environments = { prod: { apiKey: PROD_KEY, projectId: 'p-prod', apiUrl: api.url } }
  const pretty = await startProxy(t, { apiUrl: api.url, apiKey: DEV_KEY, environments })
  const json = await startProxy(t, { apiUrl: api.url, apiKey: DEV_KEY, environments, logFormat: 'json' })
  const compact = await startProxy(t, { apiUrl: api.url, apiKey: DEV_KEY, environments, logFormat: 'compact' })
  for (const proxy of [pretty, json, compact]) {
    await fetch(new URL('/v1/data/posts', proxy.url))
    await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"environment":"prod"}' })
    await fetch(new URL('/v1/data/posts', proxy.url))
    await fetch(new URL('/v1/data/posts', proxy.url), { method: 'DELETE' })
  }
  const summaries = (await pretty.logs()).split('\n').filter(line => /^\* #\d+ .*(ms|bytes)/.test(line))
  t.match(summaries, [/^\* #\d+ \[dev\] 200 OK in /, /^\* #\d+ PROD 200 OK in /, /^\* #\d+ PROD 403 Forbidden proxy\/prod-read-only in /])
  const lines = (await json.logs()).trim().split('\n').map(line => JSON.parse(line) as { environment?: string, exchange?: { url: string, method: string, environment: string } })
  const exchanges = lines.filter(line => line.exchange !== undefined && line.exchange.url.startsWith('/v1/'))
  t.same(exchanges.map(line => [line.exchange!.method, line.environment, line.exchange!.environment]), [['GET', 'dev', 'dev'], ['GET', 'prod', 'prod'], ['DELETE', 'prod', 'prod']])
  const compactLines = (await compact.logs()).split('\n').filter(line => / \/v1\//.test(line))
  t.match(compactLines, [/ #\d+ \[dev\] GET \/v1\/data\/posts 200 /, / #\d+ PROD GET \/v1\/data\/posts 200 /, / #\d+ PROD DELETE \/v1\/data\/posts 403 /], 'LOG_FORMAT=compact too')
})

t.test('CLI: a banner line that cannot be missed while prod is active, a warning with PROD_READ_ONLY=false, and the flag beats the variable', async t => {
  const api = await startFakeApi(t)
  const env = { BKEND_ENVIRONMENT: 'prod', BKEND_API_KEY: PROD_KEY, BKEND_API_URL: api.url }
  const guarded = await startCli(t, [], { env })
  t.match(guarded.stdout(), /listening on [^\n]*\n!!! PROD is the active environment: reads go to prod; POST, PUT, PATCH and DELETE are refused \(PROD_READ_ONLY, on by default\) !!!\n/)
  const open = await startCli(t, [], { env: { ...env, PROD_READ_ONLY: 'false' } })
  t.match(open.stdout(), /!!! PROD is the active environment and PROD_READ_ONLY=false: every request, writes included, goes to prod !!!/)
  await open.waitForStdout(/WARN: prod is active and PROD_READ_ONLY=false: POST, PUT, PATCH and DELETE reach prod/)
  t.equal((await fetch(new URL('/v1/data/posts', open.url), { method: 'POST', body: '{}' })).status, 200)
  const flagged = await startCli(t, ['--prod-read-only'], { env: { ...env, PROD_READ_ONLY: 'false' } })
  t.equal((await fetch(new URL('/v1/data/posts', flagged.url), { method: 'POST', body: '{}' })).status, 403, '--prod-read-only wins over PROD_READ_ONLY=false')
  const cwd = tempDir(t)
  writeFileSync(join(cwd, 'proxy.json'), JSON.stringify({ prodReadOnly: false }))
  const configured = await startCli(t, ['--config', 'proxy.json'], { env, cwd })
  t.equal((await fetch(new URL('/v1/data/posts', configured.url), { method: 'PATCH', body: '{}' })).status, 200, '"prodReadOnly": false in the config file')
  t.equal(api.received.length, 2)
  await Promise.all([guarded, open, flagged, configured].map(cli => cli.stop()))
})

t.test('CLI: a key that names another environment is warned about at start-up and on a switch', async t => {
  const cwd = tempDir(t)
  writeFileSync(join(cwd, '.env'), `BKEND_API_KEY_DEV=${PROD_KEY}\nBKEND_API_KEY_PROD=${DEV_KEY}\nBKEND_API_URL=http://127.0.0.1:9\n`)
  const cli = await startCli(t, [], { cwd })
  await cli.waitForStdout(/WARN: the API key for dev \(sk_live_••••prd3 \(38 chars\)\) looks like a key of prod \(its sk_live_ prefix\)[^]*WARN: the API key for prod \(sk_test_••••dev1 \(38 chars\)\) looks like a key of dev or staging/)
  const before = cli.stdout().length
  const res = await fetch(new URL('/__proxy/api/environment', cli.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"environment":"prod"}' })
  const body = await res.json() as { warnings: string[] }
  t.match(body.warnings, [/^the API key for prod \(sk_test_••••dev1 \(38 chars\)\) looks like a key of dev or staging \(its sk_test_ prefix\)/])
  await cli.waitForStdout(/switched dev → prod[^]*WARN: the API key for prod/)
  t.notMatch(cli.stdout().slice(before), /the API key for dev/, 'on a switch, the profile switched to')
  t.notMatch(cli.stdout() + JSON.stringify(body), /PRDKEY|DEVKEY/)
  await cli.stop()
})
