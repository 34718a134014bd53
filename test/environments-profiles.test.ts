// Profiles: per-environment key, project and URL from BKEND_API_KEY_<ENV> (and the other
// suffixes), the config file's "environments", falling back to the unsuffixed settings;
// BKEND_ENVIRONMENT, --environment or the config file picks the active one, and the
// upstream sees one profile's key, project and X-Environment at that profile's URL.
import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig, type ConfigSources } from '../src/config/load-config.js'
import { profileSummaries, withEnvironment } from '../src/config/profiles.js'
import { keyEnvironment, keyMismatchWarning } from '../src/config/environment-warnings.js'
import { startCli, tempDir } from './helpers/cli.js'
import { startFakeApi } from './helpers/fake-upstream.js'

const DEV_KEY = 'sk_test_DEVKEY0123456789abcdefghijdev1'
const STAGING_KEY = 'sk_test_STGKEY0123456789abcdefghijstg2'
const PROD_KEY = 'sk_live_PRDKEY0123456789abcdefghijprd3'
const BASE_KEY = 'sk_test_BASEKEY0123456789abcdefghijklm'

function load (t: typeof import('tap'), sources: ConfigSources & { dotenv?: string, file?: unknown }): ReturnType<typeof loadConfig> {
  const cwd = mkdtempSync(join(tmpdir(), 'profiles-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  if (sources.dotenv !== undefined) writeFileSync(join(cwd, '.env'), sources.dotenv)
  let configFile: string | undefined
  if (sources.file !== undefined) writeFileSync(configFile = join(cwd, 'proxy.json'), JSON.stringify(sources.file))
  return loadConfig({ env: {}, ...sources, cwd, configFile })
}

function loadError (t: typeof import('tap'), sources: Parameters<typeof load>[1]): string {
  try {
    load(t, sources)
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  return 'no error'
}

t.test('BKEND_ENVIRONMENT picks the profile: its key, project and URL, the rest from the unsuffixed settings', async t => {
  const { config, origin } = load(t, {
    env: { BKEND_ENVIRONMENT: 'staging', BKEND_API_KEY: BASE_KEY, BKEND_PROJECT_ID: 'p-base', BKEND_API_KEY_STAGING: STAGING_KEY, BKEND_API_URL_STAGING: 'https://staging.example' }
  })
  t.same([config.environment, config.apiKey, config.projectId, config.apiUrl], ['staging', STAGING_KEY, 'p-base', 'https://staging.example'])
  t.same([origin.apiKey, origin.projectId, origin.apiUrl], ['BKEND_API_KEY_STAGING', 'BKEND_PROJECT_ID', 'BKEND_API_URL_STAGING'])
  const dev = withEnvironment(config, 'dev')
  t.same([dev.environment, dev.apiKey, dev.projectId, dev.apiUrl], ['dev', BASE_KEY, 'p-base', 'https://api-client.bkend.ai'], 'dev falls back to the unsuffixed settings')
})

t.test('--environment picks the profile, and a profile variable wins over the unsuffixed flag', async t => {
  const { config } = load(t, {
    flags: { environment: 'prod', projectId: 'p-flag' },
    env: { BKEND_API_KEY_PROD: PROD_KEY, BKEND_PROJECT_ID_PROD: 'p-prod', BKEND_API_KEY_DEV: DEV_KEY }
  })
  t.same([config.environment, config.apiKey, config.projectId], ['prod', PROD_KEY, 'p-prod'])
  t.equal(withEnvironment(config, 'dev').projectId, 'p-flag', 'dev has no project of its own: the flag')
})

t.test('the config file\'s "environments" and "environment" pick the profile; variables win over the file, the environment over .env', async t => {
  const { config, origin } = load(t, {
    file: { environment: 'staging', environments: { staging: { apiKey: STAGING_KEY, projectId: 'p-file', apiUrl: 'https://file.example' }, prod: { projectId: 'p-prod' } } },
    dotenv: 'BKEND_PROJECT_ID_STAGING=p-dotenv\nBKEND_API_URL_STAGING=https://dotenv.example\n',
    env: { BKEND_API_URL_STAGING: 'https://env.example' }
  })
  t.same([config.environment, config.apiKey, config.projectId, config.apiUrl], ['staging', STAGING_KEY, 'p-dotenv', 'https://env.example'])
  t.match(origin.apiKey, /^environments\.staging\.apiKey \("environments" in .*proxy\.json\)$/)
  t.match(origin.projectId, /^BKEND_PROJECT_ID_STAGING in \.env/)
  t.same(profileSummaries(config).map(profile => [profile.environment, profile.active, profile.configured]), [['dev', false, false], ['staging', true, true], ['prod', false, true]].filter(([name]) => name !== 'dev'),
    'listed: the configured profiles (dev has nothing of its own and is not active)')
})

t.test('key, project, URL and environment always change together', async t => {
  const { config } = load(t, { env: { BKEND_API_KEY_DEV: DEV_KEY, BKEND_PROJECT_ID_DEV: 'p-dev', BKEND_API_KEY_PROD: PROD_KEY, BKEND_PROJECT_ID_PROD: 'p-prod', BKEND_API_URL_PROD: 'https://prod.example' } })
  const prod = withEnvironment(config, 'prod')
  t.same([prod.environment, prod.apiKey, prod.projectId, prod.apiUrl], ['prod', PROD_KEY, 'p-prod', 'https://prod.example'])
  const back = withEnvironment(prod, 'dev')
  t.same([back.environment, back.apiKey, back.projectId, back.apiUrl], ['dev', DEV_KEY, 'p-dev', 'https://api-client.bkend.ai'], 'and back, with nothing of prod left')
  t.ok(Object.isFrozen(prod) && Object.isFrozen(prod.environments), 'a switched configuration is frozen like a loaded one')
})

t.test('a bad profile value stops start-up with what, where from and the fix, never the key', async t => {
  const variable = loadError(t, { env: { BKEND_API_URL_STAGING: 'staging.example/v1' } })
  t.match(variable, /^config: apiUrl "staging\.example\/v1" \(from BKEND_API_URL_STAGING\) is not an absolute URL[^\n]*\n {2}fix: BKEND_API_URL_STAGING=https:\/\/staging\.example$/)
  const name = loadError(t, { file: { environments: { production: { apiKey: PROD_KEY } } } })
  t.match(name, /^config: environments \(from "environments" in .*proxy\.json\) has "production", which is not an environment: use dev, staging or prod\n {2}fix: rename "production" to "prod"$/)
  const field = loadError(t, { file: { environments: { staging: { apiURL: 'https://x.example' } } } })
  t.match(field, /has staging\.apiURL; a profile has apiKey, projectId and apiUrl only\n {2}fix: rename "apiURL" to "apiUrl"$/)
  const url = loadError(t, { file: { environments: { prod: { apiUrl: 'ftp://prod.example' } } } })
  t.match(url, /has prod\.apiUrl "ftp:\/\/prod\.example", which must use http: or https:, not ftp:\n {2}fix: set "environments": \{"prod":\{"apiUrl":"https:\/\/api-client\.bkend\.ai"\}\} in .*proxy\.json$/)
  const key = loadError(t, { file: { environments: { prod: { apiKey: `${PROD_KEY}\nX-Evil: 1` } } } })
  t.match(key, /has prod\.apiKey "sk_live_/)
  t.notMatch(key, /PRDKEY/, 'the key shows as its fingerprint only')
})

t.test('a key whose prefix or JWT claim names another environment gets a warning', async t => {
  t.same(keyEnvironment(PROD_KEY)?.allows, ['prod'])
  t.same(keyEnvironment(DEV_KEY)?.allows, ['dev', 'staging'])
  t.equal(keyEnvironment('pk_abc123'), undefined, 'a key that says nothing')
  const claims = Buffer.from(JSON.stringify({ sub: 'u1', environment: 'staging' })).toString('base64url')
  const jwt = `eyJhbGciOiJIUzI1NiJ9.${claims}.c2lnbmF0dXJl`
  t.same(keyEnvironment(`Bearer ${jwt}`), { allows: ['staging'], because: 'its JWT claim "environment": "staging"' })
  t.match(keyMismatchWarning('dev', PROD_KEY), /^the API key for dev \(sk_live_••••prd3 \(38 chars\)\) looks like a key of prod \(its sk_live_ prefix\).*BKEND_API_KEY_DEV/)
  t.match(keyMismatchWarning('prod', jwt), /looks like a key of staging \(its JWT claim "environment": "staging"\)/)
  t.equal(keyMismatchWarning('staging', DEV_KEY), undefined, 'a test key in staging is fine')
  t.equal(keyMismatchWarning('prod', PROD_KEY), undefined)
})

t.test('BKEND_ENVIRONMENT=staging at start-up: the staging upstream sees staging\'s key, project and X-Environment', async t => {
  const devApi = await startFakeApi(t)
  const stagingApi = await startFakeApi(t)
  const cwd = tempDir(t)
  writeFileSync(join(cwd, '.env'), [
    `BKEND_API_KEY_DEV=${DEV_KEY}`, 'BKEND_PROJECT_ID_DEV=p-dev', `BKEND_API_URL_DEV=${devApi.url}`,
    `BKEND_API_KEY_STAGING=${STAGING_KEY}`, 'BKEND_PROJECT_ID_STAGING=p-staging', `BKEND_API_URL_STAGING=${stagingApi.url}`
  ].join('\n'))
  const cli = await startCli(t, [], { cwd, env: { BKEND_ENVIRONMENT: 'staging' } })
  t.equal((await fetch(new URL('/v1/data/posts?limit=1', cli.url))).status, 200)
  t.equal(devApi.received.length, 0, 'nothing went to dev\'s URL')
  const { headers } = stagingApi.received[0]!
  t.same([headers.authorization, headers['x-project-id'], headers['x-environment']], [`Bearer ${STAGING_KEY}`, 'p-staging', 'staging'])
  t.match(cli.stdout(), /^ {4}staging {4}key sk_test_••••stg2 \(38 chars\), project p-staging, http:\/\/127\.0\.0\.1:\d+ \(active\)$/m, 'the banner lists the profiles, keys by fingerprint')
  t.notMatch(cli.stdout(), /STGKEY|DEVKEY/)
  await cli.stop()
})
