// A .env that vanished, was cut short or is half-written is not applied when it would take
// a key away or move an upstream: the running configuration stays, and a warning names
// the file and how to apply it. A write made in steps is read once it has settled. The
// real CLI in a temporary directory; every wait is for a log line. The unsuffixed
// BKEND_API_URL (the fallback when .env is gone) is a closed loopback port.
import t from 'tap'
import { closeSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startCli, tempDir, type RunningCli } from './helpers/cli.js'
import { closedPortUrl, startFakeApi, type FakeApi } from './helpers/fake-upstream.js'
import { escapeRegExp, fingerprint } from './helpers/fingerprint.js'

const KEYS = {
  dev: 'sk_test_GUARDdev0123456789abcdefghij0001',
  staging: 'sk_test_GUARDstg0123456789abcdefghij0002',
  prod: 'sk_live_GUARDprd0123456789abcdefghij0003'
}

function dotenvText (api: FakeApi, extra: string[] = []): string {
  return [`BKEND_API_URL_DEV=${api.url}`, `BKEND_API_URL_STAGING=${api.url}`, `BKEND_API_KEY_DEV=${KEYS.dev}`, `BKEND_API_KEY_STAGING=${KEYS.staging}`, `BKEND_API_KEY_PROD=${KEYS.prod}`, ...extra].join('\n') + '\n'
}

/** Sends one request through the proxy; what the upstream received, counted. */
async function forwarded (cli: RunningCli, api: FakeApi): Promise<string> {
  const before = api.received.length
  const res = await fetch(new URL('/v1/data/posts', cli.url))
  await res.text()
  if (api.received.length !== before + 1) return `answered ${res.status}, ${api.received.length - before} requests upstream`
  const { headers } = api.received[before]!
  return [headers.authorization, headers['x-project-id'] ?? '', headers['x-environment']].join(' | ')
}

/** Resolves on the next line matching `pattern` (counting those already printed). */
function nextLine (cli: RunningCli, pattern: RegExp): Promise<void> {
  const seen = cli.stdout().match(new RegExp(pattern.source, 'g'))?.length ?? 0
  return cli.waitForStdout(new RegExp(`(${pattern.source}[^]*){${seen + 1}}`))
}

interface Teardown { teardown: (fn: () => unknown) => void }

async function startWatching (t: Teardown, text: (api: FakeApi) => string): Promise<{ api: FakeApi, cli: RunningCli, dotenv: string }> {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const dotenv = join(cwd, '.env')
  writeFileSync(dotenv, text(api))
  const cli = await startCli(t, [], { cwd, env: { BKEND_API_URL: await closedPortUrl() } })
  return { api, cli, dotenv }
}

t.test('rm .env: the keys and the upstream stay; a warning says how to apply it; a later edit applies', async t => {
  const { api, cli, dotenv } = await startWatching(t, api => dotenvText(api))
  t.equal(await forwarded(cli, api), `Bearer ${KEYS.dev} |  | dev`)

  const warned = nextLine(cli, /WARN: config: \.env/)
  rmSync(dotenv)
  await warned
  t.match(cli.stdout(), new RegExp(`WARN: config: \\.env \\(${escapeRegExp(dotenv)}\\) was deleted; reading it now would drop dev\\.apiKey \\(${fingerprint(KEYS.dev)}\\), change dev\\.apiUrl ${escapeRegExp(api.url)} → http://127\\.0\\.0\\.1:\\d+, drop staging\\.apiKey \\(${fingerprint(KEYS.staging)}\\), change staging\\.apiUrl ${escapeRegExp(api.url)} → http://127\\.0\\.0\\.1:\\d+, drop prod\\.apiKey \\(${fingerprint(KEYS.prod)}\\), so the running configuration stays\\. To apply it: restore \\.env, or restart the proxy to start from the files as they are\n`))
  t.equal(await forwarded(cli, api), `Bearer ${KEYS.dev} |  | dev`, 'still forwarded, with the key')
  t.notMatch(cli.stdout(), /config: reloaded/, 'nothing was applied')

  const reloaded = nextLine(cli, /INFO: config: reloaded \.env/)
  writeFileSync(dotenv, dotenvText(api, ['BKEND_PROJECT_ID=p2']))
  await reloaded
  t.match(cli.stdout(), /INFO: config: reloaded \.env; applied to new requests: dev\.projectId not set → p2, staging\.projectId not set → p2, prod\.projectId not set → p2\n/)
  t.equal(await forwarded(cli, api), `Bearer ${KEYS.dev} | p2 | dev`, 'a legitimate edit applies')
  t.notMatch(cli.stdout(), /GUARD(dev|stg|prd)/, 'keys by fingerprint only')
  await cli.stop()
})

