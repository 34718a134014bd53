// The package as a user gets it: `npm pack`, then `npm install -g` into a scratch prefix
// (and `npx --package`) from a directory outside the checkout. The installed command must
// print its version, pass `doctor --json`, write a .env with `init` and, started where
// that .env is, forward a request with the key, project and environment injected.
import t from 'tap'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { bkendReply, FIXTURES, startFakeApi, type FakeHandler } from '../helpers/fake-upstream.js'
import { ROOT, packTarball, pathOutsideCheckout, run, scratch } from './packed.js'

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'
const TRUST_FIXTURE = { NODE_EXTRA_CA_CERTS: FIXTURES + 'localhost-cert.pem' }
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare']

/** bkend as the doctor and the proxy see it: reads answer 200, MCP answers 401 with WWW-Authenticate, its OAuth discovery documents answer. */
const fakeBkend: FakeHandler = (req, res, body) => {
  if (req.url === '/.well-known/oauth-protected-resource') return bkendReply(200, { resource: 'https://api.bkend.ai/mcp', authorization_servers: ['https://api.bkend.ai/mcp'] })(req, res, body)
  if (req.url === '/.well-known/oauth-authorization-server') {
    return bkendReply(200, { issuer: 'https://api.bkend.ai/mcp', authorization_endpoint: 'https://api.bkend.ai/mcp/oauth/authorize', token_endpoint: 'https://api.bkend.ai/mcp/oauth/token', code_challenge_methods_supported: ['S256'] })(req, res, body)
  }
  if (req.url?.startsWith('/mcp')) {
    res.writeHead(401, { 'www-authenticate': 'Bearer resource_metadata="https://api.bkend.ai/.well-known/oauth-protected-resource"' })
    res.end()
    return
  }
  bkendReply(200, { success: true, data: { items: [] } })(req, res, body)
}

// npm install -g resolves the dependencies afresh (no lockfile): a slow registry can take
// minutes, more than tap's default file timeout.
t.setTimeout(400_000)

// Packed and installed once, in the first tests that need them; the rest reuse both.
const packed = packTarball(t)
const elsewhere = scratch(t, 'user')
const installed = packed.then(async ({ tarball }) => {
  const prefix = scratch(t, 'prefix')
  const install = await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: elsewhere, timeoutMs: 300_000 })
  return { install, command: join(prefix, 'bin', 'bkend-dev-proxy') }
})

