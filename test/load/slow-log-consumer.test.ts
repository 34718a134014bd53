// LOAD-06: the proxy's stdout is a pipe to this process, which stops reading it for 10 s
// under load. Serving must go on, memory stay bounded, lost entries be counted and
// reported, and whatever is written must be whole entries.
import t from 'tap'
import { mb, percentile, sleep, waitUntil } from './helpers.js'
import { holdLoadLock } from './load-lock.js'
import { pingReply, startLoadUpstream } from './load-upstream.js'
import { rssBytes } from './process-readings.js'
import { health, spawnProxy } from './proxy-child.js'
import { probeFromAnotherProcess, runAutocannon, type ResponseSeen } from './traffic.js'

const CONNECTIONS = 16
const DURATION_S = 17
const BASELINE_FROM_MS = 2000
const STALL_FROM_MS = 5000
const STALL_MS = 10_000
// The proxy buffers at most 8 MB of log output (LOG_BUFFER_BYTES), held as two-byte
// strings; the garbage collector's sawtooth comes on top. Peaks are compared with the
// peaks of the same load before the stall.
const RSS_GROWTH_CAP = 96 * 1024 * 1024

const DROP_NOTICE = /^\[log\] (\d+) log entries were dropped because the output was not being read$/
const PRETTY_HEAD = /^\[\d\d:\d\d:\d\d\.\d{3}\] [A-Z]+: /
const PRETTY_EXCHANGE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR): \* #(\d+) GET \/v1\/ping → \S+\/v1\/ping\n(> .+\n)+>\n< HTTP\/1\.1 \d{3} .*\n(< .+\n)*<\n\* #\2 \d{3} .+(\n\* hint: .+|\ncurl .+)*$/

interface Parsed { exchanges: number, torn: string[], notices: number[] }

/** Splits pretty output into entries (each starts with `[time] LEVEL:` or is a drop notice). */
function parsePretty (text: string): Parsed {
  const parsed: Parsed = { exchanges: 0, torn: [], notices: [] }
  const entries: string[][] = []
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const notice = DROP_NOTICE.exec(line)
    if (notice) { parsed.notices.push(Number(notice[1])); entries.push([]); continue }
    if (PRETTY_HEAD.test(line)) entries.push([line])
    else if (entries.length === 0 || entries.at(-1)!.length === 0) parsed.torn.push(line) // a line outside any entry
    else entries.at(-1)!.push(line)
  }
  for (const entry of entries) {
    if (entry.length === 0 || !/: \* #\d+ /.test(entry[0]!)) continue
    parsed.exchanges++
    const block = entry.join('\n')
    if (!PRETTY_EXCHANGE.test(block)) parsed.torn.push(block)
  }
  return parsed
}

function parseJson (text: string): Parsed {
  const parsed: Parsed = { exchanges: 0, torn: [], notices: [] }
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const notice = DROP_NOTICE.exec(line)
    if (notice) { parsed.notices.push(Number(notice[1])); continue }
    try {
      const entry = JSON.parse(line) as { exchange?: { url: string }, droppedLogLines?: number }
      // In JSON mode the drop notice is a JSON line of its own, with the count as a field.
      if (typeof entry.droppedLogLines === 'number') parsed.notices.push(entry.droppedLogLines)
      if (entry.exchange) parsed.exchanges++
    } catch {
      parsed.torn.push(line)
    }
  }
  return parsed
}

