// The image and the compose example, proven against a real Docker engine (issue 4).
// The engine has host networking only, so containers run with --network host: the
// "published port" is a free port on 127.0.0.1 and the fake upstream started here on
// 127.0.0.1:0 is reachable from inside the container. If the engine cannot start, this
// file fails loudly; it never skips.
import t from 'tap'
import { execFile } from 'node:child_process'
import { request } from 'node:http'
import { existsSync, readFileSync, writeFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { startFakeApi, echo } from '../helpers/fake-upstream.js'
import { waitFor } from '../helpers/wait.js'

// Building from scratch takes ~30 s; the whole file stays well under this.
t.setTimeout(7 * 60_000)

const ROOT = new URL('../../', import.meta.url).pathname
// The engine harness lives beside the project (../shared), wherever this clone sits;
// a clone elsewhere (CI's fresh clone) finds it through DOCKER_SETUP.
const SETUP = [
  process.env.DOCKER_SETUP,
  new URL('../../../shared/docker/setup.sh', import.meta.url).pathname,
].find(path => path !== undefined && path !== '' && existsSync(path)) ?? new URL('../../../shared/docker/setup.sh', import.meta.url).pathname
const HARNESS_ENV = '/tmp/docker-harness/env'
const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'
const REDACTED_KEY = 'Bearer sk_test_••••mnop (40 chars)'
const RUN_ID = `${process.pid}-${randomBytes(3).toString('hex')}`
const IMAGE = `bkend-dev-proxy:test-${RUN_ID}`
const BASE_IMAGE = 'node:22-bookworm-slim'
const SIZE_BUDGET_BYTES = 40 * 1000 * 1000
const ANSI_ESCAPE = '\u001b['

interface Result { stdout: string, stderr: string, code: number }

function run (command: string, args: string[], options: { cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<Result> {
  return new Promise(resolve => {
    execFile(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? dockerEnv, timeout: options.timeoutMs ?? 180_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ stdout: String(stdout), stderr: String(stderr), code })
    })
  })
}

