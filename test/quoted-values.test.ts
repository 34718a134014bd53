// Values that carry their own quotes: `docker run --env-file` (and compose's list form)
// pass BKEND_API_KEY="sk_..." with the quotes, unlike the proxy's own .env reader.
// The value is used as given, and the banner says so; a quoted value that fails
// validation gets a fix without the quotes.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, startCli, tempDir } from './helpers/cli.js'
import { startFakeApi } from './helpers/fake-upstream.js'
import { documentedKey } from './helpers/bkend-credentials.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

function warnings (stdout: string): string[] {
  return stdout.split('\n').filter(line => /\bWARN\b/.test(line))
}

t.test('a double-quoted API key from the environment: banner warning names it and its source, never shows it', async t => {
  const api = await startFakeApi(t)
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, BKEND_API_KEY: `"${KEY}"` } })
  await cli.waitForStdout(/WARN: .*quote/)
  const quoted = warnings(cli.stdout()).filter(line => /quote/.test(line))
  t.equal(quoted.length, 1, 'one warning')
  t.match(quoted[0], /WARN: apiKey \(from BKEND_API_KEY\) starts and ends with a " quote.*remove the quotes/i)
  await (await fetch(new URL('/v1/x', cli.url))).text()
  t.equal(api.received[0]?.headers.authorization, `Bearer "${KEY}"`, 'the value is used as given')
  t.same(await cli.stop(), { code: 0, signal: null })
  t.notMatch(cli.stdout() + cli.stderr(), 'CANARY0123456789', 'the key is never printed')
})

t.test('a single-quoted project id from a flag: the warning names the flag', async t => {
  const cli = await startCli(t, ['--project-id', "'p1'"])
  await cli.waitForStdout(/WARN: .*quote/)
  t.match(warnings(cli.stdout()).join('\n'), /WARN: projectId \(from --project-id\) starts and ends with a ' quote/)
})

t.test('quotes in .env are read away by the proxy: no warning', async t => {
  const cwd = tempDir(t)
  writeFileSync(join(cwd, '.env'), `BKEND_API_KEY="${KEY}"\nBKEND_PROJECT_ID='p1'\n`)
  const cli = await startCli(t, [], { cwd })
  t.same(await cli.stop(), { code: 0, signal: null })
  t.match(cli.stdout(), /^ {2}project id {3}p1 \(BKEND_PROJECT_ID in \S*\.env/m, 'the project id arrived without quotes')
  t.same(warnings(cli.stdout()).filter(line => /quote/.test(line)), [])
})

t.test('unquoted values get no quote warning, even with a quote inside', async t => {
  // An ak_ key: the original scheme, chosen by its documented format without a warning of its own.
  const cli = await startCli(t, ['--project-id', 'it"s'], { env: { BKEND_API_KEY: documentedKey('ak') } })
  t.same(await cli.stop(), { code: 0, signal: null })
  t.same(warnings(cli.stdout()), [])
})

t.test('a quoted value that fails validation: the fix is the value without its quotes', async t => {
  const run = await runCli(t, [], { env: { BKEND_ENVIRONMENT: '"staging"' } })
  t.equal(run.code, 2)
  t.equal(run.stderr, 'config: environment "\\"staging\\"" (from BKEND_ENVIRONMENT) must be dev, staging or prod; the quotes are part of the value here\n  fix: BKEND_ENVIRONMENT=staging\n')
})
