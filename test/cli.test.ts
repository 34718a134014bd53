// The real CLI as a child process: help, version, refused settings, precedence of the
// sources, the banner, the exchange log and TLS trust. Signals live in shutdown-signals.test.ts.
import t, { type Test } from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, startCli, tempDir, type CliResult } from './helpers/cli.js'
import { FIXTURES, bkendReply, startFakeApi } from './helpers/fake-upstream.js'

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'
const STACK_LINE = /^ {4}at /m
const ANSI = /\u001b\[/

interface Health { environment: string, projectId: string | null, keySet: boolean, mcpUpstream: string, upstream: string }

async function health (url: string): Promise<Health> {
  const res = await fetch(new URL('/__proxy/health', url))
  return await res.json() as Health
}

t.test('--help lists every flag and variable and exits 0', async t => {
  const run = await runCli(t, ['--help'])
  t.same([run.code, run.stderr], [0, ''])
  t.match(run.stdout, /^bkend-dev-proxy \S+: a local proxy for the bkend API/)
  const flags = ['--port', '--host', '--api-url', '--mcp-url', '--project-id', '--environment', '--cors-origins', '--allowed-hosts',
    '--upstream-timeout-ms', '--shutdown-grace-ms', '--log-format', '--log-level', '--log-bodies', '--config']
  const variables = ['PORT', 'HOST', 'BKEND_API_URL', 'BKEND_MCP_URL', 'BKEND_API_KEY', 'BKEND_PROJECT_ID', 'BKEND_ENVIRONMENT',
    'CORS_ORIGINS', 'ALLOWED_HOSTS', 'UPSTREAM_TIMEOUT_MS', 'LOG_FORMAT', 'LOG_LEVEL']
  for (const flag of flags) t.match(run.stdout, new RegExp(`^  ${flag}\\b`, 'm'), `lists ${flag} at the start of a row`)
  for (const variable of variables) t.match(run.stdout, new RegExp(`(^|\\s)${variable}(\\s|$)`, 'm'), `names ${variable}`)
  t.notMatch(run.stdout, /--api-key/, 'the key is never a flag')
})

t.test('-h is --help', async t => {
  const [long, short] = await Promise.all([runCli(t, ['--help']), runCli(t, ['-h'])])
  t.same([short.code, short.stdout], [0, long.stdout])
})

t.test('--version prints the package version and exits 0', async t => {
  const [long, short] = await Promise.all([runCli(t, ['--version']), runCli(t, ['-v'])])
  t.same([long.code, long.stdout, long.stderr], [0, `${VERSION}\n`, ''])
  t.same([short.code, short.stdout], [0, `${VERSION}\n`])
})

/** A refused start: exit 2, nothing on stdout, exactly the message and its fix line on stderr, no stack. */
function assertRefused (t: Test, run: CliResult, message: string | RegExp, fix: string | RegExp): void {
  t.equal(run.code, 2, 'exit code 2')
  t.equal(run.stdout, '', 'nothing on stdout: no banner, no listener')
  t.notMatch(run.stderr, STACK_LINE, 'no stack trace')
  t.equal(run.stderr.endsWith('\n'), true, 'ends with a newline')
  const lines = run.stderr.slice(0, -1).split('\n')
  t.equal(lines.length, 2, 'one message: the problem and its fix')
  if (typeof message === 'string') t.equal(lines[0], message)
  else t.match(lines[0], message)
  if (typeof fix === 'string') t.equal(lines[1], `  fix: ${fix}`)
  else t.match(lines[1], fix)
}

t.test('refuses bad settings with one message naming the setting, its source, the value and a fix', async t => {
  t.test('PORT=abc', async t => {
    const run = await runCli(t, [], { env: { PORT: 'abc' } })
    assertRefused(t, run, 'config: port "abc" (from PORT) must be a whole number from 0 to 65535', /^ {2}fix: PORT=\d+$/)
  })

  t.test('--port abc names the flag', async t => {
    const run = await runCli(t, ['--port', 'abc'])
    assertRefused(t, run, 'config: port "abc" (from --port) must be a whole number from 0 to 65535', /^ {2}fix: --port \d+$/)
  })

  t.test('BKEND_ENVIRONMENT=production', async t => {
    const run = await runCli(t, ['--port', '0'], { env: { BKEND_ENVIRONMENT: 'production' } })
    assertRefused(t, run, 'config: environment "production" (from BKEND_ENVIRONMENT) must be dev, staging or prod', /^ {2}fix: BKEND_ENVIRONMENT=(dev|staging|prod)$/)
  })

  t.test('BKEND_API_URL without a scheme', async t => {
    const run = await runCli(t, ['--port', '0'], { env: { BKEND_API_URL: 'api-client.bkend.ai' } })
    assertRefused(t, run, /^config: apiUrl "api-client\.bkend\.ai" \(from BKEND_API_URL\) .*https:\/\//, 'BKEND_API_URL=https://api-client.bkend.ai')
  })

  t.test('BKEND_API_URL ending in /v1', async t => {
    const run = await runCli(t, ['--port', '0'], { env: { BKEND_API_URL: 'https://x.test/v1' } })
    assertRefused(t, run, /^config: apiUrl "https:\/\/x\.test\/v1" \(from BKEND_API_URL\) must not end in \/v1/, 'BKEND_API_URL=https://x.test')
  })

  t.test('a config file with an unknown key names the key and the file', async t => {
    const file = join(tempDir(t), 'proxy.json')
    writeFileSync(file, JSON.stringify({ projectid: 'p1' }))
    const run = await runCli(t, ['--port', '0', '--config', file])
    assertRefused(t, run, `config: unknown key "projectid" in ${file}`, /^ {2}fix: did you mean "projectId"\? known keys are .*\bprojectId\b/)
  })

  t.test('a config file that is not JSON', async t => {
    const file = join(tempDir(t), 'proxy.json')
    writeFileSync(file, '{ "projectId": "p1", }')
    const run = await runCli(t, ['--port', '0', '--config', file])
    assertRefused(t, run, new RegExp(`^config: config file ${file} is not valid JSON: `), /^ {2}fix: correct the JSON/)
  })

  t.test('--config pointing to a missing file', async t => {
    const file = join(tempDir(t), 'missing.json')
    const run = await runCli(t, ['--port', '0', '--config', file])
    assertRefused(t, run, `config: config file ${file} (from --config) does not exist`, 'pass the path of an existing JSON file to --config')
  })

  t.test('an unknown flag points to --help', async t => {
    const run = await runCli(t, ['--bogus'])
    assertRefused(t, run, "bkend-dev-proxy: Unknown option '--bogus'", 'see bkend-dev-proxy --help for the flags')
  })

  t.test('a mistyped flag gets the nearest flag as a suggestion', async t => {
    const run = await runCli(t, ['--prot', '9000'])
    assertRefused(t, run, "bkend-dev-proxy: Unknown option '--prot'", 'did you mean --port? see bkend-dev-proxy --help for the flags')
  })

  t.test('a mistyped doctor flag gets the nearest doctor flag', async t => {
    const run = await runCli(t, ['doctor', '--orgin', 'http://localhost:3000'])
    assertRefused(t, run, "bkend-dev-proxy: Unknown option '--orgin'", 'did you mean --origin? see bkend-dev-proxy --help for the flags')
  })

  t.test('--api-key says where the key goes instead', async t => {
    const run = await runCli(t, ['--api-key', 'sk_test_CANARY0123456789abcdefghijklmnop'])
    assertRefused(t, run, "bkend-dev-proxy: Unknown option '--api-key'", /^ {2}fix: the API key is never a flag \(it would show in ps\): set BKEND_API_KEY in the environment or \.env$/)
    t.notMatch(run.stderr, 'CANARY', 'the key given on the command line is not echoed')
  })

  t.test('--log-level verbose suggests the level that means it', async t => {
    const run = await runCli(t, ['--log-level', 'verbose'])
    assertRefused(t, run, 'config: logLevel "verbose" (from --log-level) must be trace, debug, info, warn, error, fatal or silent', '--log-level debug')
  })

  t.test('--cors-origins without a scheme suggests the origin with http://', async t => {
    const run = await runCli(t, ['--cors-origins', 'localhost:5173'])
    assertRefused(t, run, /^config: corsOrigins "localhost:5173" \(from --cors-origins\) has "localhost:5173", which is not an origin/, '--cors-origins http://localhost:5173')
  })

  t.test('BKEND_PROJECT_ID with CRLF: the value is shown escaped, nothing listens', async t => {
    const run = await runCli(t, ['--port', '0'], { env: { BKEND_PROJECT_ID: 'p1\r\nX-Evil: 1' } })
    assertRefused(t, run, /^config: projectId "p1\\r\\nX-Evil: 1" \(from BKEND_PROJECT_ID\) contains a control character/, /^ {2}fix: remove the line break/)
  })

  t.test('BKEND_API_KEY with a newline: refused without showing the key', async t => {
    const key = 'sk_test_SECRETabcdefghijklmnop\nqrstuvwxyz'
    const run = await runCli(t, ['--port', '0'], { env: { BKEND_API_KEY: key } })
    assertRefused(t, run, /^config: apiKey .* \(from BKEND_API_KEY\) contains a control character/, /^ {2}fix: remove the line break/)
    t.notMatch(run.stderr, 'SECRETabcdefghijklmnop', 'the middle of the key is not shown')
    t.notMatch(run.stderr, 'sk_test_SECRETabcdefghijklmnop', 'the key before the newline is not shown')
  })
})

t.test('precedence: flag beats environment beats .env beats --config file', async t => {
  const cwd = tempDir(t)
  const file = join(cwd, 'proxy.json')
  writeFileSync(file, JSON.stringify({ projectId: 'p-config', environment: 'prod' }))
  writeFileSync(join(cwd, '.env'), 'BKEND_PROJECT_ID=p-dotenv\nBKEND_ENVIRONMENT=staging\n')
  const env = { BKEND_PROJECT_ID: 'p-env' }
  const cases = [
    { name: 'all four sources', args: ['--config', file, '--project-id', 'p-flag'], env, cwd, want: ['p-flag', 'staging'], from: 'p-flag (--project-id)' },
    { name: 'no flag', args: ['--config', file], env, cwd, want: ['p-env', 'staging'], from: 'p-env (BKEND_PROJECT_ID)' },
    { name: 'no flag, no environment', args: ['--config', file], env: {}, cwd, want: ['p-dotenv', 'staging'], from: `p-dotenv (BKEND_PROJECT_ID in ${join(cwd, '.env')})` },
    { name: 'config file only', args: ['--config', file], env: {}, cwd: undefined, want: ['p-config', 'prod'], from: `p-config ("projectId" in ${file})` }
  ]
  for (const c of cases) {
    t.test(c.name, async t => {
      const cli = await startCli(t, c.args, { env: c.env, cwd: c.cwd })
      const body = await health(cli.url)
      t.same([body.projectId, body.environment], c.want)
      t.match(cli.stdout(), new RegExp(`^  project id   ${escape(c.from)}$`, 'm'), 'the banner names the source')
    })
  }
})

function escape (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

t.test('banner: listening URL, upstreams, environment, project, redacted key, origins, frontend URL', async t => {
  const api = await startFakeApi(t)
  const cli = await startCli(t, ['--project-id', 'p1', '--cors-origins', 'http://localhost:3000,http://localhost:*'], {
    env: { BKEND_API_URL: api.url, BKEND_MCP_URL: 'http://127.0.0.1:9/mcp', BKEND_API_KEY: KEY, BKEND_ENVIRONMENT: 'staging' }
  })
  const port = cli.port
  const lines = cli.stdout().split('\n')
  t.match(lines[0], new RegExp(`INFO: bkend-dev-proxy ${escape(VERSION)} listening on http://127\\.0\\.0\\.1:${port}$`))
  t.ok(lines.includes(`  API          /v1/* → ${api.url}/v1/*`), 'API upstream')
  t.ok(lines.includes('  MCP          /mcp/* → http://127.0.0.1:9/mcp/*'), 'MCP upstream')
  t.ok(lines.includes('  environment  staging (BKEND_ENVIRONMENT)'), 'environment and its source')
  t.ok(lines.includes('  project id   p1 (--project-id)'), 'project id and its source')
  t.ok(lines.includes('  origins      http://localhost:3000, http://localhost:*'), 'allowed origins')
  const keyLine = lines.find(line => line.startsWith('  API key      '))
  t.match(keyLine, /^ {2}API key {6}\S*•+\S* \(40 chars\) \(BKEND_API_KEY\)$/, 'the key is shown redacted with its length and source')
  t.ok(lines.includes(`  → point your frontend at http://localhost:${port} (keep the /v1 in request paths), e.g. VITE_BKEND_API_URL=http://localhost:${port}`), 'frontend base URL')
  t.notMatch(cli.stdout(), /not set/i, 'no warning about a missing key')
  const exit = await cli.stop()
  t.same(exit, { code: 0, signal: null })
  const all = cli.stdout() + cli.stderr()
  t.notMatch(all, KEY, 'the full key appears nowhere')
  t.notMatch(all, 'CANARY0123456789', 'nor its middle')
  t.notMatch(all, ANSI, 'stdout is not a TTY: no colour codes')
})

t.test('banner without BKEND_API_KEY says the key is not set', async t => {
  const cli = await startCli(t)
  await cli.waitForStdout(/WARN: BKEND_API_KEY is not set/)
  t.match(cli.stdout(), /^ {2}API key {6}NOT SET \(BKEND_API_KEY\)$/m)
  t.match(cli.stdout(), /^ {2}project id {3}not set \(BKEND_PROJECT_ID\)$/m)
  t.equal((await health(cli.url)).keySet, false)
})

t.test('LOG_FORMAT=json: every stdout line is JSON, one line per exchange', async t => {
  const api = await startFakeApi(t)
  const cli = await startCli(t, [], { env: { LOG_FORMAT: 'json', BKEND_API_URL: api.url, BKEND_API_KEY: KEY, BKEND_PROJECT_ID: 'p1' } })
  const res = await fetch(new URL('/v1/x', cli.url))
  t.equal(res.status, 200)
  await res.text()
  t.same(await cli.stop(), { code: 0, signal: null })
  const lines = cli.stdout().trimEnd().split('\n')
  const parsed = lines.map(line => {
    try { return JSON.parse(line) as Record<string, any> } catch { return { unparsable: line } }
  })
  t.same(parsed.filter(entry => 'unparsable' in entry), [], 'every line parses')
  const banner = parsed.find(entry => entry.banner !== undefined)
  t.equal(banner?.msg, `bkend-dev-proxy ${VERSION} listening on http://127.0.0.1:${cli.port}`)
  t.same([banner?.banner.frontendBaseUrl, banner?.banner.projectId], [`http://localhost:${cli.port}`, 'p1 (BKEND_PROJECT_ID)'])
  const exchanges = parsed.filter(entry => entry.exchange !== undefined)
  t.equal(exchanges.length, 1, 'one exchange line')
  t.same([exchanges[0]?.exchange.request.line, exchanges[0]?.exchange.response.status], ['GET /v1/x HTTP/1.1', 200])
  t.notMatch(cli.stdout(), KEY)
  t.notMatch(cli.stdout(), ANSI)
})

t.test('pretty exchange log through the CLI: curl -v block with the injected, redacted key', async t => {
  const api = await startFakeApi(t)
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, BKEND_API_KEY: KEY } })
  const res = await fetch(new URL('/v1/x', cli.url))
  t.equal(res.status, 200)
  await res.text()
  t.equal(api.received[0]?.headers.authorization, `Bearer ${KEY}`, 'the upstream got the key')
  await cli.waitForStdout(/^\* #1 200 OK in /m)
  const lines = cli.stdout().split('\n')
  t.ok(lines.includes('> GET /v1/x HTTP/1.1'), 'request line')
  const auth = lines.filter(line => line.startsWith('> authorization: Bearer '))
  t.equal(auth.length, 1, 'one authorization line')
  t.match(auth[0], /^> authorization: Bearer \S*•+\S* \(40 chars\) {3}\[injected\]$/, 'redacted and marked injected')
  t.ok(lines.includes('< HTTP/1.1 200 OK'), 'status line')
  t.notMatch(cli.stdout(), KEY)
  t.notMatch(cli.stdout(), ANSI)
})

t.test('LOG_LEVEL=warn: no block for a 200, a block for a 404', async t => {
  const api = await startFakeApi(t, {
    handler: (req, res, body) => req.url === '/v1/missing'
      ? bkendReply(404, { success: false, error: { code: 'data/not-found', message: 'no such row' } })(req, res, body)
      : bkendReply(200, { success: true })(req, res, body)
  })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, LOG_LEVEL: 'warn' } })
  for (const path of ['/v1/x', '/v1/missing']) await (await fetch(new URL(path, cli.url))).text()
  t.same(api.received.map(r => r.url), ['/v1/x', '/v1/missing'])
  t.same(await cli.stop(), { code: 0, signal: null })
  const lines = cli.stdout().split('\n')
  t.match(lines[0], /listening on/, 'the banner still shows at warn')
  t.notOk(lines.includes('> GET /v1/x HTTP/1.1'), 'no block for the 200')
  t.ok(lines.includes('> GET /v1/missing HTTP/1.1'), 'a block for the 404')
  t.ok(lines.includes('< HTTP/1.1 404 Not Found'))
  t.equal(lines.filter(line => line.startsWith('> GET ')).length, 1)
})

