// A/B on a noisy machine: several proxies in ONE process, measured in short alternating
// wrk runs (order reversed every round), CPU time per request from process.cpuUsage().
// Neighbours on a shared machine slow every variant alike within a round, which
// separate runs minutes apart do not. The variants share one heap, so one variant's
// garbage (the inspector's kept exchanges) is collected partly in the others' time:
// compare GC-heavy changes with `npm run bench` instead.
//
// Usage (after npm run build):
//   node bench/ab.mjs 'bare' 'ours:LOG_LEVEL=silent' 'base:ROOT=../other-checkout'
// A variant is a name, then settings as KEY=value;KEY=value (ROOT: another checkout's
// dist/). Env: AB_ROUNDS (default 6), AB_SECONDS (default 2), AB_POST=1 (1 KB POSTs),
// AB_CONNECTIONS (default 32).
// The process pins itself to CPU 1 and wrk and the upstream to CPU 0 when taskset exists.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { has } from './load.mjs'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6)
const SECONDS = Number(process.env.AB_SECONDS ?? 2)
const POST = process.env.AB_POST === '1'
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 32)
const PIN = has('taskset')
const POST_BODY = JSON.stringify({ title: 'hello', body: 'x'.repeat(1024 - 34), tags: ['a'] })

if (PIN) spawnSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' })
const pinned = argv => PIN ? ['taskset', ['-c', '0', ...argv]] : [argv[0], argv.slice(1)]

const upstreamProcess = spawn(...pinned([process.execPath, `${HERE}upstream.mjs`]), { stdio: ['ignore', 'pipe', 'inherit'] })
const upstream = await new Promise(resolve => upstreamProcess.stdout.on('data', chunk => {
  const match = /listening (\d+)/.exec(String(chunk))
  if (match) resolve(`http://127.0.0.1:${match[1]}`)
}))

async function bareApp () {
  const { default: Fastify } = await import('fastify')
  const { default: cors } = await import('@fastify/cors')
  const { default: httpProxy } = await import('@fastify/http-proxy')
  const app = Fastify({ logger: false })
  await app.register(cors, { origin: true })
  await app.register(httpProxy, { upstream, prefix: '/v1', rewritePrefix: '/v1' })
  return app
}

async function ourApp (settings) {
  const root = settings.ROOT ? new URL(`${settings.ROOT.replace(/\/?$/, '/')}`, `file://${process.cwd()}/`).pathname : ROOT
  const { buildApp } = await import(`${root}dist/app.js`)
  const { loadConfig } = await import(`${root}dist/config/load-config.js`)
  const { createLogger } = await import(`${root}dist/log/logger.js`)
  const env = { BKEND_API_URL: upstream, BKEND_MCP_URL: `${upstream}/mcp`, BKEND_API_KEY: 'sk_bench_0123456789abcdef0123456789abcdef', BKEND_PROJECT_ID: 'bench-project', ...settings }
  delete env.ROOT
  const { config } = loadConfig({ env, argv: [], cwd: HERE })
  // The real stdout sink: run with stdout sent to a file (or /dev/null), as the bench does.
  const { logger, exchangeWriter } = createLogger(config)
  return buildApp(config, { logger, exchangeWriter })
}

const variants = []
for (const spec of process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['bare', 'ours']) {
  const [name, settingsText = ''] = spec.split(':')
  const settings = Object.fromEntries(settingsText.split(';').filter(Boolean).map(pair => pair.split('=')))
  const app = name === 'bare' ? await bareApp() : await ourApp(settings)
  await app.listen({ port: 0, host: '127.0.0.1' })
  variants.push({ spec, url: `http://127.0.0.1:${app.server.address().port}/v1/bench/${POST ? 'echo' : 'small'}`, samples: [] })
}

function wrk (url, seconds) {
  const script = POST ? ['-s', `${HERE}wrk-report.lua`] : []
  return new Promise(resolve => {
    const child = spawn(...pinned(['wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '-H', 'Origin: http://localhost:3000', ...script, url]), { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, BENCH_BODY: POST ? POST_BODY : '' } })
    let out = ''
    child.stdout.on('data', chunk => { out += chunk })
    child.on('exit', () => resolve(Number(/(\d+) requests in/.exec(out)?.[1] ?? 0)))
  })
}

for (const variant of variants) await wrk(variant.url, SECONDS) // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
    const before = process.cpuUsage()
    const requests = await wrk(variant.url, SECONDS)
    const used = process.cpuUsage(before)
    variant.samples.push(requests > 0 ? (used.user + used.system) / requests : Number.NaN)
  }
}
for (const { spec, samples } of variants) {
  const sorted = [...samples].sort((a, b) => a - b)
  process.stderr.write(`${spec.padEnd(48)} CPU per request: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} us, min ${sorted[0].toFixed(1)} us  (${samples.map(value => value.toFixed(0)).join(' ')})\n`)
}
upstreamProcess.kill()
process.exit(0)
