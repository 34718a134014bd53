// `doctor --all-environments`: the auth and environment steps once per configured profile,
// then which key works where, against a fake bkend that ties each key to one environment.
import t from 'tap'
import { runCli } from './helpers/cli.js'
import { bkendReply, startFakeApi, type FakeHandler } from './helpers/fake-upstream.js'

const DEV_KEY = 'sk_test_DEVKEY0123456789abcdefghijdev1'
const PROD_KEY = 'sk_live_PRDKEY0123456789abcdefghijprd3'
const KEY_ENVIRONMENT: Record<string, string> = { [`Bearer ${DEV_KEY}`]: 'dev', [`Bearer ${PROD_KEY}`]: 'prod' }

interface Step { step: string, status: string, detail: string, fix?: string, environment?: string }

/** bkend as far as keys go: a known key works with its own environment only. */
const bkend: FakeHandler = (req, res, body) => {
  if (req.url!.startsWith('/mcp')) { res.writeHead(401, { 'www-authenticate': 'Bearer' }); res.end(); return }
  const owner = KEY_ENVIRONMENT[String(req.headers.authorization)]
  if (owner === undefined) { bkendReply(401, { success: false, error: { code: 'auth/unauthorized', message: 'Unauthorized' } })(req, res, body); return }
  if (owner !== req.headers['x-environment']) { bkendReply(404, { success: false, error: { code: 'data/environment-not-found', message: 'Environment not found' } })(req, res, body); return }
  bkendReply(200, { success: true, data: { items: [] } })(req, res, body)
}

t.test('each profile is checked with its own key, and a key copied into the wrong profile is named', async t => {
  const api = await startFakeApi(t, { handler: bkend })
  // staging got dev's key by mistake.
  const env = { BKEND_API_URL: api.url, BKEND_MCP_URL: `${api.url}/mcp`, BKEND_API_KEY_DEV: DEV_KEY, BKEND_API_KEY_STAGING: DEV_KEY, BKEND_API_KEY_PROD: PROD_KEY, BKEND_PROJECT_ID: 'p1' }
  const run = await runCli(t, ['doctor', '--all-environments', '--json'], { env, timeoutMs: 20000 })
  t.equal(run.code, 1, 'a failed profile fails the doctor')
  const steps = (JSON.parse(run.stdout) as { steps: Step[] }).steps
  const per = steps.filter(step => step.environment !== undefined).map(step => [step.step, step.environment, step.status])
  t.same(per, [['auth', 'dev', 'pass'], ['environment', 'dev', 'pass'], ['auth', 'staging', 'fail'], ['environment', 'staging', 'fail'], ['auth', 'prod', 'pass'], ['environment', 'prod', 'pass']])
  const keys = steps.find(step => step.step === 'keys')!
  t.equal(keys.status, 'fail')
  t.equal(keys.detail, 'dev key sk_test_••••dev1 (38 chars) works with dev; staging key sk_test_••••dev1 (38 chars) works with dev (not staging); prod key sk_live_••••prd3 (38 chars) works with prod')
  t.equal(keys.fix, 'give staging a key issued for staging: BKEND_API_KEY_STAGING (it is accepted by dev)')
  const pairs = api.received.filter(request => request.url.startsWith('/v1/')).map(request => `${KEY_ENVIRONMENT[String(request.headers.authorization)]}>${String(request.headers['x-environment'])}`)
  t.same(new Set(pairs), new Set(['dev>dev', 'dev>staging', 'dev>prod', 'prod>prod', 'prod>dev', 'prod>staging']), 'every key was tried against every listed environment')

  const text = await runCli(t, ['doctor', '--all-environments'], { env, timeoutMs: 20000 })
  t.match(text.stdout, /^FAIL {2}auth {9}\[staging\] GET \/v1\/data\/posts\?limit=1 answered 404 data\/environment-not-found$/m)
  t.match(text.stdout, /^FAIL {2}keys {9}dev key sk_test_••••dev1 \(38 chars\) works with dev; staging key/m)
  t.notMatch(text.stdout + run.stdout, /DEVKEY|PRDKEY/, 'keys by fingerprint only')
})

t.test('without --all-environments the doctor checks the active profile only, as before', async t => {
  const api = await startFakeApi(t, { handler: bkend })
  const env = { BKEND_API_URL: api.url, BKEND_MCP_URL: `${api.url}/mcp`, BKEND_API_KEY_DEV: DEV_KEY, BKEND_API_KEY_PROD: PROD_KEY }
  const run = await runCli(t, ['doctor', '--json'], { env, timeoutMs: 20000 })
  const steps = (JSON.parse(run.stdout) as { steps: Step[] }).steps
  t.same(steps.filter(step => ['auth', 'environment', 'keys'].includes(step.step)).map(step => [step.step, step.status, step.environment]), [['auth', 'pass', undefined], ['environment', 'pass', undefined]])
  t.same(new Set(api.received.filter(request => request.url.startsWith('/v1/')).map(request => request.headers['x-environment'])), new Set(['dev']))
})

t.test('a key travels with its own URL: profiles with URLs of their own never see another profile\'s key', async t => {
  const apis = { dev: await startFakeApi(t, { handler: bkend }), staging: await startFakeApi(t, { handler: bkend }), prod: await startFakeApi(t, { handler: bkend }) }
  const STAGING_KEY = 'sk_test_STGKEY0123456789abcdefghijstg2'
  const env = {
    BKEND_MCP_URL: `${apis.dev.url}/mcp`,
    BKEND_API_URL_DEV: apis.dev.url, BKEND_API_KEY_DEV: DEV_KEY,
    BKEND_API_URL_STAGING: apis.staging.url, BKEND_API_KEY_STAGING: STAGING_KEY,
    BKEND_API_URL_PROD: apis.prod.url, BKEND_API_KEY_PROD: PROD_KEY
  }
  const run = await runCli(t, ['doctor', '--all-environments', '--json'], { env, timeoutMs: 20000 })
  const own = { dev: `Bearer ${DEV_KEY}`, staging: `Bearer ${STAGING_KEY}`, prod: `Bearer ${PROD_KEY}` }
  for (const [name, api] of Object.entries(apis)) {
    const keys = new Set(api.received.filter(request => request.url.startsWith('/v1/')).map(request => request.headers.authorization))
    t.same([...keys], [own[name as keyof typeof own]], `${name}'s URL received ${name}'s key only`)
  }
  const keys = (JSON.parse(run.stdout) as { steps: Step[] }).steps.find(step => step.step === 'keys')!
  t.match(keys.detail, /dev key sk_test_••••dev1 \(38 chars\) works with dev \(not tried with staging, prod: a key is only sent to its own profile's URL\)/)
})