t.test('the tarball holds dist/*.js, config/, the inspector page, README.md, LICENSE and .env.example, and nothing else', async t => {
  const { tarball, pack } = await packed
  t.comment(`npm pack: ${pack.ms} ms`)
  const listing = await run('tar', ['-tzf', tarball], { cwd: ROOT })
  const files = listing.stdout.trim().split('\n').map(line => line.replace(/^package\//, '')).sort()
  const outsideDist = files.filter(file => !file.startsWith('dist/') && !file.startsWith('inspector-page/'))
  t.same(outsideDist, ['.env.example', 'LICENSE', 'README.md', 'config/default.json', 'config/example.json', 'package.json'])
  t.ok(files.includes('inspector-page/index.html') && files.includes('inspector-page/app.js'), 'the inspector page ships (tsc does not copy it into dist/)')
  t.same(files.filter(file => file.startsWith('inspector-page/') && !/\.(html|js|css|svg)$/.test(file)), [], 'the page folder holds only page assets')
  t.same(files.filter(file => file.startsWith('dist/') && !file.endsWith('.js')), [], 'no source maps or build info')
  t.ok(files.includes('dist/cli.js') && files.includes('dist/init/init.js'), 'the command and its init are there')
  const manifest = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'], { cwd: ROOT })).stdout) as { scripts: Record<string, string> }
  t.same(INSTALL_SCRIPTS.filter(name => manifest.scripts[name] !== undefined), [], 'no script runs when the package is installed')
})

t.test('npm install -g from outside the checkout succeeds with no npm warning', async t => {
  const { install } = await installed
  t.comment(`npm install -g: ${install.ms} ms`)
  t.equal(install.code, 0, install.stderr)
  t.equal(install.stderr, '', 'nothing on stderr: no EBADENGINE, no install-script notice')
})

t.test('the installed command prints the package version and its help', async t => {
  const { command } = await installed
  const [version, help] = await Promise.all([run(command, ['--version'], { cwd: elsewhere }), run(command, ['--help'], { cwd: elsewhere })])
  t.same([version.code, version.stdout, version.stderr], [0, `${VERSION}\n`, ''])
  t.equal(help.code, 0)
  t.match(help.stdout, /^ {7}bkend-dev-proxy init /m)
})

t.test('the installed doctor --json passes every step against a healthy fake bkend', async t => {
  const { command } = await installed
  const api = await startFakeApi(t, { tls: 'localhost', handler: fakeBkend })
  // A key of a documented format: the doctor's auth-header step checks it.
  const key = 'ak_' + '5eed'.repeat(16)
  const env = { ...TRUST_FIXTURE, BKEND_API_URL: api.url, BKEND_MCP_URL: `${api.url}/mcp`, BKEND_API_KEY: key, BKEND_PROJECT_ID: 'p1' }
  const doctor = await run(command, ['doctor', '--json'], { cwd: scratch(t, 'doctor'), env })
  const report = JSON.parse(doctor.stdout) as { ok: boolean, apiUrl: string, steps: Array<{ step: string, status: string }> }
  t.equal(doctor.code, 0, doctor.stdout + doctor.stderr)
  t.same([report.ok, report.apiUrl], [true, api.url])
  t.same(report.steps.filter(step => step.status !== 'pass'), [])
  t.notMatch(doctor.stdout, key)
})

t.test('init, then start in that directory: one request goes upstream with the key, project and environment', async t => {
  const { command } = await installed
  const dir = scratch(t, 'project')
  const init = await run(command, ['init', '--project-id', 'p-42', '--environment', 'staging'], { cwd: dir, env: { BKEND_API_KEY: KEY } })
  t.equal(init.code, 0, init.stderr)
  t.notMatch(init.stdout, KEY)

  const api = await startFakeApi(t, { tls: 'localhost', handler: fakeBkend })
  const proxy = spawn(command, ['--port', '0', '--inspector-port', '0', '--api-url', api.url], { cwd: dir, env: { PATH: pathOutsideCheckout(), ...TRUST_FIXTURE }, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>(resolve => proxy.once('close', resolve))
  t.teardown(() => { proxy.kill('SIGKILL') })
  let stdout = ''
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${stdout}`)), 10000)
    proxy.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const banner = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)
      if (banner !== null) { clearTimeout(timer); resolve(Number(banner[1])) }
    })
  })
  const res = await fetch(`http://127.0.0.1:${port}/v1/data/posts?limit=1`)
  t.equal(res.status, 200)
  const sent = api.received[0]!.headers
  t.same([sent.authorization, sent['x-project-id'], sent['x-environment']], [`Bearer ${KEY}`, 'p-42', 'staging'])
  const health = await (await fetch(`http://127.0.0.1:${port}/__proxy/health`)).json() as { version: string }
  t.equal(health.version, VERSION, '/__proxy/health reports the package version')
  proxy.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM stops it with exit code 0')
  t.notMatch(stdout, KEY, 'the key is redacted in the log')
})

t.test('npx --package <tarball> runs the command with no npm warning', async t => {
  const { tarball } = await packed
  const npx = await run('npx', ['--yes', '--package', tarball, 'bkend-dev-proxy', '--version'], { cwd: elsewhere, timeoutMs: 120000 })
  t.comment(`npx --package: ${npx.ms} ms`)
  t.same([npx.code, npx.stdout, npx.stderr], [0, `${VERSION}\n`, ''])
})
