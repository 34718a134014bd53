// A secret key is a loud choice: an sk_ key sent as X-API-Key makes every request admin,
// bypassing row-level security. The banner, a switch and doctor warn with the fix (the
// environment's pk_ key); with prod active the proxy refuses to start (or to switch)
// unless ALLOW_SECRET_KEY=true. A key in no documented format gets one banner warning.
import t from 'tap'
import { bannerFacts } from '../src/lifecycle/banner.js'
import { builtInDefaults, SETTING_KEYS, type Config, type SettingKey } from '../src/config/settings.js'
import { loadConfig } from '../src/config/load-config.js'
import { runDoctor } from '../src/doctor/doctor.js'
import { closedPortUrl, startFakeApi } from './helpers/fake-upstream.js'
import { runCli, startCli, tempDir } from './helpers/cli.js'
import { startProxy } from './helpers/proxy.js'
import { environmentState, switchEnvironment } from './helpers/environment-switch.js'
import { documentedKey } from './helpers/bkend-credentials.js'

const SK = documentedKey('sk', '5ec7')
const PK = documentedKey('pk', 'a001')
const ORIGIN = Object.fromEntries(SETTING_KEYS.map(key => [key, 'built-in default'])) as Record<SettingKey, string>
const config = (overrides: Partial<Config>): Config => ({ ...builtInDefaults(), ...overrides })
const SECRET_WARNING = /^the API key for dev \(sk_••••5ec7 \(67 chars\)\) is a secret key: bkend answers every request made with it as admin, bypassing row-level security, so the app sees rows its users never will\. Fix: use dev's publishable key \(pk_\.\.\., in the bkend console under API Keys\): BKEND_API_KEY_DEV=pk_\.\.\. or BKEND_API_KEY=pk_\.\.\.$/

t.test('the banner warns of a secret key with its fix; a pk_ key or a forced bearer scheme gets no such warning', async t => {
  t.match(bannerFacts(config({ apiKey: SK }), ORIGIN, 8787).warnings, [SECRET_WARNING])
  t.same(bannerFacts(config({ apiKey: PK }), ORIGIN, 8787).warnings, [])
  t.same(bannerFacts(config({ apiKey: SK, authScheme: 'bearer' }), ORIGIN, 8787).warnings, [], 'sent the original way, bkend does not read it as a secret key')
  const staging = bannerFacts(config({ apiKey: PK, environments: { staging: { apiKey: SK } } }), ORIGIN, 8787).warnings
  t.match(staging, [/^the API key for staging \(sk_••••5ec7 \(67 chars\)\) is a secret key: .* BKEND_API_KEY_STAGING=pk_\.\.\./], 'every configured profile, not only the active one')
})

t.test('a key in no documented format: one warning naming the three formats and BKEND_AUTH_SCHEME', async t => {
  const warnings = bannerFacts(config({ apiKey: 'sk_test_0123456789abcdefghijklmnop', environments: { prod: { apiKey: 'sk_live_0123456789abcdefghijklmnop' } } }), ORIGIN, 8787).warnings
  const format = warnings.filter(warning => /documented key formats/.test(warning))
  t.equal(format.length, 1, 'one warning for both profiles')
  t.equal(format[0], "the API key for dev (sk_test_••••mnop (34 chars)) and prod (sk_live_••••mnop (34 chars)) matches none of bkend's documented key formats (pk_ or sk_ + 64 hex characters (sent as X-API-Key), ak_ + 64 hex characters (sent as Authorization: Bearer)), so it is sent the original way, as Authorization: Bearer with X-Project-Id and X-Environment. Set BKEND_AUTH_SCHEME=api-key to send it as X-API-Key, or BKEND_AUTH_SCHEME=bearer to keep the original scheme without this warning (BKEND_AUTH_SCHEME_<ENV> for one environment).")
  t.same(bannerFacts(config({ apiKey: 'sk_test_0123456789abcdefghijklmnop', authScheme: 'bearer' }), ORIGIN, 8787).warnings, [], 'a scheme set on purpose is not warned about')
  t.same(bannerFacts(config({ apiKey: documentedKey('ak') }), ORIGIN, 8787).warnings, [], 'ak_ is documented')
})

t.test('the banner shows the scheme in use and where it came from', async t => {
  const pk = bannerFacts(config({ apiKey: PK, projectId: 'p1' }), { ...ORIGIN, projectId: 'BKEND_PROJECT_ID' }, 8787)
  t.same([pk.authScheme, pk.projectId], ['X-API-Key (auto: pk_ publishable key)', 'p1 (BKEND_PROJECT_ID), not sent: the key carries its project'])
  t.equal(bannerFacts(config({ apiKey: PK }), ORIGIN, 8787).projectId, 'not needed: the key carries its project')
  const forced = bannerFacts(config({ apiKey: PK, authScheme: 'bearer' }), { ...ORIGIN, authScheme: '--auth-scheme' }, 8787)
  t.equal(forced.authScheme, 'Authorization: Bearer, X-Project-Id, X-Environment (bearer, from --auth-scheme)')
  t.equal(bannerFacts(config({ apiKey: documentedKey('ak') }), ORIGIN, 8787).authScheme, 'Authorization: Bearer, X-Project-Id, X-Environment (auto: ak_ key, the original scheme)')
})

