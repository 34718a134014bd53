// LOAD-06: the proxy's stdout is a pipe to this process, which stops reading it for 10 s
// under load. Serving must go on, memory stay bounded, lost entries be counted and
// reported, and whatever is written must be whole entries.
import t from 'tap'
import { mb, percentile, sleep, waitFor } from './helpers.js'
import { holdLoadLock } from './load-lock.js'
import { pingReply, startLoadUpstream } from './load-upstream.js'
import { rssBytes } from './process-readings.js'
import { health, spawnProxy } from './proxy-child.js'
import { probeFromAnotherProcess, runAutocannon } from './traffic.js'
import { tallyLogFile } from './log-tally.js'

const CONNECTIONS = 16
const DURATION_S = 17
const BASELINE_FROM_MS = 2000
const STALL_FROM_MS = 5000
const STALL_MS = 10_000
// The proxy buffers at most 8 MB of log output (LOG_BUFFER_BYTES), held as two-byte
// strings; the garbage collector's sawtooth comes on top. Peaks are compared with the
// peaks of the same load before the stall.
const RSS_GROWTH_CAP = 96 * 1024 * 1024

for (const format of ['pretty', 'json'] as const) {
  t.test(`LOG_FORMAT=${format}: a log reader that stops for 10 s does not stall serving`, async t => {
    await holdLoadLock(t)
    const upstream = await startLoadUpstream(t, pingReply, { keepAliveTimeoutMs: 60_000 })
    const proxy = await spawnProxy(t, { BKEND_API_URL: upstream.url, LOG_FORMAT: format }, { stdout: 'pipe' })
    const rssIdle = rssBytes(proxy.pid)

    // Answers are counted as they come, by phase, rather than kept: their number grows with the machine's speed.
    let stallStart = Infinity
    let stallEnd = Infinity
    let servedBefore = 0
    let servedDuringStall = 0
    const started = Date.now()
    const load = runAutocannon({ url: `${proxy.url}/v1/ping`, connections: CONNECTIONS, duration: DURATION_S }, seen => {
      if (seen.status !== 200) return
      if (seen.endedAt <= stallStart) servedBefore++
      else if (seen.endedAt <= stallEnd) servedDuringStall++
    })
    const probe = probeFromAnotherProcess(t, `${proxy.url}/__proxy/health`, 100, DURATION_S * 1000)
    await sleep(BASELINE_FROM_MS)
    let rssBeforeStall = 0
    while (Date.now() < started + STALL_FROM_MS) {
      rssBeforeStall = Math.max(rssBeforeStall, rssBytes(proxy.pid))
      await sleep(250)
    }
    proxy.child.stdout!.pause()
    stallStart = Date.now()
    let rssPeak = rssBeforeStall
    while (Date.now() < stallStart + STALL_MS) {
      rssPeak = Math.max(rssPeak, rssBytes(proxy.pid))
      await sleep(250)
    }
    stallEnd = Date.now()
    const droppedAtStallEnd = (await health(proxy.url)).droppedLogLines
    proxy.child.stdout!.resume()
    const result = await load
    const checks = await probe

    // Let the buffered output drain, then stop the proxy so everything is flushed.
    let length = -1
    await waitFor(() => { const now = proxy.stdoutBytes(); const still = now === length; length = now; return still }, 10_000, 500)
    const dropped = (await health(proxy.url)).droppedLogLines
    proxy.child.kill('SIGTERM')
    const exit = await proxy.exited

    const during = checks.filter(check => check.at >= stallStart && check.at < stallEnd)
    const duringMs = during.map(check => check.ms)
    t.comment(`load: ${result.requests.sent} requests, ${result.requests.average} req/s; 200s before the stall ${servedBefore} (in ${STALL_FROM_MS / 1000} s), during the 10 s stall ${servedDuringStall}`)
    t.comment(`health during the stall: ${during.length} checks, p50 ${percentile(duringMs, 50).toFixed(1)} ms, p99 ${percentile(duringMs, 99).toFixed(1)} ms, max ${Math.max(...duringMs).toFixed(1)} ms`)
    t.comment(`RSS idle ${mb(rssIdle)}, peak under load before the stall ${mb(rssBeforeStall)}, peak during it ${mb(rssPeak)} (growth ${mb(rssPeak - rssBeforeStall)}, cap ${mb(RSS_GROWTH_CAP)})`)

    t.same({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }, { errors: 0, timeouts: 0, non2xx: 0 }, 'the load got only 200s')
    t.ok(servedDuringStall > 0, 'requests kept being served during the stall')
    t.ok(during.length >= 50 && during.every(check => check.status === 200), `health answered 200 throughout the stall (${during.length} checks)`)
    t.ok(percentile(duringMs, 99) < 100, `health p99 during the stall ${percentile(duringMs, 99).toFixed(1)} ms < 100 ms`)
    t.ok(rssPeak - rssBeforeStall <= RSS_GROWTH_CAP, `RSS stays bounded while nobody reads the log (peak growth ≤ ${mb(RSS_GROWTH_CAP)})`)

    const parsed = await tallyLogFile(proxy.logFile, format)
    t.comment(`stdout: ${mb(proxy.stdoutBytes())}, ${parsed.lines} lines; dropped: ${droppedAtStallEnd} at the end of the stall, ${dropped} in the end (health); drop notices ${parsed.notices} reporting ${parsed.reportedDropped} in total; exchanges written ${parsed.exchanges}, upstream requests ${upstream.requests}`)
    t.ok(dropped > 0, 'health reports droppedLogLines > 0')
    t.ok(parsed.notices > 0, 'the log says "[log] N log entries were dropped" once it flows again')
    t.equal(parsed.reportedDropped, dropped, 'the notices add up to the count in health: each lost entry reported once')
    t.equal(parsed.exchanges + dropped, upstream.requests, 'every exchange was either written or counted as dropped')
    t.same({ torn: parsed.torn, samples: parsed.tornSamples }, { torn: 0, samples: [] }, format === 'pretty' ? 'every pretty block is complete' : 'every JSON line parses')
    t.same(exit, { code: 0, signal: null }, 'the proxy exits 0 on SIGTERM afterwards')
  })
}