t.test('.env cut to its first 60 bytes (head -c 60): the last good configuration stays, with a warning', async t => {
  const { api, cli, dotenv } = await startWatching(t, api => dotenvText(api))
  const warned = nextLine(cli, /WARN: config: \.env/)
  truncateSync(dotenv, 60)
  await warned
  t.match(cli.stdout(), /WARN: config: \.env \([^)]*\) shrank from \d+ to 60 bytes; reading it now would (cut short|drop) dev\.apiKey [^\n]*drop staging\.apiKey [^\n]*drop prod\.apiKey [^\n]*To apply it: restore \.env, or restart the proxy/)
  t.equal(await forwarded(cli, api), `Bearer ${KEYS.dev} |  | dev`, 'the dev key, whole')
  await fetch(new URL('/__proxy/api/environment', cli.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"environment":"staging"}' })
  t.equal(await forwarded(cli, api), `Bearer ${KEYS.staging} |  | staging`, 'the staging key is still there')
  t.notMatch(cli.stdout(), /config: reloaded/)
  await cli.stop()
})

t.test('a .env written in two steps, with a pause between them, is read once it has settled', async t => {
  const { api, cli, dotenv } = await startWatching(t, api => dotenvText(api))
  const text = dotenvText(api, ['BKEND_PROJECT_ID=p3'])
  const reloaded = nextLine(cli, /INFO: config: reloaded \.env/)
  // An editor that truncates, writes part (up to the middle of the dev key), pauses, then writes the rest.
  const cut = text.indexOf(KEYS.dev) + 12
  const fd = openSync(dotenv, 'w')
  writeSync(fd, text.slice(0, cut))
  await sleep(200)
  writeSync(fd, text.slice(cut))
  closeSync(fd)
  await reloaded
  t.match(cli.stdout(), /INFO: config: reloaded \.env; applied to new requests: dev\.projectId not set → p3, staging\.projectId not set → p3, prod\.projectId not set → p3\n/)
  t.equal(await forwarded(cli, api), `Bearer ${KEYS.dev} | p3 | dev`)
  t.equal(cli.stdout().match(/config: reloaded/g)?.length, 1, 'one reload, of the whole file')
  t.notMatch(cli.stdout(), /(WARN|ERROR): config/, 'the half-written state was never read as the file')
  await cli.stop()
})

t.test('while .env is missing, an edit of the --config file is held back too; restoring .env applies both', async t => {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const dotenv = join(cwd, '.env')
  const file = join(cwd, 'proxy.json')
  writeFileSync(dotenv, dotenvText(api))
  writeFileSync(file, JSON.stringify({ logBodies: false }))
  const cli = await startCli(t, ['--config', 'proxy.json'], { cwd, env: { BKEND_API_URL: await closedPortUrl() } })

  let warned = nextLine(cli, /WARN: config: \.env/)
  rmSync(dotenv)
  await warned
  warned = nextLine(cli, /WARN: config: \.env/)
  writeFileSync(file, JSON.stringify({ logBodies: false, projectId: 'p4' }))
  await warned
  t.equal(await forwarded(cli, api), `Bearer ${KEYS.dev} |  | dev`, 'neither the loss nor the edit applied')

  const reloaded = nextLine(cli, /INFO: config: reloaded \.env/)
  writeFileSync(dotenv, dotenvText(api))
  await reloaded
  t.equal(await forwarded(cli, api), `Bearer ${KEYS.dev} | p4 | dev`, 'with .env back, the edit applies')
  await cli.stop()
})