/** Runs a command that must succeed; the error names the command and its output. */
async function must (command: string, args: string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`)
  }
  return result.stdout
}

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise(resolve => server.close(resolve))
  if (address === null || typeof address !== 'object') throw new Error('no port')
  return address.port
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function waitForHealth (container: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let status = ''
  while (Date.now() < deadline) {
    status = (await must('docker', ['inspect', '-f', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', container])).trim()
    if (status === 'running healthy' || !status.startsWith('running')) return status
    await sleep(500)
  }
  return status
}

/** A GET with a chosen Host header (fetch forbids setting Host itself). */
async function get (port: number, path: string, host = `localhost:${port}`): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', chunk => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

// Start (or find) the engine. setup.sh explains itself when it cannot; that is a failure.
// Without tap's NODE_OPTIONS: the harness runs node inside the base image's rootfs, where
// tap's --import hooks do not exist. tap puts the variable back into every child's
// environment, so `env -u` removes it after the spawn.
const setup = await run('env', ['-u', 'NODE_OPTIONS', 'bash', SETUP], { env: process.env, timeoutMs: 240_000 })
if (setup.code !== 0) {
  t.fail(`the Docker engine cannot start (${SETUP} exited ${setup.code})`, { diagnostic: true, stdout: setup.stdout, stderr: setup.stderr })
  throw new Error(`Docker engine unavailable: ${setup.stderr || setup.stdout}`)
}
const dockerHost = /DOCKER_HOST=(\S+)/.exec(readFileSync(HARNESS_ENV, 'utf8'))?.[1]
if (dockerHost === undefined) throw new Error(`${HARNESS_ENV} does not set DOCKER_HOST`)
const dockerEnv: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: dockerHost.replace(/^["']|["']$/g, '') }

// Build cache of the other stages is left as untagged images: remove the ones this run made.
const danglingBefore = new Set((await must('docker', ['images', '-q', '--no-trunc', '-f', 'dangling=true'])).split('\n').filter(Boolean))
t.teardown(async () => {
  await run('docker', ['rmi', IMAGE])
  const dangling = (await run('docker', ['images', '-q', '--no-trunc', '-f', 'dangling=true'])).stdout.split('\n').filter(id => id && !danglingBefore.has(id))
  if (dangling.length > 0) await run('docker', ['rmi', ...dangling])
})

const build = await run('docker', ['build', '--network', 'host', '-t', IMAGE, '.'], { timeoutMs: 300_000 })
t.equal(build.code, 0, 'docker build --network host succeeds')
if (build.code !== 0) throw new Error(`docker build failed:\n${build.stdout}\n${build.stderr}`)

function containerName (role: string): string {
  return `bkend-proxy-test-${RUN_ID}-${role}`
}

async function startContainer (tt: { teardown: (fn: () => unknown) => void }, role: string, env: Record<string, string>): Promise<{ name: string, port: number, inspectorPort: number }> {
  const name = containerName(role)
  const port = await freePort()
  const inspectorPort = await freePort()
  const envArgs = Object.entries({ ...env, PORT: String(port), INSPECTOR_PORT: String(inspectorPort) }).flatMap(([k, v]) => ['-e', `${k}=${v}`])
  tt.teardown(() => run('docker', ['rm', '-f', name]))
  await must('docker', ['run', '-d', '--name', name, '--network', 'host', ...envArgs, IMAGE])
  return { name, port, inspectorPort }
}

t.test('image stays small, runs as a non-root user and holds no .env or key', async t => {
  const [imageSize, baseSize] = await Promise.all([IMAGE, BASE_IMAGE].map(async image => Number((await must('docker', ['image', 'inspect', '-f', '{{.Size}}', image])).trim())))
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1) + ' MB'
  const report = `image ${mb(imageSize!)}, base ${BASE_IMAGE} ${mb(baseSize!)}, difference ${mb(imageSize! - baseSize!)}`
  t.comment(report)
  console.log(`# image size: ${report}`)
  t.ok(imageSize! - baseSize! <= SIZE_BUDGET_BYTES, `image is within 40 MB of the base image (${report})`)

  t.equal((await must('docker', ['image', 'inspect', '-f', '{{.Config.User}}', IMAGE])).trim(), 'node', 'Config.User is node')
  t.match(await must('docker', ['run', '--rm', '--network', 'host', '--entrypoint', 'id', IMAGE]), /^uid=1000\(node\) gid=1000\(node\)/, 'runs as uid 1000 (node)')

  const envFiles = await must('docker', ['run', '--rm', '--network', 'host', '--user', 'root', '--entrypoint', 'find', IMAGE, '/', '-xdev', '(', '-name', '.env', '-o', '-name', '.env.*', ')', '-print'])
  t.equal(envFiles.trim(), '', 'no .env file anywhere in the image')
  const config = await must('docker', ['image', 'inspect', '-f', '{{json .Config.Env}}', IMAGE])
  t.notMatch(config, /BKEND_API_KEY/, 'no API key in the image environment')
  const history = await must('docker', ['history', '--no-trunc', IMAGE])
  t.notMatch(history, /BKEND_API_KEY|sk_/, 'no API key in the build history')
  const shipped = await must('docker', ['run', '--rm', '--network', 'host', '--entrypoint', 'ls', IMAGE, '-A', '/app'])
  t.equal(shipped, 'config\ndist\ninspector-page\nnode_modules\npackage.json\n', '/app holds only config, dist, the inspector page, node_modules and package.json')
  // npm leaves empty scope folders (@types, @tapjs) behind: look for installed packages.
  const packages = await must('docker', ['run', '--rm', '--network', 'host', '--workdir', '/app/node_modules', '--entrypoint', 'sh', IMAGE, '-c', 'ls -d */package.json @*/*/package.json'])
  t.match(packages, /^fastify\/package\.json$/m, 'production dependencies are installed')
  t.notMatch(packages, /^(typescript|tap|playwright-core|@types\/[^/]+|@tapjs\/[^/]+)\/package\.json$/m, 'no dev dependencies (compiler, test tools) are installed')
})

