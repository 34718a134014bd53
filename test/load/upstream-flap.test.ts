// LOAD-05: the upstream dies under 64 keep-alive connections and comes back on the same
// port. Meanwhile clients get fast 502s, and 200s again within 1 s of the restart.
import t from 'tap'
import { sleep, waitFor } from './helpers.js'
import { latencyHistogram, type LatencyHistogram } from './latency-histogram.js'
import { holdLoadLock } from './load-lock.js'
import { pingReply, startLoadUpstream } from './load-upstream.js'
import { fdCount } from './process-readings.js'
import { spawnProxy } from './proxy-child.js'
import { runAutocannon, timedGet, type ResponseSeen } from './traffic.js'

const CONNECTIONS = 64
const DURATION_S = 12
const KILL_AT_MS = 4000
const RESTART_AT_MS = 8000

interface Phases { before: number, beforeNon200: number, outage: number, outageStatuses: Set<number>, outageMs: LatencyHistogram, settled: number, settledNon200: number, firstOkAt?: number }

/**
 * Sorts each answer into its phase as it arrives; the kill and restart times are Infinity
 * until they happen. Counts, not a list of answers: their number grows with the machine's speed.
 */
function phaseCounter (times: { killedAt: number, restartedAt: number }): { phases: Phases, record: (seen: ResponseSeen) => void } {
  const phases: Phases = { before: 0, beforeNon200: 0, outage: 0, outageStatuses: new Set(), outageMs: latencyHistogram(), settled: 0, settledNon200: 0 }
  const record = (seen: ResponseSeen): void => {
    const startedAt = seen.endedAt - seen.ms
    if (seen.endedAt < times.killedAt) {
      phases.before++
      if (seen.status !== 200) phases.beforeNon200++
    }
    // 50 ms after the kill, so requests that met the dying upstream do not count.
    if (startedAt >= times.killedAt + 50 && seen.endedAt <= times.restartedAt) {
      phases.outage++
      phases.outageStatuses.add(seen.status)
      phases.outageMs.record(seen.ms)
    }
    if (startedAt >= times.restartedAt + 1000) {
      phases.settled++
      if (seen.status !== 200) phases.settledNon200++
    }
    if (phases.firstOkAt === undefined && seen.endedAt > times.restartedAt && seen.status === 200) phases.firstOkAt = seen.endedAt
  }
  return { phases, record }
}

t.test('upstream killed and restarted on the same port under load: fast 502s, then 200s within 1 s', async t => {
  await holdLoadLock(t)
  const upstream = await startLoadUpstream(t, pingReply, { keepAliveTimeoutMs: 60_000 })
  const proxy = await spawnProxy(t, { BKEND_API_URL: upstream.url, LOG_FORMAT: 'json' }, { stdout: 'file' })
  const fdsIdle = fdCount(proxy.pid)

  const times = { killedAt: Infinity, restartedAt: Infinity }
  const { phases, record } = phaseCounter(times)
  const started = Date.now()
  const load = runAutocannon({ url: `${proxy.url}/v1/ping`, connections: CONNECTIONS, duration: DURATION_S }, record)
  await sleep(KILL_AT_MS)
  times.killedAt = Date.now()
  await upstream.kill()
  await sleep(1000)
  const probe = await timedGet(`${proxy.url}/v1/ping`)
  await sleep(Math.max(0, started + RESTART_AT_MS - Date.now()))
  times.restartedAt = Date.now()
  await upstream.restart()
  const result = await load

  t.comment(`requests ${result.requests.sent}; statuses ${JSON.stringify(Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])))}; errors ${result.errors}, timeouts ${result.timeouts}`)
  t.same({ errors: result.errors, timeouts: result.timeouts }, { errors: 0, timeouts: 0 }, 'no connection errors or timeouts: every request got an answer')

  const { outageMs } = phases
  t.comment(`before the kill: ${phases.before} responses; during the outage: ${phases.outage}, p50 ${outageMs.percentile(50).toFixed(1)} ms, p99 ${outageMs.percentile(99).toFixed(1)} ms, max ${outageMs.max().toFixed(1)} ms; after restart + 1 s: ${phases.settled}`)
  t.comment(`first 200 after the restart ${phases.firstOkAt !== undefined ? `${phases.firstOkAt - times.restartedAt} ms` : 'never'} after it`)

  t.ok(phases.before > 0 && phases.beforeNon200 === 0, 'before the kill every answer is 200')
  t.ok(phases.outage > 0, 'requests kept being answered during the outage')
  t.same([...phases.outageStatuses], [502], 'during the outage every answer is a 502')
  t.ok(outageMs.percentile(99) < 100, `502s are fast: p99 ${outageMs.percentile(99).toFixed(1)} ms < 100 ms`)
  t.equal(probe.status, 502, 'a request during the outage gets 502')
  t.match(probe.body, /"proxy\/upstream-unreachable"/, 'in bkend shape, naming the unreachable upstream')
  t.ok(phases.firstOkAt !== undefined && phases.firstOkAt - times.restartedAt <= 1000, '200s resume within 1 s of the restart')
  t.ok(phases.settled > 0 && phases.settledNon200 === 0, 'from 1 s after the restart every answer is 200')

  const healthy = await timedGet(`${proxy.url}/__proxy/health`)
  t.equal(healthy.status, 200, 'the proxy still answers its health route')
  const fdsBack = await waitFor(() => Math.abs(fdCount(proxy.pid) - upstream.open() - fdsIdle) <= 8, 5000)
  t.comment(`fds idle ${fdsIdle}; after the run ${fdCount(proxy.pid)}, of which pooled upstream sockets ${upstream.open()}`)
  t.ok(fdsBack, 'file descriptors return to the idle count (±8) plus the pooled upstream sockets')
})
