// LOAD-01 then SHD-05: 64 keep-alive connections for 60 s against the real CLI with
// LOG_FORMAT=json written to a file; then SIGTERM with the upstream pool still full.
// The soak stops at MAX_REQUESTS if that comes first, so a fast machine's log stays a few
// hundred MB, and the log is read line by line (issue 10, item 0: at 744,298 requests it
// passed 512 MiB, and reading it as one string failed with ERR_STRING_TOO_LONG).
import t from 'tap'
import { statSync } from 'node:fs'
import { mb, waitFor } from './helpers.js'
import { holdLoadLock } from './load-lock.js'
import { pingReply, startLoadUpstream } from './load-upstream.js'
import { tallyLogFile, type LogTally } from './log-tally.js'
import { fdCount, rssGrowth, sampleProcess } from './process-readings.js'
import { health, spawnProxy } from './proxy-child.js'
import { runAutocannon } from './traffic.js'

const CONNECTIONS = 64
const DURATION_S = 60
// About 790 bytes of JSON log per request: at most ~400 MB on disk. This machine serves
// 225-335k in 60 s; one more than ~1.5x as fast stops early, and the memory windows shrink to fit.
const MAX_REQUESTS = 500_000
const WARMED_UP_AT_MS = 15_000
const WINDOW_MS = 10_000
const POOL_SIZE = 512 // src/upstream-dispatcher.ts connections