t.test('a container forwards with injected headers, refuses foreign hosts, logs plainly and stops cleanly', async t => {
  const api = await startFakeApi(t, {
    handler: (req, res, body) => {
      if (req.url === '/v1/slow') setTimeout(() => echo(req, res, body), 1500)
      else echo(req, res, body)
    }
  })
  const { name, port, inspectorPort } = await startContainer(t, 'run', {
    BKEND_API_URL: api.url,
    BKEND_API_KEY: KEY,
    BKEND_PROJECT_ID: 'p-docker',
    BKEND_ENVIRONMENT: 'staging'
  })
  t.equal(await waitForHealth(name), 'running healthy', 'the container becomes healthy')

  const health = await get(port, '/__proxy/health')
  t.equal(health.status, 200, 'health answers on the published port')
  t.same(JSON.parse(health.body).allowedHosts, ['localhost', '*.localhost', '127.0.0.0/8', '[::1]'], 'health shows the allowed hosts')
  t.equal(JSON.parse(health.body).keySet, true, 'health says the key is set')
  t.notMatch(health.body, KEY, 'health never shows the key')
  t.equal(JSON.parse(health.body).inspectorUrl, `http://localhost:${inspectorPort}/__proxy/`, 'health names the inspector on its own port')
  const environment = await get(inspectorPort, '/__proxy/api/environment')
  t.same([environment.status, JSON.parse(environment.body).environment], [200, 'staging'], 'the inspector answers on its port, bound where HOST binds')
  const moved = await get(port, '/__proxy/api/environment')
  t.same([moved.status, JSON.parse(moved.body).error.code], [404, 'proxy/moved'], 'and not on the proxy port')

  const res = await fetch(`http://localhost:${port}/v1/data/posts`)
  t.equal(res.status, 200, 'a request through the published port is answered')
  await res.text()
  const received = api.received.find(r => r.url === '/v1/data/posts')
  t.same(
    [received?.headers.authorization, received?.headers['x-project-id'], received?.headers['x-environment']],
    [`Bearer ${KEY}`, 'p-docker', 'staging'],
    'the fake upstream got the injected headers'
  )

  const foreign = await get(port, '/v1/data/posts', 'evil.example:80')
  t.equal(foreign.status, 403, 'a foreign Host is refused')
  t.match(JSON.parse(foreign.body), { error: { code: 'proxy/host-not-allowed' } }, 'in bkend error shape')
  t.equal(api.received.filter(r => r.url === '/v1/data/posts').length, 1, 'the refused request never reached the upstream')

  await sleep(300) // the log stream writes asynchronously
  const logged = await run('docker', ['logs', name])
  t.equal(logged.code, 0, 'docker logs succeeds')
  const output = logged.stdout + logged.stderr
  t.match(output, `bkend-dev-proxy 0.1.0 listening on http://0.0.0.0:${port}`, 'docker logs shows the start-up banner')
  t.match(output, /^ {2}hosts {8}localhost, \*\.localhost, 127\.0\.0\.0\/8, \[::1\]$/m, 'the banner lists the allowed hosts')
  t.match(output, new RegExp(`\\* #\\d+ GET /v1/data/posts → ${api.url.replace(/\./g, '\\.')}/v1/data/posts\\n> GET /v1/data/posts HTTP/1\\.1\\n`), 'the exchange is a curl -v block')
  t.match(output, `> authorization: ${REDACTED_KEY}   [injected]`, 'the key is redacted in the block')
  t.match(output, /^< HTTP\/1\.1 200 OK$/m, 'the block shows the response status line')
  t.notMatch(output, KEY, 'the key never appears in the logs')
  t.notOk(output.includes(ANSI_ESCAPE), 'no ANSI colour codes when stdout is not a TTY')

  // docker stop sends SIGTERM; the slow request is already upstream and must still finish.
  const startedBefore = api.started
  const slow = fetch(`http://localhost:${port}/v1/slow`)
    .then(async r => ({ status: r.status, body: await r.text() }), (error: unknown) => ({ status: 0, body: String(error) }))
  t.ok(await waitFor(() => api.started > startedBefore, 5000), 'the slow request reached the upstream')
  const stopStarted = Date.now()
  const stop = await run('docker', ['stop', name], { timeoutMs: 30_000 })
  const stopMs = Date.now() - stopStarted
  const slowResult = await slow
  t.equal(stop.code, 0, 'docker stop succeeds')
  t.ok(stopMs < 10_000, `docker stop returned within 10 s (${stopMs} ms)`)
  // The slow request ends ~1.5 s after it started, so the proxy could stop then.
  t.ok(stopMs < 4000, `docker stop returns once the in-flight request is done (${stopMs} ms)`)
  t.equal((await must('docker', ['inspect', '-f', '{{.State.ExitCode}}', name])).trim(), '0', 'the proxy exits 0 on SIGTERM')
  t.equal(slowResult.status, 200, 'the in-flight slow request completed with 200')
  t.match(JSON.parse(slowResult.body), { url: '/v1/slow' }, 'the slow response body arrived whole')
  const finalLogs = (await must('docker', ['logs', name]))
  t.match(finalLogs, /SIGTERM: shutting down[^\n]*\n[\s\S]*\bstopped$/m, 'the log records the shutdown')
})

