// `bkend-dev-proxy init` as a child process without a terminal: the key from the
// environment, the refusal to replace a .env, the .gitignore line, bad input, and the
// proxy started afterwards in that directory injecting what init wrote.
import t from 'tap'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, startCli, tempDir } from './helpers/cli.js'
import { startFakeApi } from './helpers/fake-upstream.js'
import { documentedKey } from './helpers/bkend-credentials.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'
const FINGERPRINT = 'sk_test_••••mnop (40 chars)'

t.test('writes .env from BKEND_API_KEY and the flags, shows only the fingerprint, and names the next command', async t => {
  const dir = tempDir(t)
  const run = await runCli(t, ['init', '--project-id', 'p-42', '--environment', 'staging'], { cwd: dir, env: { BKEND_API_KEY: KEY } })
  t.same([run.code, run.stderr], [0, ''])
  const lines = readFileSync(join(dir, '.env'), 'utf8').split('\n').filter(line => !line.startsWith('#'))
  t.same(lines, [`BKEND_API_KEY=${KEY}`, 'BKEND_PROJECT_ID=p-42', 'BKEND_ENVIRONMENT=staging', ''])
  t.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600, 'readable by its owner only')
  t.notMatch(run.stdout, KEY.slice(8), 'no part of the key past its kind prefix is printed')
  t.match(run.stdout, `BKEND_API_KEY      ${FINGERPRINT}`)
  t.match(run.stdout, /^next: bkend-dev-proxy doctor /m)
  t.match(run.stdout, /^ {6}bkend-dev-proxy {3,}starts the proxy/m)
  // Both shipped examples, by a path that exists, and what each is for.
  const example = (name: string): string => run.stdout.match(new RegExp(`^ {2}(\\S+${name.replace('.', '\\.')}) {2}(.*)$`, 'm'))?.[1] ?? ''
  t.ok(existsSync(example('/.env.example')), `.env.example named by its path: ${example('/.env.example')}`)
  t.ok(existsSync(example('/config/example.json')), `config/example.json named by its path: ${example('/config/example.json')}`)
  t.match(run.stdout, /\.env\.example {2}every setting \.env may hold/)
  t.match(run.stdout, /config\/example\.json {2}a --config file: profiles \(environments\), extra headers and headerPolicy/)
})

t.test('takes the project and environment from the environment when no flag gives them; the flag wins', async t => {
  const dir = tempDir(t)
  const env = { BKEND_API_KEY: KEY, BKEND_PROJECT_ID: 'from-env', BKEND_ENVIRONMENT: 'prod' }
  const run = await runCli(t, ['init', '--project-id', 'from-flag'], { cwd: dir, env })
  t.equal(run.code, 0, run.stderr)
  t.match(readFileSync(join(dir, '.env'), 'utf8'), /^BKEND_PROJECT_ID=from-flag\nBKEND_ENVIRONMENT=prod\n$/m)
})

t.test('under npx the next command is spelled with npx', async t => {
  const run = await runCli(t, ['init'], { env: { BKEND_API_KEY: KEY, npm_command: 'exec' } })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /^next: npx bkend-dev-proxy doctor /m)
})

t.test('the proxy started where init ran injects the key, project and environment it wrote', async t => {
  const dir = tempDir(t)
  const init = await runCli(t, ['init', '--project-id', 'p-42', '--environment', 'staging'], { cwd: dir, env: { BKEND_API_KEY: KEY } })
  t.equal(init.code, 0, init.stderr)
  const api = await startFakeApi(t)
  const proxy = await startCli(t, ['--api-url', api.url], { cwd: dir })
  const res = await fetch(new URL('/v1/data/posts?limit=1', proxy.url))
  t.equal(res.status, 200)
  const sent = api.received[0]!.headers
  t.same([sent.authorization, sent['x-project-id'], sent['x-environment']], [`Bearer ${KEY}`, 'p-42', 'staging'])
  await proxy.stop()
})

t.test('shows the scheme the key will be sent with; a pk_ key needs no project id', async t => {
  const dir = tempDir(t)
  const pk = documentedKey('pk', 'a001')
  const run = await runCli(t, ['init'], { cwd: dir, env: { BKEND_API_KEY: pk } })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /^ {2}BKEND_API_KEY {6}pk_••••a001 \(67 chars\), sent as X-API-Key \(auto: pk_ publishable key\)$/m)
  t.match(run.stdout, /^ {2}BKEND_PROJECT_ID {3}\(not needed: the key carries its project\)$/m)
  t.notMatch(run.stdout, /warning/)
  const text = readFileSync(join(dir, '.env'), 'utf8')
  t.match(text, /^# The key goes upstream as X-API-Key \(auto: pk_ publishable key\); BKEND_AUTH_SCHEME=api-key or bearer chooses otherwise\.$/m)
  t.same(text.split('\n').filter(line => !line.startsWith('#')), [`BKEND_API_KEY=${pk}`, 'BKEND_PROJECT_ID=', 'BKEND_ENVIRONMENT=dev', ''])
})

