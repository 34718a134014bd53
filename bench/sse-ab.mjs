// The first server-sent event through two builds of the CLI (and bare fastify), each in
// its own process pinned to CPU 1 as in the bench, the probe and the upstream on CPU 0:
// warmed up, then sampled in alternating blocks, so that drift hits every build alike.
// Usage: node bench/sse-ab.mjs <root-of-build-A> [<root-of-build-B> ...]
// Env: SSE_AB_SAMPLES (per build, default 400), and any proxy setting (LOG_LEVEL, INSPECTOR).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startListeningScript, stop } from './servers.mjs'
import { firstEventMs } from './sse-probe.mjs'

const BENCH = fileURLToPath(new URL('.', import.meta.url))
const SAMPLES = Number(process.env.SSE_AB_SAMPLES ?? 400)
const ORIGIN = 'http://localhost:3000'
const settings = Object.fromEntries(['LOG_LEVEL', 'INSPECTOR', 'LOG_FORMAT'].filter(name => process.env[name] !== undefined).map(name => [name, process.env[name]]))
const scratch = mkdtempSync(join(tmpdir(), 'sse-ab-'))

const upstream = await startListeningScript(join(BENCH, 'upstream.mjs'), [], { cpu: 0 })
const targets = [{ name: 'direct', url: upstream.url }]
const bare = await startListeningScript(join(BENCH, 'bare-proxy.mjs'), [upstream.url], { cpu: 1 })
targets.push({ name: 'bare fastify', url: bare.url, server: bare })
for (const [index, root] of process.argv.slice(2).entries()) {
  // Each build's own bench/servers.mjs starts that build's dist/cli.js.
  const { startOurProxy } = await import(resolve(root, 'bench/servers.mjs'))
  const server = await startOurProxy({ upstream: upstream.url, env: settings, logFile: join(scratch, `proxy-${index}.log`), cpu: 1, cwd: scratch })
  targets.push({ name: root, url: server.url, server })
}

for (const target of targets) for (let i = 0; i < 200; i++) await firstEventMs(`${target.url}/v1/bench/sse`, ORIGIN)
const samples = new Map(targets.map(target => [target, []]))
// In blocks of 20 in a row per target, as the bench takes its samples: a process that
// answers one request in every few wakes up cold each time.
for (let block = 0; block < SAMPLES / 20; block++) {
  for (const target of targets) {
    for (let i = 0; i < 20; i++) samples.get(target).push(await firstEventMs(`${target.url}/v1/bench/sse`, ORIGIN))
  }
}
const median = values => [...values].sort((a, b) => a - b)[values.length >> 1]
const direct = median(samples.get(targets[0]))
for (const target of targets) {
  const ms = median(samples.get(target))
  console.log(`${target.name.padEnd(40)} first event ${ms.toFixed(3)} ms (+${(ms - direct).toFixed(3)} over direct)`)
}
for (const target of targets) if (target.server) await stop(target.server)
await stop(upstream)
