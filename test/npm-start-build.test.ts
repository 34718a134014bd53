// `npm start` builds dist/ only when a source changed (scripts/build.mjs), several starts
// in one clone take turns at the build instead of running tsc over each other, and every
// build path leaves the bin executable. Runs in a copy of the project (node_modules
// linked), so the build it forces never rewrites the dist/ other tests are running.
import t from 'tap'
import { cpSync, mkdirSync, statSync, symlinkSync, appendFileSync, existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { tempDir } from './helpers/cli.js'
import { npmStart } from './helpers/npm-start.js'

const ROOT = new URL('..', import.meta.url).pathname

function projectCopy (t: Parameters<typeof tempDir>[0]): string {
  const dir = join(tempDir(t), 'project')
  mkdirSync(dir)
  for (const name of ['src', 'scripts', 'config', 'inspector-page', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, name), join(dir, name), { recursive: true })
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

// The 20 s target of 8 starts is measured by bench/start-time.mjs; here a shared CI machine gets room.
const BUILD_TIMEOUT_MS = 90_000
// Three builds of the whole project: more than the default file timeout on a busy machine.
t.setTimeout(400_000)

const healthOf = async (port: number): Promise<number> => (await fetch(`http://127.0.0.1:${port}/__proxy/health`)).status

t.test('8 concurrent npm start in a clone without dist/: one build, all ready, bin executable', async t => {
  const dir = projectCopy(t)
  const starts = Array.from({ length: 8 }, () => npmStart(t, {}, dir, BUILD_TIMEOUT_MS))
  const ports = await Promise.all(starts.map(start => start.port))
  t.same(await Promise.all(ports.map(healthOf)), Array(8).fill(200), 'every instance answers its health check')
  t.equal(statSync(join(dir, 'dist', 'cli.js')).mode & 0o777, 0o755, 'dist/cli.js is executable')
  t.notOk(existsSync(join(dir, '.build-lock')), 'the build lock is released')
  for (const start of starts) t.notMatch(start.output(), /error TS|EEXIST|ENOENT/, 'no start saw a half-written build')
})

t.test('nothing changed: no rebuild; a changed source: rebuilt', async t => {
  const dir = projectCopy(t)
  execFileSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], { cwd: dir })
  const built = statSync(join(dir, 'dist', 'app.js')).mtimeMs
  const first = npmStart(t, {}, dir, BUILD_TIMEOUT_MS)
  t.equal(await healthOf(await first.port), 200)
  t.equal(statSync(join(dir, 'dist', 'app.js')).mtimeMs, built, 'dist/ was not rewritten')
  first.child.kill('SIGTERM')
  await first.exited

  // tsc's incremental build skips an output whose source text is unchanged, so change the text.
  appendFileSync(join(dir, 'src', 'app.ts'), '\n// edited\n')
  const second = npmStart(t, {}, dir, BUILD_TIMEOUT_MS)
  t.equal(await healthOf(await second.port), 200)
  t.ok(statSync(join(dir, 'dist', 'app.js')).mtimeMs > built, 'a newer source is built before the start')
})

t.test('npm run clean && npm run build (the prepack path) leaves the bin executable', async t => {
  const dir = projectCopy(t)
  execFileSync('npm', ['run', '--silent', 'clean'], { cwd: dir })
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: dir })
  t.equal(statSync(join(dir, 'dist', 'cli.js')).mode & 0o777, 0o755)
})
