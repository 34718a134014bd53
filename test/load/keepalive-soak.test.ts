// LOAD-01 then SHD-05: 64 keep-alive connections for 60 s against the real CLI with
// LOG_FORMAT=json written to a file; then SIGTERM with the upstream pool still full.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mb, waitUntil } from './helpers.js'
import { holdLoadLock } from './load-lock.js'
import { pingReply, startLoadUpstream } from './load-upstream.js'
import { fdCount, rssGrowth, sampleProcess } from './process-readings.js'
import { health, spawnProxy } from './proxy-child.js'
import { runAutocannon } from './traffic.js'

const CONNECTIONS = 64
const DURATION_S = 60
const WARMED_UP_AT_MS = 15_000
const POOL_SIZE = 512 // src/upstream-dispatcher.ts connections

t.test('64 keep-alive connections for 60 s, then SIGTERM', async t => {
  await holdLoadLock(t)
  // A keep-alive timeout longer than the run, so the pool is still full at SIGTERM.
  const upstream = await startLoadUpstream(t, pingReply, { keepAliveTimeoutMs: 120_000 })
  const logFile = join(tmpdir(), `bkend-dev-proxy-soak-${process.pid}.log`)
  const proxy = await spawnProxy(t, { BKEND_API_URL: upstream.url, LOG_FORMAT: 'json' }, { stdoutFile: logFile })
  const fdsIdle = fdCount(proxy.pid)
  const sampler = sampleProcess(proxy.pid)

  t.teardown(() => { sampler.stop() })
  const result = await runAutocannon({ url: `${proxy.url}/v1/ping`, connections: CONNECTIONS, duration: DURATION_S })
  const underLoad = [...sampler.stop()]
  const { droppedLogLines } = await health(proxy.url)

  t.test('no errors, flat memory, stable fds, bounded and reused upstream pool', async t => {
    t.comment(`requests sent ${result.requests.sent}, 2xx ${result['2xx']}, ${result.requests.average} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`)
    t.same({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, resets: result.resets }, { errors: 0, timeouts: 0, non2xx: 0, resets: 0 }, 'no errors, timeouts or non-2xx answers')
    t.ok(result['2xx'] > 0, `${result['2xx']} requests answered 200`)

    const warm = underLoad.find(sample => sample.atMs >= WARMED_UP_AT_MS)!
    const last = underLoad.filter(sample => sample.atMs <= DURATION_S * 1000 - 1000).at(-1)!
    const memory = rssGrowth(underLoad, WARMED_UP_AT_MS, DURATION_S * 1000)
    t.comment(`RSS idle ${mb(underLoad[0]!.rss)}; median ${mb(memory.atWarmUp)} over 15-25 s, ${mb(memory.atEnd)} over the last 10 s; peak after warm-up ${mb(memory.peak)}; growth ${mb(memory.growth)} (allowed ${mb(memory.allowed)})`)
    t.comment(`RSS every 5 s (MB): ${underLoad.filter((_, i) => i % 5 === 0).map(sample => (sample.rss / 1024 / 1024).toFixed(0)).join(' ')}`)
    t.ok(memory.growth <= memory.allowed, 'RSS growth after warm-up is within max(20 MB, 10 %)')
    t.comment(`fds idle ${fdsIdle}, at warm-up ${warm.fds}, at ${(last.atMs / 1000).toFixed(0)} s ${last.fds}`)
    t.ok(Math.abs(last.fds - warm.fds) <= 8, 'the fd count under load stays within ±8 of the warm-up count')

    t.comment(`upstream: ${upstream.accepted} connections accepted, at most ${upstream.maxOpen} open at once, ${upstream.requests} requests`)
    t.ok(upstream.accepted <= POOL_SIZE, `the upstream accepted ${upstream.accepted} connections, no more than the pool (${POOL_SIZE})`)
    t.ok(upstream.requests >= 10 * upstream.accepted, 'upstream sockets are reused (at least 10 requests per connection)')

    // Client sockets are gone once autocannon is done; what stays open are the pooled
    // upstream sockets, which the upstream counts from its side.
    const fdsBack = await waitUntil(() => Math.abs(fdCount(proxy.pid) - upstream.open() - fdsIdle) <= 8, 5000)
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
    t.ok(await waitUntil(() => upstream.open() === 0, 1000), 'the upstream sees every pooled socket closed')
    t.match(readFileSync(logFile, 'utf8').trimEnd().split('\n').at(-1), /"msg":"stopped"/, 'the last log line says it stopped')
  })

  t.test('exactly one log exchange per request', async t => {
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n')
    const unparsable = lines.filter(line => { try { JSON.parse(line); return false } catch { return true } })
    t.comment(`droppedLogLines in health at the end of the load: ${droppedLogLines}; lines that are not JSON: ${unparsable.length}`)
    t.equal(droppedLogLines, 0, 'no log entry was dropped while stdout is a file')
    t.same(unparsable.slice(0, 3), [], 'every line of the JSON log parses')
    const exchanges = lines.flatMap(line => {
      try {
        const entry = JSON.parse(line) as { exchange?: { id: number, url: string, completed: boolean, response: { status: number } } }
        return entry.exchange ? [entry.exchange] : []
      } catch {
        return []
      }
    })
    const ids = new Set(exchanges.map(exchange => exchange.id))
    const answered = exchanges.filter(exchange => exchange.completed && exchange.response.status === 200).length
    t.comment(`log exchanges ${exchanges.length} (completed 200: ${answered}), upstream requests ${upstream.requests}, autocannon sent ${result.requests.sent} and got ${result['2xx']} 2xx`)
    t.equal(ids.size, exchanges.length, 'no exchange is logged twice')
    t.equal(exchanges.length, upstream.requests, 'one log exchange for every request forwarded')
    t.ok(answered >= result['2xx'] && exchanges.length <= result.requests.sent, 'every answered request is logged, and no more exchanges than requests sent')
  })
})
