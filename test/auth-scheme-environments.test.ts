// The auth scheme per environment, like the key: BKEND_AUTH_SCHEME_<ENV> and
// "environments": {"<env>": {"authScheme": ...}}. In the api-key scheme the signed-in
// user's token passes untouched in every profile and after every switch.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeApi, type FakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { tempDir } from './helpers/cli.js'
import { switchEnvironment } from './helpers/environment-switch.js'
import { documentedKey, userJwt } from './helpers/bkend-credentials.js'
import { ConfigError, loadConfig } from '../src/config/load-config.js'
import { ENVIRONMENTS } from '../src/config/profile-table.js'
import { configChanges } from '../src/config/config-changes.js'
import { runDoctor } from '../src/doctor/doctor.js'
import { closedPortUrl } from './helpers/fake-upstream.js'

const KEYS = { dev: documentedKey('pk', 'd001'), staging: documentedKey('pk', 'd002'), prod: documentedKey('pk', 'd003') }
const USER_TOKEN = userJwt({ sub: 'u_7', exp: 4102444800 })

t.test("the user's token passes untouched in every environment profile, before and after each switch", async t => {
  const apis = {} as Record<typeof ENVIRONMENTS[number], FakeApi>
  for (const name of ENVIRONMENTS) apis[name] = await startFakeApi(t)
  const proxy = await startProxy(t, {
    apiKey: KEYS.dev,
    apiUrl: apis.dev.url,
    environments: { staging: { apiKey: KEYS.staging, apiUrl: apis.staging.url }, prod: { apiKey: KEYS.prod, apiUrl: apis.prod.url } }
  })
  for (const name of ['dev', 'staging', 'prod', 'dev'] as const) {
    t.equal((await switchEnvironment(proxy, name)).status, 200, `${name} active`)
    const res = await fetch(new URL('/v1/data/posts?limit=1', proxy.url), { headers: { authorization: `Bearer ${USER_TOKEN}` } })
    t.equal(res.status, 200)
    await res.text()
    const sent = apis[name].received.at(-1)!.headers
    t.same([sent['x-api-key'], sent.authorization, sent['x-project-id'], sent['x-environment']], [KEYS[name], `Bearer ${USER_TOKEN}`, undefined, undefined], `${name}: its own key, the user's token`)
  }
  t.same(ENVIRONMENTS.map(name => apis[name].received.length), [2, 1, 1], 'each request reached its own environment\'s upstream')
})

t.test('a profile may force its own scheme; a switch moves the scheme with the key', async t => {
  const dev = await startFakeApi(t)
  const staging = await startFakeApi(t)
  const legacy = 'legacy-staging-key-0123456789abcdef'
  const proxy = await startProxy(t, {
    apiKey: KEYS.dev,
    apiUrl: dev.url,
    projectId: 'p1',
    environments: { staging: { apiKey: legacy, authScheme: 'api-key', apiUrl: staging.url } }
  })
  await (await fetch(new URL('/v1/x', proxy.url))).text()
  const switched = await (await switchEnvironment(proxy, 'staging')).json() as { environments: Array<{ environment: string, authScheme: string }> }
  t.same(switched.environments.map(profile => [profile.environment, profile.authScheme]), [['dev', 'api-key'], ['staging', 'api-key']], 'the switch answers each profile\'s scheme')
  await (await fetch(new URL('/v1/x', proxy.url), { headers: { authorization: `Bearer ${USER_TOKEN}` } })).text()
  t.same([dev.received[0]!.headers['x-api-key'], dev.received[0]!.headers['x-environment']], [KEYS.dev, undefined], 'dev: chosen by its pk_ key')
  const sent = staging.received[0]!.headers
  t.same([sent['x-api-key'], sent.authorization, sent['x-environment']], [legacy, `Bearer ${USER_TOKEN}`, undefined], 'staging: forced api-key for a key auto would send the original way')
  const health = await (await fetch(new URL('/__proxy/health', proxy.url))).json() as { authScheme: string, environment: string }
  t.same([health.environment, health.authScheme], ['staging', 'api-key'])
})

