// Bounded memory: the ring buffer keeps the last INSPECTOR_MAX_EXCHANGES exchanges and
// the first INSPECTOR_MAX_BODY_BYTES of each body (the rest counted); streams the same.
// INSPECTOR=false: no page, no API, nothing kept.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'

const TOTAL = 10000
const KEPT = 50
const BODY_LIMIT = 1000

interface BodyFacts { kind: string, totalBytes: number, keptBytes: number, truncated: boolean, text?: string }
interface Detail { id: number, request: { body: BodyFacts }, response: { body: BodyFacts } }

t.test(`${TOTAL} exchanges through a buffer of ${KEPT}: the last ${KEPT} are kept, each body capped`, async t => {
  const api = await startFakeApi(t, { handler: (_req, res) => { res.setHeader('content-type', 'text/plain'); res.end('r'.repeat(5000)) } })
  const proxy = await startProxy(t, { apiUrl: api.url, logLevel: 'silent', inspectorMaxExchanges: KEPT, inspectorMaxBodyBytes: BODY_LIMIT })
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < TOTAL) {
      const n = next++
      const init = n % 2 === 0 ? { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'q'.repeat(3000) } : {}
      const res = await fetch(new URL(`/v1/items/${n}`, proxy.url), init)
      await res.arrayBuffer()
      if (res.status !== 200) throw new Error(`request ${n} answered ${res.status}`)
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  const list = await (await fetch(new URL('/__proxy/api/exchanges?limit=100000', proxy.inspectorUrl))).json() as { exchanges: Array<{ id: number }>, kept: number, capacity: number }
  t.same([list.kept, list.capacity, list.exchanges.length], [KEPT, KEPT, KEPT])
  t.same(list.exchanges.map(e => e.id), Array.from({ length: KEPT }, (_, i) => TOTAL - i), 'the newest ones, newest first')
  let keptBytes = 0
  for (const { id } of list.exchanges) {
    const detail = await (await fetch(new URL(`/__proxy/api/exchanges/${id}`, proxy.inspectorUrl))).json() as Detail
    const { request, response } = detail
    t.same([response.body.totalBytes, response.body.keptBytes, response.body.truncated, response.body.text?.length], [5000, BODY_LIMIT, true, BODY_LIMIT], `#${id} response body capped`)
    if (request.body.kind !== 'empty') t.same([request.body.totalBytes, request.body.keptBytes, request.body.truncated], [3000, BODY_LIMIT, true], `#${id} request body capped`)
    keptBytes += request.body.keptBytes + response.body.keptBytes
  }
  t.ok(keptBytes <= KEPT * 2 * BODY_LIMIT, `at most ${KEPT * 2 * BODY_LIMIT} body bytes kept (${keptBytes})`)
  t.equal(api.received.length, TOTAL)
})

t.test('a stream is kept as its first bytes plus the count', async t => {
  const chunk = 'data: ' + 'e'.repeat(992) + '\n\n' // 1 KB per event
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      let sent = 0
      const write = (): void => {
        if (sent++ === 200) { res.end(); return }
        res.write(chunk)
        setImmediate(write)
      }
      write()
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const res = await fetch(new URL('/v1/events', proxy.url))
  t.equal((await res.text()).length, 200 * 1000)
  const detail = await (await fetch(new URL('/__proxy/api/exchanges/1', proxy.inspectorUrl))).json() as Detail & { stream: boolean }
  t.same([detail.stream, detail.response.body.totalBytes, detail.response.body.keptBytes, detail.response.body.truncated], [true, 200000, 65536, true])
})

t.test('INSPECTOR=false: no page, no API (404), and requests pass as before', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, inspector: false })
  t.equal(proxy.app.inspectorApp, null, 'no inspector port')
  for (const path of ['/__proxy/', '/__proxy/api/exchanges', '/__proxy/api/har', '/__proxy/assets/app.js']) {
    const res = await fetch(new URL(path, proxy.url))
    const body = await res.json() as { success: boolean }
    t.same([res.status, body.success, res.headers.get('content-security-policy')], [404, false, null], path)
  }
  const forwarded = await fetch(new URL('/v1/data/posts', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
  t.equal(forwarded.status, 200)
  t.equal((await forwarded.json() as { body: string }).body, '{"a":1}')
  const health = await fetch(new URL('/__proxy/health', proxy.url))
  t.equal(health.status, 200, 'the health route stays')
  await health.arrayBuffer()
})
