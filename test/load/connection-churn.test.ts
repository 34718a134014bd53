// LOAD-03: 5,000 requests, each on a fresh client connection (Connection: close), 50 at
// a time. Client churn must not churn the upstream, and no socket may be left behind.
import t from 'tap'
import http from 'node:http'
import { percentile, waitFor } from './helpers.js'
import { holdLoadLock } from './load-lock.js'
import { pingReply, startLoadUpstream } from './load-upstream.js'
import { fdCount } from './process-readings.js'
import { spawnProxy } from './proxy-child.js'

const REQUESTS = 5000
const CONCURRENCY = 50
const POOL_SIZE = 512 // src/upstream-dispatcher.ts connections

function getOnFreshConnection (url: string): Promise<{ status: number, ms: number }> {
  const started = performance.now()
  return new Promise(resolve => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' }, timeout: 10_000 }, res => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }))
      res.on('error', () => resolve({ status: -1, ms: performance.now() - started }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve({ status: -1, ms: performance.now() - started }))
  })
}

t.test('5,000 requests on fresh client connections reuse a bounded upstream pool and leave no fds behind', async t => {
  await holdLoadLock(t)
  const upstream = await startLoadUpstream(t, pingReply, { keepAliveTimeoutMs: 60_000 })
  const proxy = await spawnProxy(t, { BKEND_API_URL: upstream.url, LOG_FORMAT: 'json' }, { stdout: 'file' })
  const fdsIdle = fdCount(proxy.pid)

  const statuses = new Map<number, number>()
  const latencies: number[] = []
  let next = 0
  const started = Date.now()
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      next++
      const { status, ms } = await getOnFreshConnection(`${proxy.url}/v1/ping`)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
      latencies.push(ms)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const elapsedMs = Date.now() - started

  t.comment(`${REQUESTS} requests in ${elapsedMs} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`)
  t.same(Object.fromEntries(statuses), { 200: REQUESTS }, 'every request answered 200, no connection errors')
  t.comment(`upstream: ${upstream.accepted} connections accepted, at most ${upstream.maxOpen} open at once, ${upstream.requests} requests`)
  t.equal(upstream.requests, REQUESTS, 'the upstream saw each request once')
  t.ok(upstream.accepted <= POOL_SIZE, `the upstream accepted ${upstream.accepted} connections, no more than the pool (${POOL_SIZE})`)

  // What may stay open are the pooled upstream sockets, counted from the upstream's side.
  const fdsBack = await waitFor(() => Math.abs(fdCount(proxy.pid) - upstream.open() - fdsIdle) <= 4, 5000)
  t.comment(`fds idle ${fdsIdle}; after the run ${fdCount(proxy.pid)}, of which pooled upstream sockets ${upstream.open()}`)
  t.ok(fdsBack, 'file descriptors return to the idle count (±4) plus the pooled upstream sockets within 5 s')
  t.equal(proxy.child.exitCode, null, 'the proxy is still running')
})