t.test('a secret key gets the warning and its fix; BKEND_AUTH_SCHEME other than auto is written', async t => {
  const dir = tempDir(t)
  const sk = documentedKey('sk', '5ec7')
  const run = await runCli(t, ['init', '--environment', 'staging'], { cwd: dir, env: { BKEND_API_KEY: sk } })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /^warning: the API key for staging \(sk_••••5ec7 \(67 chars\)\) is a secret key: .* Fix: use staging's publishable key/m)
  const forced = tempDir(t)
  const bearer = await runCli(t, ['init', '--project-id', 'p1'], { cwd: forced, env: { BKEND_API_KEY: sk, BKEND_AUTH_SCHEME: 'bearer' } })
  t.equal(bearer.code, 0, bearer.stderr)
  t.match(bearer.stdout, /sent as Authorization: Bearer, X-Project-Id, X-Environment \(bearer, from BKEND_AUTH_SCHEME\)$/m)
  t.notMatch(bearer.stdout, /warning/, 'sent the original way, bkend does not read it as a secret key')
  t.same(readFileSync(join(forced, '.env'), 'utf8').split('\n').filter(line => !line.startsWith('#')), [`BKEND_API_KEY=${sk}`, 'BKEND_AUTH_SCHEME=bearer', 'BKEND_PROJECT_ID=p1', 'BKEND_ENVIRONMENT=dev', ''])
})

t.test('refuses to replace an existing .env without --force, and replaces it with --force', async t => {
  const dir = tempDir(t)
  writeFileSync(join(dir, '.env'), 'BKEND_API_KEY=old\n')
  const refused = await runCli(t, ['init'], { cwd: dir, env: { BKEND_API_KEY: KEY } })
  t.equal(refused.code, 1)
  t.equal(refused.stdout, '')
  t.match(refused.stderr, /^init: \S+\.env already exists; it was left as it is\n {2}fix: .*init --force/)
  t.equal(readFileSync(join(dir, '.env'), 'utf8'), 'BKEND_API_KEY=old\n', 'untouched')

  const forced = await runCli(t, ['init', '--force'], { cwd: dir, env: { BKEND_API_KEY: KEY } })
  t.equal(forced.code, 0, forced.stderr)
  t.match(readFileSync(join(dir, '.env'), 'utf8'), `BKEND_API_KEY=${KEY}\n`)
})

t.test('.gitignore', async t => {
  t.test('gets a .env line when it lacks one, on a line of its own', async t => {
    const dir = tempDir(t)
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\ndist/')
    const run = await runCli(t, ['init'], { cwd: dir, env: { BKEND_API_KEY: KEY } })
    t.equal(run.code, 0, run.stderr)
    t.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules/\ndist/\n.env\n')
    t.match(run.stdout, /^added \.env to \.gitignore$/m)
  })

  t.test('is left alone when it already ignores .env', async t => {
    const dir = tempDir(t)
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n/.env\n')
    const run = await runCli(t, ['init'], { cwd: dir, env: { BKEND_API_KEY: KEY } })
    t.equal(run.code, 0, run.stderr)
    t.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules/\n/.env\n')
    t.notMatch(run.stdout, /gitignore/)
  })

  t.test('is not created where there is none', async t => {
    const dir = tempDir(t)
    const run = await runCli(t, ['init'], { cwd: dir, env: { BKEND_API_KEY: KEY } })
    t.equal(run.code, 0, run.stderr)
    t.equal(existsSync(join(dir, '.gitignore')), false)
    t.match(run.stdout, /^no \.gitignore here: keep \.env out of version control$/m)
  })
})

t.test('refuses without writing anything', async t => {
  const cases: Array<{ name: string, args: string[], env: Record<string, string>, stderr: RegExp }> = [
    { name: 'no key and no terminal to ask on', args: [], env: {}, stderr: /^init: no API key: BKEND_API_KEY is not set, and there is no terminal to ask on\n {2}fix: BKEND_API_KEY=pk_\.\.\. bkend-dev-proxy init/ },
    { name: 'an environment that is not dev, staging or prod', args: ['--environment', 'production'], env: { BKEND_API_KEY: KEY }, stderr: /^init: BKEND_ENVIRONMENT "production" \(from --environment\) must be dev, staging or prod\n {2}fix: --environment prod\n$/ },
    { name: 'a key that .env would read back differently', args: [], env: { BKEND_API_KEY: `${KEY}#x` }, stderr: /^init: BKEND_API_KEY: the key cannot be written as a plain NAME=value line/ },
    { name: 'a key flag, which ps would show', args: ['--api-key', KEY], env: { BKEND_API_KEY: KEY }, stderr: /^init: Unknown option '--api-key'\n {2}fix: see bkend-dev-proxy init --help\n$/ }
  ]
  for (const { name, args, env, stderr } of cases) {
    t.test(name, async t => {
      const dir = tempDir(t)
      const run = await runCli(t, ['init', ...args], { cwd: dir, env })
      t.equal(run.code, 2)
      t.equal(run.stdout, '')
      t.match(run.stderr, stderr)
      t.notMatch(run.stderr, KEY.slice(8), 'the key is not echoed in the refusal')
      t.equal(existsSync(join(dir, '.env')), false, 'no .env written')
    })
  }
})

t.test('init --help describes the command; the main --help names it', async t => {
  const [own, main] = await Promise.all([runCli(t, ['init', '--help']), runCli(t, ['--help'])])
  t.equal(own.code, 0)
  t.match(own.stdout, /^Usage: bkend-dev-proxy init \[--project-id <id>\] \[--environment dev\|staging\|prod\] \[--force\]/)
  t.match(main.stdout, /^ {7}bkend-dev-proxy init /m)
})
