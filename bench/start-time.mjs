// npm run bench:start: how long a developer waits for the proxy. Prints, in one run and
// as medians over BENCH_ROUNDS (default 5): the bin alone (node dist/cli.js) to a 200 on
// /__proxy/health, `npm start` with nothing to rebuild, and 8 concurrent `npm start` in a
// copy of the project without dist/ (one build shared by all) until every one answers.
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 5
const BANNER_PORT = /listening on http:\/\/\S+?:(\d+)/

/** Starts a command and resolves with the ms until its proxy answers 200 on /__proxy/health. */
async function timeToHealthy (command, args, cwd) {
  const started = performance.now()
  const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', chunk => { out += chunk })
  child.stderr.setEncoding('utf8').on('data', chunk => { out += chunk })
  try {
    for (;;) {
      const port = BANNER_PORT.exec(out)?.[1]
      if (port !== undefined) {
        const status = await fetch(`http://127.0.0.1:${port}/__proxy/health`).then(response => response.status, () => 0)
        if (status === 200) return performance.now() - started
      }
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${out}`)
      if (performance.now() - started > 120_000) throw new Error(`not ready in 120 s:\n${out}`)
      await sleep(10)
    }
  } finally {
    process.kill(-child.pid, 'SIGKILL')
  }
}

function projectCopy () {
  const dir = join(mkdtempSync(join(tmpdir(), 'bkend-start-')), 'project')
  mkdirSync(dir)
  for (const name of ['src', 'scripts', 'config', 'inspector-page', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, name), join(dir, name), { recursive: true })
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const rows = { 'bin (node dist/cli.js)': [], 'npm start, nothing to rebuild': [], '8 concurrent npm start, fresh build (slowest)': [] }
const NPM_START = ['start', '--silent', '--', '--port', '0', '--inspector-port', '0']
await timeToHealthy('npm', NPM_START, ROOT) // builds dist/ if it is stale
for (let round = 0; round < ROUNDS; round++) {
  rows['bin (node dist/cli.js)'].push(await timeToHealthy(process.execPath, ['dist/cli.js', '--port', '0', '--inspector-port', '0'], ROOT))
  rows['npm start, nothing to rebuild'].push(await timeToHealthy('npm', NPM_START, ROOT))
  if (round < 2) {
    const dir = projectCopy()
    const times = await Promise.all(Array.from({ length: 8 }, () => timeToHealthy('npm', NPM_START, dir)))
    rows['8 concurrent npm start, fresh build (slowest)'].push(Math.max(...times))
    rmSync(join(dir, '..'), { recursive: true, force: true })
  }
}
console.log('| start | median ms | runs |')
console.log('|---|---:|---:|')
for (const [name, times] of Object.entries(rows)) console.log(`| ${name} | ${median(times).toFixed(0)} | ${times.map(ms => ms.toFixed(0)).join(', ')} |`)
