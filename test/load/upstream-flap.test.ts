// LOAD-05: the upstream dies under 64 keep-alive connections and comes back on the same
// port. Meanwhile clients get fast 502s, and 200s again within 1 s of the restart.
import t from 'tap'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { percentile, sleep, waitUntil } from './helpers.js'
import { holdLoadLock } from './load-lock.js'
import { pingReply, startLoadUpstream } from './load-upstream.js'
import { fdCount } from './process-readings.js'
import { spawnProxy } from './proxy-child.js'
import { runAutocannon, timedGet, type ResponseSeen } from './traffic.js'

const CONNECTIONS = 64
const DURATION_S = 12
const KILL_AT_MS = 4000
const RESTART_AT_MS = 8000

t.test('upstream killed and restarted on the same port under load: fast 502s, then 200s within 1 s', async t => {
  await holdLoadLock(t)
  const upstream = await startLoadUpstream(t, pingReply, { keepAliveTimeoutMs: 60_000 })
  const proxy = await spawnProxy(t, { BKEND_API_URL: upstream.url, LOG_FORMAT: 'json' }, { stdoutFile: join(tmpdir(), `bkend-dev-proxy-flap-${process.pid}.log`) })
  const fdsIdle = fdCount(proxy.pid)

  const responses: ResponseSeen[] = []
  const started = Date.now()
  const load = runAutocannon({ url: `${proxy.url}/v1/ping`, connections: CONNECTIONS, duration: DURATION_S }, seen => responses.push(seen))
  await sleep(KILL_AT_MS)
  const killedAt = Date.now()
  await upstream.kill()
  await sleep(1000)
  const probe = await timedGet(`${proxy.url}/v1/ping`)
  await sleep(Math.max(0, started + RESTART_AT_MS - Date.now()))
  const restartedAt = Date.now()
  await upstream.restart()
  const result = await load

  t.comment(`requests ${result.requests.sent}; statuses ${JSON.stringify(Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])))}; errors ${result.errors}, timeouts ${result.timeouts}`)
  t.same({ errors: result.errors, timeouts: result.timeouts }, { errors: 0, timeouts: 0 }, 'no connection errors or timeouts: every request got an answer')

  const startOf = (seen: ResponseSeen): number => seen.endedAt - seen.ms
  const before = responses.filter(seen => seen.endedAt < killedAt)
  const outage = responses.filter(seen => startOf(seen) >= killedAt + 50 && seen.endedAt <= restartedAt)
  const settled = responses.filter(seen => startOf(seen) >= restartedAt + 1000)
  const firstOk = responses.find(seen => seen.endedAt > restartedAt && seen.status === 200)
  const outageMs = outage.map(seen => seen.ms)
  t.comment(`before the kill: ${before.length} responses; during the outage: ${outage.length}, p50 ${percentile(outageMs, 50).toFixed(1)} ms, p99 ${percentile(outageMs, 99).toFixed(1)} ms, max ${Math.max(...outageMs).toFixed(1)} ms; after restart + 1 s: ${settled.length}`)
  t.comment(`first 200 after the restart ${firstOk ? `${firstOk.endedAt - restartedAt} ms` : 'never'} after it`)

  t.ok(before.length > 0 && before.every(seen => seen.status === 200), 'before the kill every answer is 200')
  t.ok(outage.length > 0, 'requests kept being answered during the outage')
  t.same([...new Set(outage.map(seen => seen.status))], [502], 'during the outage every answer is a 502')
  t.ok(percentile(outageMs, 99) < 100, `502s are fast: p99 ${percentile(outageMs, 99).toFixed(1)} ms < 100 ms`)
  t.equal(probe.status, 502, 'a request during the outage gets 502')
  t.match(probe.body, /"proxy\/upstream-unreachable"/, 'in bkend shape, naming the unreachable upstream')
  t.ok(firstOk !== undefined && firstOk.endedAt - restartedAt <= 1000, '200s resume within 1 s of the restart')
  t.ok(settled.length > 0 && settled.every(seen => seen.status === 200), 'from 1 s after the restart every answer is 200')

  const healthy = await timedGet(`${proxy.url}/__proxy/health`)
  t.equal(healthy.status, 200, 'the proxy still answers its health route')
  const fdsBack = await waitUntil(() => Math.abs(fdCount(proxy.pid) - upstream.open() - fdsIdle) <= 8, 5000)
  t.comment(`fds idle ${fdsIdle}; after the run ${fdCount(proxy.pid)}, of which pooled upstream sockets ${upstream.open()}`)
  t.ok(fdsBack, 'file descriptors return to the idle count (±8) plus the pooled upstream sockets')
})
