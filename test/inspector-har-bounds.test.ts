// Compressed bodies are decoded for viewing no further than INSPECTOR_MAX_BODY_BYTES (a
// few KB of gzip can inflate to megabytes), and the HAR export is written entry by entry
// while the proxy goes on forwarding. Plain http requests, not fetch: fetch would inflate
// every body on the test's side.
import t from 'tap'
import http from 'node:http'
import zlib from 'node:zlib'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'

const EXCHANGES = 100
// 4 MB: under the 4 MiB at which an earlier one-shot decoder gave up.
const INFLATED_BYTES = 4_000_000
const CAP = 65536 // INSPECTOR_MAX_BODY_BYTES, its default

interface Answer { status: number, body: Buffer, ms: number, endedAt: number }

function get (url: URL, agent?: http.Agent): Promise<Answer> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const endedAt = performance.now()
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks), ms: endedAt - started, endedAt })
      })
      res.on('error', reject)
    }).on('error', reject)
  })
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

t.test(`${EXCHANGES} gzip bodies of a few KB that inflate to 4 MB: HAR stays near entries × cap, forwarding goes on during the export`, async t => {
  const bomb = zlib.gzipSync(JSON.stringify({ items: 'a'.repeat(INFLATED_BYTES) }), { level: 9 })
  t.ok(bomb.length < 8192, `the body on the wire is small (${bomb.length} bytes)`)
  const api = await startFakeApi(t, {
    handler: (req, res) => {
      if (req.url!.startsWith('/v1/bomb')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        res.end(bomb)
      } else {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"ok":true}')
      }
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url, logLevel: 'silent' })
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const passed: number[] = []
  for (let i = 0; i < EXCHANGES; i++) passed.push((await get(new URL(`/v1/bomb/${i}`, proxy.url), agent)).body.length)
  t.ok(passed.every(length => length === bomb.length), 'each body passed through as it was, compressed')

  const ping = new URL('/v1/ping', proxy.url)
  const baseline: number[] = []
  for (let i = 0; i < 30; i++) baseline.push((await get(ping, agent)).ms)

  // The export runs while GETs are forwarded one after another, until it has ended.
  let exportEnded = false
  const exported = get(new URL('/__proxy/api/har', proxy.inspectorUrl)).finally(() => { exportEnded = true })
  const during: Answer[] = []
  while (!exportEnded) {
    const answer = await get(ping, agent)
    if (answer.status !== 200) throw new Error(`a forwarded GET answered ${answer.status}`)
    during.push(answer)
  }
  const har = await exported
  const inExport = during.filter(answer => answer.endedAt < har.endedAt)

  t.equal(har.status, 200)
  const entries = (JSON.parse(har.body.toString('utf8')) as { log: { entries: Array<{ request: { url: string }, response: { content: { text: string, comment?: string, size: number } } }> } }).log.entries
  const bombs = entries.filter(entry => entry.request.url.includes('/v1/bomb/'))
  t.equal(bombs.length, EXCHANGES, 'every exchange is in the export')
  t.ok(har.body.length < EXCHANGES * (CAP + 16 * 1024), `the answer is near entries × cap (${har.body.length} bytes), not entries × 4 MB`)
  const first = bombs[0]!.response.content
  t.same([first.text.length, first.size, first.comment], [CAP, bomb.length, `first ${CAP} bytes of the body decoded from gzip, which is longer (INSPECTOR_MAX_BODY_BYTES)`], 'the decoded text is cut at the cap, with a note')
  t.ok(bombs.every(entry => entry.response.content.text.length === CAP), 'every entry the same')

  // Each wait is compared to forwarding with nothing else going on, with a generous factor:
  // an export that held the event loop would hold these GETs for as long as it ran.
  t.ok(inExport.length >= 3, `GETs were forwarded while the export ran (${inExport.length})`)
  const usual = Math.max(...baseline)
  const longest = Math.max(...inExport.map(answer => answer.ms))
  t.ok(longest < usual * 50, `a forwarded GET took at most ${longest.toFixed(1)} ms during the export (median ${median(inExport.map(answer => answer.ms)).toFixed(1)} ms), at most ${usual.toFixed(1)} ms without it`)
})

t.test('the detail view of one such exchange is cut at the cap too, and a body that ends within the cap is whole', async t => {
  const small = JSON.stringify({ items: 'b'.repeat(1000) })
  const api = await startFakeApi(t, {
    handler: (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': req.url!.includes('br') ? 'br' : 'deflate' })
      res.end(req.url!.includes('br') ? zlib.brotliCompressSync(small) : zlib.deflateSync(JSON.stringify({ items: 'a'.repeat(INFLATED_BYTES) })))
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url, logLevel: 'silent', inspectorMaxBodyBytes: 4096 })
  await get(new URL('/v1/deflate', proxy.url))
  await get(new URL('/v1/br', proxy.url))
  const list = await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).json() as { exchanges: Array<{ id: number, url: string }> }
  const bodyOf = async (path: string): Promise<Record<string, unknown>> => {
    const id = list.exchanges.find(exchange => exchange.url === path)!.id
    const detail = await (await fetch(new URL(`/__proxy/api/exchanges/${id}`, proxy.inspectorUrl))).json() as { response: { body: Record<string, unknown> } }
    return detail.response.body
  }
  const cut = await bodyOf('/v1/deflate')
  t.same([cut.decodedFrom, cut.decodedBytes, cut.decodedCut, (cut.text as string).length], ['deflate', 4096, true, 4096], 'deflate: cut at 4096 bytes')
  const whole = await bodyOf('/v1/br')
  t.same([whole.decodedFrom, whole.decodedBytes, whole.decodedCut, whole.text], ['br', small.length, undefined, small], 'brotli: whole')
})