t.test('docker-compose.yml validates as written and a host-network copy comes up healthy', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'bkend-compose-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  copyFileSync(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'))
  copyFileSync(join(ROOT, '.env.example'), join(dir, '.env'))

  // As written: the user's file with .env copied from .env.example.
  const check = await run('docker-compose', ['config', '-q'], { cwd: dir })
  t.equal(check.code, 0, `docker-compose config -q accepts docker-compose.yml ${check.stderr}`)
  const written = await must('docker-compose', ['config'], { cwd: dir })
  t.match(written, /published: 8787|127\.0\.0\.1:8787:8787/, 'the port is published')
  t.match(written, /host_ip: 127\.0\.0\.1|127\.0\.0\.1:8787:8787/, 'on loopback only')
  t.match(written, /published: "?8788"?|127\.0\.0\.1:8788:8788/, 'the inspector\'s port is published')
  t.equal(written.match(/host_ip: 127\.0\.0\.1|127\.0\.0\.1:87\d\d:87\d\d/g)?.length, 2, 'both on loopback only')

  // The run: a fake upstream, JSON logs for log shippers, and the rendered host-network copy.
  const api = await startFakeApi(t)
  const port = await freePort()
  const inspectorPort = await freePort()
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8')
  const env = example
    .replace(/^BKEND_API_KEY=.*$/m, `BKEND_API_KEY=${KEY}`)
    .replace(/^BKEND_PROJECT_ID=.*$/m, 'BKEND_PROJECT_ID=p-compose')
    .replace(/^BKEND_API_URL=.*$/m, `BKEND_API_URL=${api.url}`)
    .replace(/^LOG_FORMAT=.*$/m, 'LOG_FORMAT=json')
  writeFileSync(join(dir, '.env'), env)
  const render = [
    'import sys, yaml',
    'd = yaml.safe_load(sys.stdin)',
    'for s in d["services"].values():',
    '    s.pop("ports", None); s["network_mode"] = "host"',
    `    s["environment"]["PORT"] = "${port}"`,
    `    s["environment"]["INSPECTOR_PORT"] = "${inspectorPort}"`,
    `    s["build"] = {"context": ${JSON.stringify(ROOT)}, "network": "host"}`,
    'yaml.safe_dump(d, sys.stdout)'
  ].join('\n')
  // config resolves env_file into environment; the copy drops ports: and joins the host network.
  const withRunEnv = await must('docker-compose', ['config'], { cwd: dir })
  const runFile = await new Promise<string>((resolve, reject) => {
    const child = execFile('/usr/bin/python3', ['-c', render], (error, stdout, stderr) => error ? reject(new Error(stderr)) : resolve(stdout))
    child.stdin?.end(withRunEnv)
  })
  t.match(runFile, 'network_mode: host', 'the rendered copy joins the host network')
  writeFileSync(join(dir, 'ci.compose.yml'), runFile)

  const project = `bkendproxytest${RUN_ID.replace(/[^a-z0-9]/g, '')}`
  const compose = (...args: string[]): Promise<Result> => run('docker-compose', ['-p', project, '-f', join(dir, 'ci.compose.yml'), ...args], { cwd: dir, timeoutMs: 300_000 })
  t.teardown(() => compose('down', '--rmi', 'local', '--volumes', '--timeout', '10'))
  const up = await compose('up', '-d', '--build')
  t.equal(up.code, 0, `docker-compose up succeeds ${up.code === 0 ? '' : up.stderr}`)
  const container = (await compose('ps', '-q', 'bkend-proxy')).stdout.trim()
  t.not(container, '', 'the bkend-proxy service has a container')
  t.equal(await waitForHealth(container), 'running healthy', 'the compose service becomes healthy')

  const health = JSON.parse((await get(port, '/__proxy/health')).body)
  t.same(health.allowedHosts, ['localhost', '*.localhost', '127.0.0.0/8', '[::1]', 'bkend-proxy'], 'health shows bkend-proxy among the allowed hosts')
  const byServiceName = await get(port, '/v1/data/items', `bkend-proxy:${port}`)
  t.equal(byServiceName.status, 200, 'Host bkend-proxy (other containers) is answered')
  const byLocalhost = await get(port, '/v1/data/items', `localhost:${port}`)
  t.equal(byLocalhost.status, 200, 'Host localhost (the host, through the published port) is answered')
  t.equal((await get(port, '/v1/data/items', 'attacker.example')).status, 403, 'any other Host is refused')
  t.same(api.received.map(r => [r.headers.authorization, r.headers['x-project-id']]), [[`Bearer ${KEY}`, 'p-compose'], [`Bearer ${KEY}`, 'p-compose']], 'both answered requests carried the injected headers')

  await sleep(300)
  const logs = (await compose('logs', '--no-color', 'bkend-proxy')).stdout
  const records = logs.split('\n').map(line => line.replace(/^[^|]*\|\s?/, '')).filter(line => line.startsWith('{')).map(line => JSON.parse(line) as Record<string, unknown>)
  t.ok(records.some(r => typeof r.banner === 'object' && String(r.msg).includes('listening on')), 'LOG_FORMAT=json logs the banner as one object')
  t.ok(records.filter(r => r.exchange !== undefined).length >= 3, 'LOG_FORMAT=json logs one object per exchange')
  t.notMatch(logs, KEY, 'the key never appears in the compose logs')
  t.notOk(logs.includes(ANSI_ESCAPE), 'no colour codes in the compose logs')

  const down = await compose('stop', '--timeout', '10')
  t.equal(down.code, 0, 'docker-compose stop succeeds')
  t.equal((await must('docker', ['inspect', '-f', '{{.State.ExitCode}}', container])).trim(), '0', 'the service exits 0')
})