for (const format of ['pretty', 'json'] as const) {
  t.test(`LOG_FORMAT=${format}: a log reader that stops for 10 s does not stall serving`, async t => {
    await holdLoadLock(t)
    const upstream = await startLoadUpstream(t, pingReply, { keepAliveTimeoutMs: 60_000 })
    const proxy = await spawnProxy(t, { BKEND_API_URL: upstream.url, LOG_FORMAT: format })
    const rssIdle = rssBytes(proxy.pid)

    const responses: ResponseSeen[] = []
    const started = Date.now()
    const load = runAutocannon({ url: `${proxy.url}/v1/ping`, connections: CONNECTIONS, duration: DURATION_S }, seen => responses.push(seen))
    const probe = probeFromAnotherProcess(t, `${proxy.url}/__proxy/health`, 100, DURATION_S * 1000)
    await sleep(BASELINE_FROM_MS)
    let rssBeforeStall = 0
    while (Date.now() < started + STALL_FROM_MS) {
      rssBeforeStall = Math.max(rssBeforeStall, rssBytes(proxy.pid))
      await sleep(250)
    }
    proxy.child.stdout!.pause()
    const stallStart = Date.now()
    let rssPeak = rssBeforeStall
    while (Date.now() < stallStart + STALL_MS) {
      rssPeak = Math.max(rssPeak, rssBytes(proxy.pid))
      await sleep(250)
    }
    const stallEnd = Date.now()
    const droppedAtStallEnd = (await health(proxy.url)).droppedLogLines
    proxy.child.stdout!.resume()
    const result = await load
    const checks = await probe

    // Let the buffered output drain, then stop the proxy so everything is flushed.
    let length = -1
    await waitUntil(() => { const now = proxy.stdout().length; const still = now === length; length = now; return still }, 10_000, 500)
    const dropped = (await health(proxy.url)).droppedLogLines
    proxy.child.kill('SIGTERM')
    const exit = await proxy.exited
    const output = proxy.stdout()

    const during = checks.filter(check => check.at >= stallStart && check.at < stallEnd)
    const duringMs = during.map(check => check.ms)
    const servedDuringStall = responses.filter(seen => seen.endedAt > stallStart && seen.endedAt <= stallEnd && seen.status === 200).length
    const servedBefore = responses.filter(seen => seen.endedAt <= stallStart && seen.status === 200).length
    t.comment(`load: ${result.requests.sent} requests, ${result.requests.average} req/s; 200s before the stall ${servedBefore} (in ${STALL_FROM_MS / 1000} s), during the 10 s stall ${servedDuringStall}`)
    t.comment(`health during the stall: ${during.length} checks, p50 ${percentile(duringMs, 50).toFixed(1)} ms, p99 ${percentile(duringMs, 99).toFixed(1)} ms, max ${Math.max(...duringMs).toFixed(1)} ms`)
    t.comment(`RSS idle ${mb(rssIdle)}, peak under load before the stall ${mb(rssBeforeStall)}, peak during it ${mb(rssPeak)} (growth ${mb(rssPeak - rssBeforeStall)}, cap ${mb(RSS_GROWTH_CAP)})`)

    t.same({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }, { errors: 0, timeouts: 0, non2xx: 0 }, 'the load got only 200s')
    t.ok(servedDuringStall > 0, 'requests kept being served during the stall')
    t.ok(during.length >= 50 && during.every(check => check.status === 200), `health answered 200 throughout the stall (${during.length} checks)`)
    t.ok(percentile(duringMs, 99) < 100, `health p99 during the stall ${percentile(duringMs, 99).toFixed(1)} ms < 100 ms`)
    t.ok(rssPeak - rssBeforeStall <= RSS_GROWTH_CAP, `RSS stays bounded while nobody reads the log (peak growth ≤ ${mb(RSS_GROWTH_CAP)})`)

    const parsed = format === 'pretty' ? parsePretty(output) : parseJson(output)
    const reported = parsed.notices.reduce((sum, count) => sum + count, 0)
    t.comment(`dropped: ${droppedAtStallEnd} at the end of the stall, ${dropped} in the end (health); drop notices ${parsed.notices.length} reporting ${reported} in total; exchanges written ${parsed.exchanges}, upstream requests ${upstream.requests}`)
    t.ok(dropped > 0, 'health reports droppedLogLines > 0')
    t.ok(parsed.notices.length > 0, 'the log says "[log] N log entries were dropped" once it flows again')
    t.equal(reported, dropped, 'the notices add up to the count in health: each lost entry reported once')
    t.equal(parsed.exchanges + dropped, upstream.requests, 'every exchange was either written or counted as dropped')
    t.same(parsed.torn.slice(0, 3), [], format === 'pretty' ? 'every pretty block is complete' : 'every JSON line parses')
    t.same(exit, { code: 0, signal: null }, 'the proxy exits 0 on SIGTERM afterwards')
  })
}
