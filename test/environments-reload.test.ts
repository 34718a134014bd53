// Live reload, through the real CLI in a temporary directory: an edit of .env or of the
// --config file is applied to the requests after it, with one log line naming what
// changed (keys by fingerprint); a bad edit keeps the running configuration and logs the
// start-up message with its fix; PORT and HOST are "restart to apply"; WATCH=false and
// --no-watch turn it off. Every wait is for a log line, never a fixed sleep.
import t from 'tap'
import { renameSync, writeFileSync, appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { startCli, tempDir, type RunningCli } from './helpers/cli.js'
import { startFakeApi, type FakeApi } from './helpers/fake-upstream.js'

const KEY_1 = 'sk_test_FIRSTKEY0123456789abcdefghaaa1'
const KEY_2 = 'sk_test_SECONDKEY0123456789abcdefgbbb2'
const STAGING_KEY = 'sk_test_STGKEY0123456789abcdefghijstg2'

/** Sends one request through the proxy and returns what the upstream saw. */
async function upstreamSees (cli: RunningCli, api: FakeApi, init: RequestInit = {}): Promise<string> {
  const before = api.received.length
  const res = await fetch(new URL('/v1/data/posts', cli.url), init)
  if (res.status !== 200) return `answered ${res.status}`
  const { headers } = api.received[before]!
  return [headers.authorization, headers['x-project-id'], headers['x-environment']].join(' | ')
}

/** Counts the matches of a line in the output so far, to wait for the next one. */
function nextLine (cli: RunningCli, pattern: RegExp): Promise<void> {
  const seen = cli.stdout().match(new RegExp(pattern.source, 'g'))?.length ?? 0
  return cli.waitForStdout(new RegExp(`(${pattern.source}[^]*){${seen + 1}}`))
}

t.test('.env edited on disk: valid, saved by rename, invalid, then unchanged', async t => {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const dotenv = join(cwd, '.env')
  const lines = [`BKEND_API_URL=${api.url}`, 'BKEND_PROJECT_ID=p1']
  writeFileSync(dotenv, [...lines, `BKEND_API_KEY=${KEY_1}`].join('\n'))
  const cli = await startCli(t, [], { cwd })
  t.equal(await upstreamSees(cli, api), `Bearer ${KEY_1} | p1 | dev`)

  let reloaded = nextLine(cli, /INFO: config: reloaded \.env/)
  writeFileSync(dotenv, [...lines, `BKEND_API_KEY=${KEY_2}`].join('\n'))
  await reloaded
  t.match(cli.stdout(), /INFO: config: reloaded \.env; applied to new requests: apiKey sk_test_••••aaa1 \(38 chars\) → sk_test_••••bbb2 \(38 chars\)\n/)
  t.equal(await upstreamSees(cli, api), `Bearer ${KEY_2} | p1 | dev`)

  // Editors save by writing another file and renaming it over the old one.
  reloaded = nextLine(cli, /INFO: config: reloaded \.env/)
  writeFileSync(join(cwd, '.env.swp'), [`BKEND_API_URL=${api.url}`, 'BKEND_PROJECT_ID=p2', `BKEND_API_KEY=${KEY_2}`].join('\n'))
  renameSync(join(cwd, '.env.swp'), dotenv)
  await reloaded
  t.match(cli.stdout(), /applied to new requests: projectId p1 → p2\n/)
  t.equal(await upstreamSees(cli, api), `Bearer ${KEY_2} | p2 | dev`)

  const refused = nextLine(cli, /ERROR: config: environment "production"/)
  appendFileSync(dotenv, '\nBKEND_ENVIRONMENT=production\n')
  await refused
  t.match(cli.stdout(), /ERROR: config: environment "production" \(from BKEND_ENVIRONMENT in \/\S+\/\.env\) must be dev, staging or prod\n {2}fix: BKEND_ENVIRONMENT=prod\n {2}\(\.env changed on disk, but this value is not valid: the proxy keeps running with the configuration it had; fix the value and save again\)/)
  t.equal(await upstreamSees(cli, api), `Bearer ${KEY_2} | p2 | dev`, 'the running configuration stays')

  const unchanged = nextLine(cli, /INFO: config: \.env changed on disk; no setting changed/)
  writeFileSync(dotenv, [`BKEND_API_URL=${api.url}`, '# a comment', 'BKEND_PROJECT_ID=p2', `BKEND_API_KEY=${KEY_2}`].join('\n'))
  await unchanged
  t.equal(await upstreamSees(cli, api), `Bearer ${KEY_2} | p2 | dev`)
  t.notMatch(cli.stdout(), /FIRSTKEY|SECONDKEY/, 'keys by fingerprint only')
  await cli.stop()
})

t.test('the --config file edited on disk, profiles included', async t => {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const file = join(cwd, 'proxy.json')
  writeFileSync(file, JSON.stringify({ apiUrl: api.url, projectId: 'p-file' }))
  const cli = await startCli(t, ['--config', 'proxy.json'], { cwd, env: { BKEND_API_KEY: KEY_1 } })
  const reloaded = nextLine(cli, /INFO: config: reloaded proxy\.json/)
  writeFileSync(file, JSON.stringify({ apiUrl: api.url, projectId: 'p-file2', environments: { staging: { apiKey: STAGING_KEY, projectId: 'p-staging' } } }))
  await reloaded
  t.match(cli.stdout(), /INFO: config: reloaded proxy\.json; applied to new requests: dev\.projectId p-file → p-file2, staging\.apiKey sk_test_••••aaa1 \(38 chars\) → sk_test_••••stg2 \(38 chars\), staging\.projectId p-file → p-staging\n/)
  t.equal(await upstreamSees(cli, api), `Bearer ${KEY_1} | p-file2 | dev`)
  await fetch(new URL('/__proxy/api/environment', cli.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"environment":"staging"}' })
  t.equal(await upstreamSees(cli, api), `Bearer ${STAGING_KEY} | p-staging | staging`, 'the new profile can be switched to')
  await cli.stop()
})

t.test('a switch survives reloads that leave BKEND_ENVIRONMENT alone; an edit of BKEND_ENVIRONMENT applies', async t => {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const dotenv = join(cwd, '.env')
  const base = [`BKEND_API_URL=${api.url}`, `BKEND_API_KEY=${KEY_1}`, `BKEND_API_KEY_STAGING=${STAGING_KEY}`, 'BKEND_ENVIRONMENT=dev']
  writeFileSync(dotenv, base.join('\n'))
  const cli = await startCli(t, [], { cwd })
  await fetch(new URL('/__proxy/api/environment', cli.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"environment":"staging"}' })
  let reloaded = nextLine(cli, /INFO: config: reloaded \.env/)
  writeFileSync(dotenv, [...base, 'BKEND_PROJECT_ID=p9'].join('\n'))
  await reloaded
  t.equal(await upstreamSees(cli, api), `Bearer ${STAGING_KEY} | p9 | staging`, 'still staging after an unrelated edit')
  reloaded = nextLine(cli, /WARN: !!! PROD/)
  writeFileSync(dotenv, [...base, 'BKEND_PROJECT_ID=p9'].join('\n').replace('BKEND_ENVIRONMENT=dev', 'BKEND_ENVIRONMENT=prod'))
  await reloaded
  t.match(cli.stdout(), /applied to new requests: environment staging → prod\n[^\n]*WARN: !!! PROD is the active environment/)
  t.equal(await upstreamSees(cli, api), `Bearer ${KEY_1} | p9 | prod`, 'the edited BKEND_ENVIRONMENT applies')
  await cli.stop()
})

t.test('PORT and HOST edited: reported as "restart to apply", the proxy keeps its socket', async t => {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const dotenv = join(cwd, '.env')
  writeFileSync(dotenv, `BKEND_API_URL=${api.url}\nPORT=0\nINSPECTOR_PORT=0\n`)
  const cli = await startCli(t, [], { cwd, portFromSettings: true })
  const reloaded = nextLine(cli, /INFO: config: reloaded \.env/)
  writeFileSync(dotenv, `BKEND_API_URL=${api.url}\nPORT=8788\nINSPECTOR_PORT=0\nHOST=0.0.0.0\nLOG_BODIES=true\n`)
  await reloaded
  t.match(cli.stdout(), /INFO: config: reloaded \.env; applied to new requests: logBodies false → true; restart to apply: port 0 → 8788, host 127\.0\.0\.1 → 0\.0\.0\.0\n/)
  t.equal((await fetch(new URL('/__proxy/health', cli.url))).status, 200, 'still listening where it was')
  await cli.stop()
})

t.test('CORS_ORIGINS edited: a page refused before the save is allowed after it, no restart', async t => {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const dotenv = join(cwd, '.env')
  writeFileSync(dotenv, `BKEND_API_URL=${api.url}\n`)
  const cli = await startCli(t, [], { cwd })
  const origin = { origin: 'https://app.example' }
  const refused = await fetch(new URL('/v1/data/posts', cli.url), { headers: origin })
  t.equal(refused.status, 403)
  await cli.waitForStdout(/hint: the page https:\/\/app\.example is not in CORS_ORIGINS[^\n]*; a saved \.env applies at once/)
  const reloaded = nextLine(cli, /INFO: config: reloaded \.env/)
  appendFileSync(dotenv, 'CORS_ORIGINS=https://app.example\n')
  await reloaded
  const allowed = await fetch(new URL('/v1/data/posts', cli.url), { headers: origin })
  t.same([allowed.status, allowed.headers.get('access-control-allow-origin')], [200, 'https://app.example'])
  await cli.stop()
})

t.test('--no-watch and WATCH=false: an edit is not applied', async t => {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const dotenv = join(cwd, '.env')
  writeFileSync(dotenv, `BKEND_API_URL=${api.url}\nBKEND_API_KEY=${KEY_1}\n`)
  const watching = await startCli(t, [], { cwd })
  const flag = await startCli(t, ['--no-watch'], { cwd })
  const variable = await startCli(t, [], { cwd, env: { WATCH: 'false' } })
  // The watching proxy's reload line shows the edit was seen; the others have no watcher at all.
  const reloaded = nextLine(watching, /INFO: config: reloaded \.env/)
  writeFileSync(dotenv, `BKEND_API_URL=${api.url}\nBKEND_API_KEY=${KEY_2}\n`)
  await reloaded
  t.equal(await upstreamSees(watching, api), `Bearer ${KEY_2} |  | dev`)
  t.equal(await upstreamSees(flag, api), `Bearer ${KEY_1} |  | dev`, '--no-watch')
  t.equal(await upstreamSees(variable, api), `Bearer ${KEY_1} |  | dev`, 'WATCH=false')
  t.notMatch(flag.stdout() + variable.stdout(), /config: reloaded/)
  await Promise.all([watching, flag, variable].map(cli => cli.stop()))
})