t.test('HTTPS upstream with a self-signed certificate', async t => {
  const certificate = join(FIXTURES, 'localhost-cert.pem')

  t.test('untrusted: 502 proxy/upstream-tls, nothing reaches the upstream', async t => {
    const api = await startFakeApi(t, { tls: 'localhost' })
    const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, BKEND_API_KEY: KEY } })
    const res = await fetch(new URL('/v1/x', cli.url))
    const body = await res.json() as { success: boolean, error: { code: string, message: string } }
    t.same([res.status, body.success, body.error.code], [502, false, 'proxy/upstream-tls'])
    t.match(body.error.message, /NODE_EXTRA_CA_CERTS/, 'says how to trust the CA')
    t.same([api.started, api.received.length], [0, 0], 'no request was sent')
  })

  t.test('trusted with NODE_EXTRA_CA_CERTS: 200', async t => {
    const api = await startFakeApi(t, { tls: 'localhost' })
    const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, BKEND_API_KEY: KEY, NODE_EXTRA_CA_CERTS: certificate } })
    const res = await fetch(new URL('/v1/x', cli.url))
    const body = await res.json() as { url: string, headers: Record<string, string> }
    t.same([res.status, body.url, body.headers.authorization], [200, '/v1/x', `Bearer ${KEY}`])
    t.equal(api.received.length, 1)
  })
})