t.test('BKEND_AUTH_SCHEME_<ENV> and environments.<env>.authScheme set a profile\'s scheme; a bad value names its source', async t => {
  const cwd = tempDir(t)
  const file = join(cwd, 'proxy.json')
  writeFileSync(file, JSON.stringify({ environments: { prod: { apiKey: KEYS.prod, authScheme: 'bearer' } } }))
  const env = { BKEND_API_KEY: KEYS.dev, BKEND_API_KEY_STAGING: KEYS.staging, BKEND_AUTH_SCHEME_STAGING: 'bearer', BKEND_AUTH_SCHEME: 'api-key' }
  const { config } = loadConfig({ env, cwd, configFile: file })
  t.same(ENVIRONMENTS.map(name => config.environments[name]?.authScheme), ['api-key', 'bearer', 'bearer'])
  const onStaging = loadConfig({ env: { ...env, BKEND_ENVIRONMENT: 'staging' }, cwd, configFile: file })
  t.same([onStaging.config.authScheme, onStaging.origin.authScheme], ['bearer', 'BKEND_AUTH_SCHEME_STAGING'])
  t.throws(() => loadConfig({ env: { BKEND_AUTH_SCHEME_DEV: 'apikey' }, cwd }), new ConfigError('config: authScheme "apikey" (from BKEND_AUTH_SCHEME_DEV) must be auto, api-key or bearer\n  fix: BKEND_AUTH_SCHEME_DEV=api-key'))
  writeFileSync(file, JSON.stringify({ environments: { staging: { authScheme: 'x-api-key' } } }))
  t.throws(() => loadConfig({ env: {}, cwd, configFile: file }), { message: /environments.*staging\.authScheme "x-api-key", which must be auto, api-key or bearer/ })
})

t.test('a reload that changes the scheme names it once, by profile like the key', async t => {
  const cwd = tempDir(t)
  const running = loadConfig({ env: { BKEND_API_KEY: KEYS.dev }, cwd }).config
  t.same(configChanges(running, loadConfig({ env: { BKEND_API_KEY: KEYS.dev, BKEND_AUTH_SCHEME: 'bearer' }, cwd }).config).applied, ['authScheme auto → bearer'])
  const twoProfiles = loadConfig({ env: { BKEND_API_KEY: KEYS.dev, BKEND_API_KEY_STAGING: KEYS.staging }, cwd }).config
  t.same(configChanges(twoProfiles, loadConfig({ env: { BKEND_API_KEY: KEYS.dev, BKEND_API_KEY_STAGING: KEYS.staging, BKEND_AUTH_SCHEME_STAGING: 'api-key' }, cwd }).config).applied, ['staging.authScheme auto → api-key'])
})

t.test('doctor --all-environments sends each key the way its own profile does, to its own profile\'s URL only', async t => {
  const dev = await startFakeApi(t)
  const staging = await startFakeApi(t)
  const ak = documentedKey('ak', 'c003')
  const env = { BKEND_API_KEY: KEYS.dev, BKEND_API_URL: dev.url, BKEND_API_KEY_STAGING: ak, BKEND_AUTH_SCHEME_STAGING: 'bearer', BKEND_API_URL_STAGING: staging.url, BKEND_MCP_URL: await closedPortUrl() }
  await runDoctor({ loadConfig: () => loadConfig({ env, cwd: tempDir(t) }), allEnvironments: true })
  const sent = (api: FakeApi): string[] => api.received.map(request => request.headers['x-api-key'] !== undefined ? `X-API-Key ${String(request.headers['x-api-key']).slice(-4)}` : `Bearer ${String(request.headers.authorization).slice(-4)}`)
  t.same(new Set(sent(dev)), new Set(['X-API-Key d001']), 'dev\'s URL: its own pk_ key as X-API-Key, never staging\'s key')
  t.same(new Set(sent(staging)), new Set(['Bearer c003']), 'staging\'s URL: its own ak_ key as Bearer, never dev\'s key')
})