t.test('64 keep-alive connections for 60 s, then SIGTERM', async t => {
  await holdLoadLock(t)
  // A keep-alive timeout longer than the run, so the pool is still full at SIGTERM.
  const upstream = await startLoadUpstream(t, pingReply, { keepAliveTimeoutMs: 120_000 })
  const proxy = await spawnProxy(t, { BKEND_API_URL: upstream.url, LOG_FORMAT: 'json' }, { stdout: 'file' })
  const fdsIdle = fdCount(proxy.pid)
  const samplerStarted = Date.now()
  const sampler = sampleProcess(proxy.pid)

  t.teardown(() => { sampler.stop() })
  // maxOverallRequests, not amount: autocannon ignores the duration when given an amount.
  // The load ends with its last answer: autocannon notices the cap only at its next 1 s tick.
  let lastAnswerAt = samplerStarted
  const result = await runAutocannon({ url: `${proxy.url}/v1/ping`, connections: CONNECTIONS, duration: DURATION_S, maxOverallRequests: MAX_REQUESTS }, seen => { lastAnswerAt = seen.endedAt })
  const loadEndMs = lastAnswerAt - samplerStarted
  const underLoad = [...sampler.stop()]
  const { droppedLogLines } = await health(proxy.url)
  // Warm-up and the two memory windows as in LOAD-01 (15 s, 10 s), scaled down if the request cap ended the soak early.
  const warmUpMs = Math.min(WARMED_UP_AT_MS, loadEndMs / 3)
  const windowMs = Math.min(WINDOW_MS, (loadEndMs - warmUpMs) / 2)
  // Read once, after the exit (SHD-05 below) has flushed the last line.
  let tallied: Promise<LogTally> | undefined
  let logReadMs = 0
  const logTally = (): Promise<LogTally> => (tallied ??= proxy.exited.then(async () => {
    const started = Date.now()
    const tally = await tallyLogFile(proxy.logFile, 'json')
    logReadMs = Date.now() - started
    return tally
  }))

  t.test('no errors, flat memory, stable fds, bounded and reused upstream pool', async t => {
    t.comment(`requests sent ${result.requests.sent} in ${(loadEndMs / 1000).toFixed(1)} s (cap ${MAX_REQUESTS} or ${DURATION_S} s), 2xx ${result['2xx']}, ${result.requests.average} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`)
    t.same({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, resets: result.resets }, { errors: 0, timeouts: 0, non2xx: 0, resets: 0 }, 'no errors, timeouts or non-2xx answers')
    t.ok(result['2xx'] > 0, `${result['2xx']} requests answered 200`)

    const warm = underLoad.find(sample => sample.atMs >= warmUpMs)!
    const last = underLoad.filter(sample => sample.atMs <= loadEndMs - 1000).at(-1)!
    const memory = rssGrowth(underLoad, warmUpMs, loadEndMs, windowMs)
    const seconds = (ms: number): string => (ms / 1000).toFixed(0)
    t.comment(`RSS idle ${mb(underLoad[0]!.rss)}; median ${mb(memory.atWarmUp)} over ${seconds(warmUpMs)}-${seconds(warmUpMs + windowMs)} s, ${mb(memory.atEnd)} over the last ${seconds(windowMs)} s; peak after warm-up ${mb(memory.peak)}; growth ${mb(memory.growth)} (allowed ${mb(memory.allowed)})`)
    t.comment(`RSS every 5 s (MB): ${underLoad.filter((_, i) => i % 5 === 0).map(sample => (sample.rss / 1024 / 1024).toFixed(0)).join(' ')}`)
    t.ok(memory.growth <= memory.allowed, 'RSS growth after warm-up is within max(20 MB, 10 %)')
    t.comment(`fds idle ${fdsIdle}, at warm-up ${warm.fds}, at ${(last.atMs / 1000).toFixed(0)} s ${last.fds}`)
    t.ok(Math.abs(last.fds - warm.fds) <= 8, 'the fd count under load stays within ±8 of the warm-up count')

    t.comment(`upstream: ${upstream.accepted} connections accepted, at most ${upstream.maxOpen} open at once, ${upstream.requests} requests`)
    t.ok(upstream.accepted <= POOL_SIZE, `the upstream accepted ${upstream.accepted} connections, no more than the pool (${POOL_SIZE})`)
    t.ok(upstream.requests >= 10 * upstream.accepted, 'upstream sockets are reused (at least 10 requests per connection)')

    // Client sockets are gone once autocannon is done; what stays open are the pooled
    // upstream sockets, which the upstream counts from its side.
    const fdsBack = await waitFor(() => Math.abs(fdCount(proxy.pid) - upstream.open() - fdsIdle) <= 8, 5000)
    t.comment(`fds after the run ${fdCount(proxy.pid)}, of which pooled upstream sockets ${upstream.open()}`)
    t.ok(fdsBack, 'file descriptors return to the idle count (±8) plus the pooled upstream sockets')
  })

  t.test('SIGTERM right after the soak exits 0 within 1 s and closes the pooled upstream sockets (SHD-05)', async t => {
    const pooled = upstream.open()
    t.comment(`pooled upstream sockets at SIGTERM: ${pooled}`)
    t.ok(pooled > 0, 'the pool still holds upstream sockets when the signal arrives')
    const started = Date.now()
    proxy.child.kill('SIGTERM')
    const exit = await proxy.exited
    const exitMs = Date.now() - started
    t.comment(`exited ${exitMs} ms after SIGTERM`)
    t.same(exit, { code: 0, signal: null }, 'exit code 0')
    t.ok(exitMs <= 1000, `exited within 1 s (${exitMs} ms)`)
    t.ok(await waitFor(() => upstream.open() === 0, 1000), 'the upstream sees every pooled socket closed')
    t.match((await logTally()).lastLine, /"msg":"stopped"/, 'the last log line says it stopped')
  })

  t.test('exactly one log exchange per request', async t => {
    const log = await logTally()
    t.comment(`log: ${mb(statSync(proxy.logFile).size)}, ${log.lines} lines, read line by line in ${logReadMs} ms; drop notices in it: ${log.notices}; lines that are not JSON: ${log.torn}`)
    t.same({ droppedLogLines, notices: log.notices }, { droppedLogLines: 0, notices: 0 }, 'no log entry was dropped while stdout is a file (health and the log agree)')
    t.same({ torn: log.torn, samples: log.tornSamples }, { torn: 0, samples: [] }, 'every line of the JSON log parses')
    t.comment(`log exchanges ${log.exchanges} (completed 200: ${log.answered}), upstream requests ${upstream.requests}, autocannon sent ${result.requests.sent} and got ${result['2xx']} 2xx`)
    t.equal(log.badIds, 0, 'no exchange is logged twice')
    t.equal(log.exchanges, upstream.requests, 'one log exchange for every request forwarded')
    t.ok(log.answered >= result['2xx'] && log.exchanges <= result.requests.sent, 'every answered request is logged, and no more exchanges than requests sent')
  })
})
