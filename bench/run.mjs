// npm run bench: the proxy against a direct call and the bare fastify stack, side by side,
// interleaved, on loopback. Issue 5 item 4. Env: BENCH_SECONDS (per cell, default 5),
// BENCH_ROUNDS (default 3), BENCH_SSE_SAMPLES (per target and round, default 40),
// BENCH_PIN=0 (no taskset), BENCH_CPU_PROF=<target,...> (node --cpu-prof into bench/results/profiles),
// BENCH_ONLY=<test,...> (a subset of get-c1, get-c32, post-c32, large-c4, sse, browser-c1,
// browser-c32, for quick looks).
import { existsSync, mkdirSync, rmSync, statSync, truncateSync, writeFileSync, readdirSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { has, pickLoadTool, processStats, runLoad } from './load.mjs'
import { startListeningScript, startOurProxy, stop } from './servers.mjs'
import { firstEventMs } from './sse-probe.mjs'
import { BROWSER_TARGETS, TARGETS, TARGET_LABELS, browserLines, markdownTable, summarize, targetChecks } from './report.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url))
const GC_COUNTER = fileURLToPath(new URL('./gc-counter.mjs', import.meta.url))
const SECONDS = positive(process.env.BENCH_SECONDS, 5)
const ROUNDS = positive(process.env.BENCH_ROUNDS, 3)
const SSE_SAMPLES = positive(process.env.BENCH_SSE_SAMPLES, 40)
const PROFILED = new Set((process.env.BENCH_CPU_PROF ?? '').split(',').filter(Boolean))
const ORIGIN = 'http://localhost:3000' // a browser frontend's origin, so the CORS path runs
const POST_BODY = JSON.stringify({ title: 'hello', body: 'x'.repeat(1024 - 34), tags: ['a'] })

// Two CPUs: the process under test gets one to itself; the load generator, the fake
// upstream and this script share the other. Direct calls therefore measure what the
// load generator and upstream manage on one core.
const PIN = process.env.BENCH_PIN !== '0' && has('taskset') && os.availableParallelism() >= 2
const CPU = PIN ? { load: 0, upstream: 0, server: 1 } : {}

const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean))
const ALL_TESTS = [
  { test: 'get-c1', path: '/v1/bench/small', connections: 1 },
  { test: 'get-c32', path: '/v1/bench/small', connections: 32 },
  { test: 'post-c32', path: '/v1/bench/echo', connections: 32, body: POST_BODY },
  { test: 'large-c4', path: '/v1/bench/large', connections: 4 }
]
const TESTS = ALL_TESTS.filter(spec => ONLY.size === 0 || ONLY.has(spec.test))
// As a page calls the proxy: Origin on every request, and the proxy and its upstream on one
// core with the load generator on the other, as on a developer's machine. At one connection
// every request then wakes the proxy alone and its whole CPU time is latency. Its own
// upstream and two proxies (bare fastify, ours with every setting at its default), so the
// cells above keep their layout.
const BROWSER_TESTS = [
  { test: 'browser-c1', path: '/v1/bench/small', connections: 1 },
  { test: 'browser-c32', path: '/v1/bench/small', connections: 32 }
].filter(spec => ONLY.size === 0 || ONLY.has(spec.test))
const RUN_SSE = ONLY.size === 0 || ONLY.has('sse')

const log = text => process.stderr.write(`bench: ${text}\n`)

function positive (raw, fallback) {
  const value = Number(raw)
  return raw !== undefined && raw !== '' && value > 0 ? value : fallback
}

function machine () {
  const cpuinfo = spawnSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo"], { encoding: 'utf8' }).stdout
  return {
    cpuModel: cpuinfo.split(':')[1]?.trim() ?? os.cpus()[0]?.model,
    cores: os.availableParallelism(),
    node: process.version,
    kernel: os.release(),
    loadAverageAtStart: os.loadavg()
  }
}

