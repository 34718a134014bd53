// LOAD-04: 200 SSE streams through /mcp for 60 s. Every event arrives once and in
// order, memory stays flat, and the upstream streams end soon after the clients leave.
import t from 'tap'
import http from 'node:http'
import { mb, percentile, sleep, waitFor } from './helpers.js'
import { holdLoadLock } from './load-lock.js'
import { startLoadUpstream } from './load-upstream.js'
import { fdCount, rssGrowth, sampleProcess } from './process-readings.js'
import { spawnProxy } from './proxy-child.js'

const STREAMS = 200
const DURATION_MS = 60_000
const WARMED_UP_AT_MS = 15_000
const EVENT_INTERVAL_MS = 1000

interface StreamSeen { status: number, ids: number[], latenciesMs: number[], error?: string }

t.test('200 SSE streams for 60 s: every event in order, flat memory, upstream closed within 2 s of the clients leaving', async t => {
  await holdLoadLock(t)
  // The upstream writes `id: n` to every open stream once a second, with its send time.
  const streams = new Map<string, { res: http.ServerResponse, sent: number }>()
  let writing = true
  const upstream = await startLoadUpstream(t, (req, res) => {
    const key = new URL(req.url!, 'http://upstream').searchParams.get('stream') ?? ''
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.write(': open\n\n')
    streams.set(key, { res, sent: 0 })
    res.on('close', () => streams.delete(key))
  })
  const ticker = setInterval(() => {
    if (!writing) return
    for (const stream of streams.values()) {
      stream.sent++
      stream.res.write(`id: ${stream.sent}\ndata: {"sentAt":${Date.now()}}\n\n`)
    }
  }, EVENT_INTERVAL_MS)
  t.teardown(() => clearInterval(ticker))
  const sentTo = new Map<string, number>()
  const countSent = (): void => { for (const [key, stream] of streams) sentTo.set(key, stream.sent) }

  const proxy = await spawnProxy(t, { BKEND_MCP_URL: `${upstream.url}/mcp`, LOG_FORMAT: 'json' }, { stdout: 'file' })
  const fdsIdle = fdCount(proxy.pid)
  const sampler = sampleProcess(proxy.pid)
  t.teardown(() => { sampler.stop() })

  const seen: StreamSeen[] = []
  const requests: http.ClientRequest[] = []
  for (let i = 0; i < STREAMS; i++) {
    const stream: StreamSeen = { status: 0, ids: [], latenciesMs: [] }
    seen.push(stream)
    const req = http.get(`${proxy.url}/mcp?stream=${i}`, { agent: false, headers: { accept: 'text/event-stream' } }, res => {
      stream.status = res.statusCode ?? 0
      let buffered = ''
      res.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk
        let end: number
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end)
          buffered = buffered.slice(end + 2)
          const id = /^id: (\d+)$/m.exec(event)
          const sentAt = /"sentAt":(\d+)/.exec(event)
          if (id) stream.ids.push(Number(id[1]))
          if (sentAt) stream.latenciesMs.push(Date.now() - Number(sentAt[1]))
        }
      })
      res.on('error', () => {})
    })
    req.on('error', error => { stream.error ??= error.message })
    requests.push(req)
  }

  await sleep(DURATION_MS)
  // Stop writing, give the last events time to arrive, then compare both ends exactly.
  writing = false
  countSent()
  await sleep(1500)
  const openedUpstream = sentTo.size
  t.comment(`upstream streams open at the end: ${openedUpstream} of ${STREAMS}; upstream accepted ${upstream.accepted} connections`)

  const rows = seen.map((stream, i) => ({ stream: i, status: stream.status, sent: sentTo.get(String(i)) ?? 0, received: stream.ids.length, inOrder: stream.ids.every((id, index) => id === index + 1), error: stream.error }))
  const broken = rows.filter(row => row.status !== 200 || row.sent === 0 || row.received !== row.sent || !row.inOrder)
  const events = seen.reduce((sum, stream) => sum + stream.ids.length, 0)
  const latencies = seen.flatMap(stream => stream.latenciesMs)
  t.comment(`events received: ${events}; per-event latency p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms`)
  if (broken.length > 0) t.comment(`streams not intact: ${broken.length}; first ones: ${JSON.stringify(broken.slice(0, 3))}`)
  t.equal(broken.length, 0, 'every stream got ids 1..N contiguous, exactly as many as the upstream sent')

  const closedAt = Date.now()
  for (const req of requests) req.destroy()
  const upstreamClosed = await waitFor(() => streams.size === 0, 2000)
  t.comment(`upstream streams all closed ${Date.now() - closedAt} ms after the clients left (still open: ${streams.size}, upstream sockets open: ${upstream.open()})`)
  t.ok(upstreamClosed, 'the upstream streams are closed within 2 s of the clients leaving')
  await sleep(Math.max(0, closedAt + 2000 - Date.now()))
  t.comment(`2 s after the clients left: upstream streams open ${streams.size}, sockets open ${upstream.open()}, connections accepted in all ${upstream.accepted}`)
  t.equal(streams.size, 0, 'no upstream stream is opened for a client that has left')

  const fdsBack = await waitFor(() => Math.abs(fdCount(proxy.pid) - upstream.open() - fdsIdle) <= 8, 5000)
  const samples = sampler.stop()
  const warm = samples.find(sample => sample.atMs >= WARMED_UP_AT_MS)!
  const memory = rssGrowth(samples, WARMED_UP_AT_MS, DURATION_MS)
  t.comment(`RSS idle ${mb(samples[0]!.rss)}; median ${mb(memory.atWarmUp)} over 15-25 s, ${mb(memory.atEnd)} over the last 10 s; peak after warm-up ${mb(memory.peak)}; growth ${mb(memory.growth)} (allowed ${mb(memory.allowed)})`)
  t.comment(`fds idle ${fdsIdle}, at warm-up ${warm.fds}, after the clients left ${fdCount(proxy.pid)} (upstream sockets open ${upstream.open()})`)
  t.ok(memory.growth <= memory.allowed, 'RSS growth after warm-up is within max(20 MB, 10 %)')
  t.ok(fdsBack, 'file descriptors return to the idle count (±8) once the streams are gone')
  t.equal(proxy.child.exitCode, null, 'the proxy is still running')
})
