// Every exchange says which environment it went to: the pretty and compact lines carry
// "[staging]" when several profiles are configured, the inspector lists and filters by it,
// and the HAR export keeps it. One profile: no mark (there is nothing to tell apart).
import t from 'tap'
import { startProxy } from './helpers/proxy.js'
import { startFakeApi } from './helpers/fake-upstream.js'
import { switchEnvironment } from './helpers/environment-switch.js'

const DEV = `pk_${'d'.repeat(64)}`
const STAGING = `pk_${'5'.repeat(64)}`
const profiles = (url: string) => ({ apiUrl: url, apiKey: DEV, environments: { dev: { apiKey: DEV }, staging: { apiKey: STAGING } } })

for (const logFormat of ['pretty', 'compact'] as const) {
  t.test(`${logFormat}: each exchange is marked with its environment when several are configured`, async t => {
    const api = await startFakeApi(t)
    const proxy = await startProxy(t, { ...profiles(api.url), logFormat })
    await (await fetch(new URL('/v1/data/posts', proxy.url))).text()
    t.equal((await switchEnvironment(proxy, 'staging')).status, 200)
    await (await fetch(new URL('/v1/data/posts', proxy.url))).text()
    const logs = await proxy.logs()
    const line = logFormat === 'pretty' ? (id: number, env: string) => new RegExp(`^\\* #${id} \\[${env}\\] 200 OK in `, 'm') : (id: number, env: string) => new RegExp(`#${id} \\[${env}\\] GET /v1/data/posts 200 `, 'm')
    t.match(logs, line(1, 'dev'))
    t.match(logs, line(2, 'staging'))
  })
}

t.test('one profile: no environment mark', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  await (await fetch(new URL('/v1/data/posts', proxy.url))).text()
  t.match(await proxy.logs(), /^\* #1 200 OK in /m)
})

t.test('the inspector lists, filters and exports the environment', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, profiles(api.url))
  await (await fetch(new URL('/v1/data/posts', proxy.url))).text()
  await switchEnvironment(proxy, 'staging')
  await (await fetch(new URL('/v1/data/posts', proxy.url))).text()
  type List = { exchanges: Array<{ id: number, environment: string }> }
  const all = await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).json() as List
  t.same(all.exchanges.map(entry => [entry.id, entry.environment]), [[2, 'staging'], [1, 'dev']])
  const staging = await (await fetch(new URL('/__proxy/api/exchanges?environment=staging', proxy.inspectorUrl))).json() as List
  t.same(staging.exchanges.map(entry => entry.id), [2])
  const bad = await fetch(new URL('/__proxy/api/exchanges?environment=production', proxy.inspectorUrl))
  t.equal(bad.status, 400)
  const detail = await (await fetch(new URL('/__proxy/api/exchanges/2', proxy.inspectorUrl))).json() as { environment: string }
  t.equal(detail.environment, 'staging')
  const har = await (await fetch(new URL('/__proxy/api/har', proxy.inspectorUrl))).json() as { log: { entries: Array<{ _bkend: { environment: string } }> } }
  t.same(har.log.entries.map(entry => entry._bkend.environment).sort(), ['dev', 'staging'])
})