async function main () {
  if (!existsSync(`${ROOT}/dist/cli.js`)) {
    log('dist/ is missing: npm run build')
    if (spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('the build failed')
  }
  const staleSources = readdirSync(`${ROOT}/src`).filter(name => name.endsWith('.ts') && statSync(`${ROOT}/src/${name}`).mtimeMs > statSync(`${ROOT}/dist/cli.js`).mtimeMs)
  if (staleSources.length > 0) log(`note: src/ has changes newer than dist/ (${staleSources.join(', ')}); run npm run build to measure them`)
  mkdirSync(RESULTS, { recursive: true })
  const tool = pickLoadTool(log)
  const facts = { ...machine(), loadTool: tool, pinned: PIN, secondsPerCell: SECONDS, rounds: ROUNDS, sseSamplesPerRound: SSE_SAMPLES }
  log(`${facts.cpuModel}, ${facts.cores} cores, Node ${facts.node}, ${tool}${PIN ? ', pinned with taskset' : ''}; ${ROUNDS} rounds of ${SECONDS} s cells`)
  if (PIN) spawnSync('taskset', ['-pc', String(CPU.load), String(process.pid)], { stdio: 'ignore' })

  const profileDir = `${RESULTS}profiles`
  // The proxies start in a directory of their own: they watch their working directory for
  // .env edits, and the log files written beside it would wake every one of them.
  const proxyCwd = `${RESULTS}cwd`
  mkdirSync(proxyCwd, { recursive: true })
  // Every Node process under test counts its garbage collections (gc-counter.mjs).
  const gcDir = existsSync('/dev/shm') ? `/dev/shm/bench-gc-${process.pid}` : `${RESULTS}gc`
  mkdirSync(gcDir, { recursive: true })
  process.env.BENCH_GC_DIR = gcDir
  const nodeArgs = target => ['--import', GC_COUNTER, ...(PROFILED.has(target) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])]
  const gcCounts = async pid => {
    const file = `${gcDir}/gc-${pid}.json`
    rmSync(file, { force: true })
    process.kill(pid, 'SIGUSR2')
    for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(10)
    try { return JSON.parse(readFileSync(file, 'utf8')) } catch { return { young: NaN, old: NaN, gcMs: NaN } }
  }
  const upstream = await startListeningScript(fileURLToPath(new URL('./upstream.mjs', import.meta.url)), [], { cpu: CPU.upstream, nodeArgs: nodeArgs('direct') })
  const servers = { direct: upstream }
  const logFiles = {}
  try {
    servers.bare = await startListeningScript(fileURLToPath(new URL('./bare-proxy.mjs', import.meta.url)), [upstream.url], { cpu: CPU.server, nodeArgs: nodeArgs('bare') })
    const ours = {
      'ours-silent': { LOG_LEVEL: 'silent' },
      'ours-pretty': { LOG_FORMAT: 'pretty', LOG_LEVEL: 'info' },
      'ours-json': { LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
      'ours-no-inspector': { LOG_FORMAT: 'pretty', LOG_LEVEL: 'info', INSPECTOR: 'false' }
    }
    for (const [target, env] of Object.entries(ours)) {
      logFiles[target] = `${RESULTS}${target}.log`
      writeFileSync(logFiles[target], '')
      servers[target] = await startOurProxy({ upstream: upstream.url, env: { ...env, BENCH_GC_DIR: gcDir }, logFile: logFiles[target], cpu: CPU.server, cwd: proxyCwd, nodeArgs: nodeArgs(target) })
    }
    if (BROWSER_TESTS.length > 0) {
      servers.browserUpstream = await startListeningScript(fileURLToPath(new URL('./upstream.mjs', import.meta.url)), [], { cpu: CPU.server, nodeArgs: nodeArgs('direct') })
      servers['browser-bare'] = await startListeningScript(fileURLToPath(new URL('./bare-proxy.mjs', import.meta.url)), [servers.browserUpstream.url], { cpu: CPU.server, nodeArgs: nodeArgs('bare') })
      logFiles['browser-ours'] = `${RESULTS}browser-ours.log`
      writeFileSync(logFiles['browser-ours'], '')
      servers['browser-ours'] = await startOurProxy({ upstream: servers.browserUpstream.url, env: { BENCH_GC_DIR: gcDir }, logFile: logFiles['browser-ours'], cpu: CPU.server, cwd: proxyCwd, nodeArgs: nodeArgs('ours-pretty') })
    }
    // Resident memory once start-up has settled, before any load.
    await sleep(1000)
    const idleSamples = TARGETS.map(target => ({ round: 0, test: 'idle', target, ...processStats(servers[target].pid) }))

    const samples = [...idleSamples]
    const logBytes = target => {
      if (!logFiles[target]) return 0
      const size = statSync(logFiles[target]).size
      truncateSync(logFiles[target]) // the files are opened for appending, so writing goes on at the new end
      return size
    }
    const cell = async (round, spec, target, seconds) => {
      const pid = servers[target].pid
      const gcBefore = await gcCounts(pid)
      const before = processStats(pid)
      logBytes(target)
      // Resident memory under load: the largest of readings every 250 ms during the cell.
      let loadRssMiB = 0
      const rssTimer = setInterval(() => { loadRssMiB = Math.max(loadRssMiB, processStats(pid).rssMiB) }, 250)
      const result = await runLoad(tool, { url: servers[target].url + spec.path, connections: spec.connections, seconds, body: spec.body, origin: ORIGIN, cpu: CPU.load }).finally(() => clearInterval(rssTimer))
      const after = processStats(pid)
      const written = logBytes(target)
      const gcAfter = await gcCounts(pid)
      const per10k = key => (gcAfter[key] - gcBefore[key]) * 10000 / result.requests
      return {
        round,
        test: spec.test,
        target,
        ...result,
        mibPerS: result.bytes / result.seconds / 1024 / 1024,
        cpuUsPerRequest: (after.cpuS - before.cpuS) * 1e6 / result.requests,
        logBytesPerRequest: written / result.requests,
        loadRssMiB,
        gcYoungPer10k: per10k('young'),
        gcOldPer10k: per10k('old'),
        gcMsPer10k: per10k('gcMs')
      }
    }

    log('warm-up')
    for (const spec of TESTS) for (const target of TARGETS) await cell(0, spec, target, Math.max(1, Math.round(SECONDS / 3)))
    for (const spec of BROWSER_TESTS) for (const target of BROWSER_TARGETS) await cell(0, spec, target, Math.max(1, Math.round(SECONDS / 3)))
    const report = sample => log(`round ${sample.round} ${sample.test.padEnd(8)} ${sample.target.padEnd(11)} ${sample.rps.toFixed(0).padStart(6)} req/s  p50 ${sample.p50Ms.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms  ${sample.mibPerS.toFixed(0)} MiB/s  ${sample.cpuUsPerRequest.toFixed(0)} µs CPU/req  GC/10k ${sample.gcYoungPer10k.toFixed(0)}y ${sample.gcOldPer10k.toFixed(1)}o  RSS ${sample.loadRssMiB.toFixed(0)} MiB${sample.errors ? `  ERRORS ${sample.errors}` : ''}`)
    for (let round = 1; round <= ROUNDS; round++) {
      // Rotating the order each round keeps any one target from always going first.
      const order = TARGETS.map((_, i) => TARGETS[(i + round - 1) % TARGETS.length])
      for (const spec of TESTS) {
        for (const target of order) {
          const sample = await cell(round, spec, target, SECONDS)
          samples.push(sample)
          report(sample)
        }
      }
      for (const spec of BROWSER_TESTS) {
        for (const target of round % 2 ? BROWSER_TARGETS : [...BROWSER_TARGETS].reverse()) {
          const sample = await cell(round, spec, target, SECONDS)
          samples.push(sample)
          report(sample)
        }
      }
      for (let i = 0; RUN_SSE && i < SSE_SAMPLES; i++) {
        for (const target of order) {
          samples.push({ round, test: 'sse', target, firstEventMs: await firstEventMs(`${servers[target].url}/v1/bench/sse`, ORIGIN) })
        }
      }
    }
    for (const target of TARGETS) samples.push({ round: ROUNDS, test: 'memory', target, ...processStats(servers[target].pid) })

    const medians = summarize(samples)
    const browser = browserLines(samples)
    const checks = targetChecks(medians, browser.ratios)
    facts.loadAverageAtEnd = os.loadavg()
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    const file = `${RESULTS}bench-${stamp}.json`
    writeFileSync(file, JSON.stringify({ machine: facts, targets: TARGET_LABELS, samples, medians, browserRatios: browser.ratios, checks }, null, 2) + '\n')

    const directRatio = medians.direct['get-c32']?.rps / Math.max(...TARGETS.slice(1).map(t => medians[t]['get-c32']?.rps ?? NaN))
    const errors = samples.reduce((sum, s) => sum + (s.errors ?? 0), 0)
    const out = [
      '',
      `Machine: ${facts.cpuModel}, ${facts.cores} cores, Node ${facts.node}, Linux ${facts.kernel}; load generator ${tool}${PIN ? `; taskset: proxies on CPU ${CPU.server}, load generator and upstream on CPU ${CPU.load}` : ''}.`,
      `Medians of ${ROUNDS} interleaved rounds of ${SECONDS} s per cell (SSE: ${ROUNDS * SSE_SAMPLES} samples each). "d" = ratio to direct, "b" = ratio to bare fastify. Load average ${facts.loadAverageAtStart.map(n => n.toFixed(1)).join(' ')} at start, ${facts.loadAverageAtEnd.map(n => n.toFixed(1)).join(' ')} at end.`,
      '',
      markdownTable(medians),
      '',
      `Direct is ${directRatio.toFixed(1)}× the fastest proxy at 32 connections${directRatio < 3 ? ' — WARNING: under 3×, the load generator or upstream may be the bottleneck' : ''}. Errors: ${errors}.`,
      ...(BROWSER_TESTS.length > 0 ? ['', `Browser-like: Origin on every request, proxy and upstream on CPU ${CPU.server ?? '(any)'}, load generator on CPU ${CPU.load ?? '(any)'}; ours with every setting at its default. "b" = ratio to bare fastify; req/s ratios are the median of the ratios within each round.`, '', ...browser.lines, ''] : []),
      `Log output per request: curl -v ${medians['ours-pretty']['get-c32']?.logBytesPerRequest?.toFixed(0)} bytes, JSON ${medians['ours-json']['get-c32']?.logBytesPerRequest?.toFixed(0)} bytes.`,
      '',
      'Targets (issues 5 and 16, ours with its defaults: curl -v log to a file, inspector on):',
      ...checks.map(check => `- ${check.met ? 'met' : 'MISSED'}: ${check.name}: ${check.detail}`),
      '',
      `Raw samples: ${file}`
    ]
    process.stdout.write(out.join('\n') + '\n')
  } finally {
    await Promise.all(Object.values(servers).map(stop))
    if (gcDir.startsWith('/dev/shm/')) rmSync(gcDir, { recursive: true, force: true })
  }
}

main().catch(error => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`)
  process.exitCode = 1
})