t.test('CLI: with prod active a secret key stops the start with one message naming the key, its source and the fix', async t => {
  const run = await runCli(t, [], { env: { BKEND_ENVIRONMENT: 'prod', BKEND_API_KEY: SK } })
  t.equal(run.code, 2)
  t.equal(run.stderr, "config: apiKey sk_••••5ec7 (67 chars) (from BKEND_API_KEY) is a secret key and prod is active (from BKEND_ENVIRONMENT): every request would act as admin on prod, bypassing row-level security, so the proxy refuses it\n  fix: give prod its publishable key (BKEND_API_KEY_PROD=pk_...), or set ALLOW_SECRET_KEY=true to use the secret key on prod on purpose\n")
  t.equal(run.stdout, '', 'nothing started')
  const profile = await runCli(t, ['--environment', 'prod'], { env: { BKEND_API_KEY: PK, BKEND_API_KEY_PROD: SK } })
  t.equal(profile.code, 2)
  t.match(profile.stderr, /^config: apiKey sk_••••5ec7 \(67 chars\) \(from BKEND_API_KEY_PROD\) is a secret key and prod is active \(from --environment\)/, 'the profile\'s own variable is named')
})

t.test('CLI: ALLOW_SECRET_KEY=true lets it start on prod, with the warning; the key is sent as X-API-Key', async t => {
  const api = await startFakeApi(t)
  const cli = await startCli(t, [], { env: { BKEND_ENVIRONMENT: 'prod', BKEND_API_KEY: SK, ALLOW_SECRET_KEY: 'true', BKEND_API_URL: api.url } })
  await cli.waitForStdout(/WARN: the API key for prod \(sk_••••5ec7 \(67 chars\)\) is a secret key/)
  t.match(cli.stdout(), /^ {2}auth {9}X-API-Key \(auto: sk_ secret key\)$/m)
  await (await fetch(new URL('/v1/data/posts?limit=1', cli.url))).text()
  t.equal(api.received[0]?.headers['x-api-key'], SK)
  t.same(await cli.stop(), { code: 0, signal: null })
  t.notMatch(cli.stdout() + cli.stderr(), SK.slice(3, 20), 'the key itself is never printed')
})

t.test('a switch to prod with a secret key is refused, and says why', async t => {
  const proxy = await startProxy(t, { apiKey: PK, environments: { prod: { apiKey: SK } } })
  const res = await switchEnvironment(proxy, 'prod')
  const body = await res.json() as { error: { code: string, message: string } }
  t.same([res.status, body.error.code], [409, 'proxy/bad-request'])
  t.match(body.error.message, /^not switched to prod: apiKey sk_••••5ec7 \(67 chars\) is a secret key and prod is active: .*; fix: give prod its publishable key \(BKEND_API_KEY_PROD=pk_\.\.\.\), or set ALLOW_SECRET_KEY=true/)
  t.equal((await environmentState(proxy)).environment, 'dev', 'still dev')
  const allowed = await startProxy(t, { apiKey: PK, allowSecretKey: true, environments: { prod: { apiKey: SK } } })
  const switched = await (await switchEnvironment(allowed, 'prod')).json() as { warnings: string[] }
  t.match(switched.warnings, [/^the API key for prod \(sk_••••5ec7 \(67 chars\)\) is a secret key/], 'allowed: switched, with the warning')
})

t.test('doctor: the config step shows the scheme, warns of a secret key with the fix, and fails on prod', async t => {
  const cwd = tempDir(t)
  const mcpUrl = await closedPortUrl()
  const doctor = async (env: Record<string, string>) => (await runDoctor({ loadConfig: () => loadConfig({ env: { BKEND_API_URL: 'http://127.0.0.1:9', BKEND_MCP_URL: mcpUrl, ...env }, cwd }) })).steps.find(step => step.step === 'config')!
  t.same(await doctor({ BKEND_API_KEY: PK }), { step: 'config', status: 'pass', detail: 'valid: API key pk_••••a001 (67 chars) from BKEND_API_KEY, sent as X-API-Key (auto: pk_ publishable key), environment dev' })
  const secret = await doctor({ BKEND_API_KEY: SK })
  t.match(secret, { status: 'pass', detail: /; warning: the API key for dev \(sk_••••5ec7 \(67 chars\)\) is a secret key: bkend answers every request made with it as admin/, fix: /^use dev's publishable key \(pk_\.\.\./ })
  t.match(await doctor({ BKEND_API_KEY: SK, BKEND_ENVIRONMENT: 'prod' }), { status: 'fail', detail: /is a secret key and prod is active/, fix: /ALLOW_SECRET_KEY=true/ })
})
