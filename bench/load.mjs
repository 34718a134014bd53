// Load generation (wrk, or autocannon when wrk cannot be had) and /proc readings.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const WRK_SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url))
const CLOCK_TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** 'wrk' when it is installed or can be installed with apt-get, else 'autocannon'. */
export function pickLoadTool (log) {
  if (has('wrk')) return 'wrk'
  if (has('apt-get')) {
    log('wrk is missing: apt-get install -y wrk')
    const result = spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'ignore' })
    if (result.status === 0 && has('wrk')) return 'wrk'
  }
  log('WARNING: wrk is not available; falling back to autocannon, which runs on Node and may itself be the bottleneck')
  return 'autocannon'
}

export function has (command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

/** Prefix for pinning a command to one CPU, or [] without taskset. */
export function pinned (cpu, command) {
  return cpu === undefined ? command : ['taskset', '-c', String(cpu), ...command]
}

/**
 * One load cell: `connections` keep-alive connections for `seconds`.
 * Returns requests, rps, p50Ms, p99Ms, bytes, errors (a sum) and seconds.
 */
export async function runLoad (tool, { url, connections, seconds, body, origin, cpu }) {
  if (tool === 'wrk') {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', WRK_SCRIPT, url]
    const out = await capture(pinned(cpu, ['wrk', ...args]), { ...process.env, BENCH_BODY: body ?? '', BENCH_ORIGIN: origin ?? '' })
    const line = out.split('\n').find(text => text.startsWith('BENCH_JSON '))
    if (!line) throw new Error(`wrk printed no result:\n${out}`)
    const raw = JSON.parse(line.slice('BENCH_JSON '.length))
    const elapsedS = raw.durationUs / 1e6
    return {
      requests: raw.requests,
      seconds: elapsedS,
      rps: raw.requests / elapsedS,
      p50Ms: raw.p50Us / 1000,
      p99Ms: raw.p99Us / 1000,
      bytes: raw.bytes,
      errors: Object.values(raw.errors).reduce((a, b) => a + b, 0)
    }
  }
  const bin = require.resolve('autocannon/autocannon.js')
  const args = ['-j', '-c', String(connections), '-d', String(seconds)]
  if (body) args.push('-m', 'POST', '-b', body, '-H', 'content-type=application/json')
  if (origin) args.push('-H', `origin=${origin}`)
  const out = await capture(pinned(cpu, [process.execPath, bin, ...args, url]), process.env)
  const raw = JSON.parse(out.slice(out.indexOf('{')))
  return {
    requests: raw.requests.total,
    seconds: raw.duration,
    rps: raw.requests.total / raw.duration,
    p50Ms: raw.latency.p50,
    p99Ms: raw.latency.p99,
    bytes: raw.throughput.total,
    errors: raw.errors + raw.timeouts + raw.non2xx
  }
}

function capture (command, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', chunk => { out += chunk })
    child.stderr.on('data', chunk => { err += chunk })
    child.on('error', reject)
    child.on('close', code => code === 0 ? resolve(out) : reject(new Error(`${command.join(' ')} exited ${code}: ${err || out}`)))
  })
}

/** CPU seconds (user + system) and memory of a process, from /proc. */
export function processStats (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name may hold spaces; the fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const cpuS = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = name => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { cpuS, rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 }
}
