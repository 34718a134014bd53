// The inspector's pure parts, on exact output: body redaction, filters, the ring
// buffer, its paths and the Origin rule.
import t from 'tap'
import { redactBodyText } from '../src/redact/redact-body.js'
import { scrubSecrets } from '../src/redact/secret-scrub.js'
import { parseFilter, parseLimit, matchesFilter } from '../src/inspector/filters.js'
import { ExchangeStore } from '../src/inspector/store.js'
import { RAW, type StoredExchange } from '../src/inspector/stored-exchange.js'
import { isInspectorPath } from '../src/inspector/paths.js'
import { inspectorOriginRefusal } from '../src/inspector/gate.js'
import { bodyCollector } from '../src/inspector/captured-body.js'

const json = { path: '/v1/data/posts', secrets: [] }

t.test('bodies follow the log\'s redaction, inside JSON strings too, and the configured key is scrubbed anywhere', async t => {
  const response = { path: '/v1/auth/sign-in', side: 'response' as const, secrets: [] }
  t.equal(redactBodyText('{"title":"hi","password":"hunter2hunter2"}', 'application/json', { ...response, side: 'request' }), '{"title":"hi","password":"•••• (14 chars)"}', 'the log\'s rules (src/redact/body-redact.ts)')
  t.equal(redactBodyText('{"data":{"body":"{\\"email\\":\\"a@b.c\\",\\"password\\":\\"hunter2-is-long\\"}"}}', 'application/json', response),
    '{"data":{"body":"{\\"email\\":\\"a@b.c\\",\\"password\\":\\"•••• (15 chars)\\"}"}}', 'an echoed request inside a JSON string')
  t.equal(redactBodyText('{"a":"plain \\"quoted\\" text","b":"[1,2]"}', 'application/json', response), '{"a":"plain \\"quoted\\" text","b":"[1,2]"}', 'other strings byte for byte')
  t.equal(redactBodyText('{"error":{"code":"auth/unauthorized"}}', 'application/json', response), '{"error":{"code":"auth/unauthorized"}}', 'bkend\'s error code stays in a response')
  // How much of the key's start stays visible is redact.ts's business; the middle never does.
  t.match(redactBodyText('key is sk_test_0123456789abcdefghij here', 'text/plain', { ...response, secrets: ['sk_test_0123456789abcdefghij'] }), /^key is sk_test_?••••ghij \(28 chars\) here$/)
  t.equal(scrubSecrets('short', ['short']), 'short', 'secrets under 8 characters are not scrubbed (they would match ordinary words)')
})

function entry (id: number, fields: Partial<StoredExchange> = {}): StoredExchange {
  return { id, startedAt: 0, state: 'done', method: 'GET', url: `/v1/items/${id}`, status: 200, answeredBy: 'upstream', bytes: 0, hints: [], stream: false, failed: false, ...fields, [RAW]: {} as never }
}

t.test('filters: classes, statuses, method, text, failures, streams; bad values say how to fix them', async t => {
  const filter = (query: Record<string, string>) => { const parsed = parseFilter(query); if (!parsed.ok) throw new Error(parsed.message); return parsed.value }
  t.ok(matchesFilter(entry(1, { status: 404 }), filter({ status: '4xx' })))
  t.notOk(matchesFilter(entry(1, { status: 500 }), filter({ status: '4xx' })))
  t.ok(matchesFilter(entry(1, { status: 500 }), filter({ status: '404,5xx' })))
  t.ok(matchesFilter(entry(1, { method: 'POST' }), filter({ method: 'post' })))
  t.ok(matchesFilter(entry(1, { errorCode: 'auth/unauthorized' }), filter({ q: 'UNAUTH' })))
  t.notOk(matchesFilter(entry(1), filter({ failed: 'true' })))
  t.notOk(matchesFilter(entry(1), filter({ stream: '1' })))
  t.same(parseFilter({ status: '45x' }), { ok: false, message: 'status="45x" is not a status or class: use e.g. status=4xx, status=404 or status=4xx,5xx' })
  t.same(parseFilter({ method: 'GET POST' }).ok, false)
  t.same(parseLimit('20'), { ok: true, value: 20 })
  t.same(parseLimit('-1').ok, false)
})

t.test('the ring buffer keeps the newest, replaces an open entry in place, and tells listeners', async t => {
  const store = new ExchangeStore(3)
  const events: string[] = []
  store.subscribe(event => events.push(event.type === 'put' ? `put ${event.entry.id}` : 'clear'))
  for (let id = 1; id <= 5; id++) store.put(entry(id))
  t.same(store.recent(() => true, 10).map(e => e.id), [5, 4, 3])
  t.equal(store.get(2), undefined, 'evicted')
  store.put(entry(4, { state: 'open' }))
  store.put(entry(4, { state: 'done', status: 201 }))
  t.same([store.size, store.get(4)?.status], [3, 201], 'replaced in place, nothing evicted')
  store.put(entry(6, { replayOf: 4 }))
  t.same(store.replaysOf(4), [6])
  store.clear()
  t.same([store.size, events.slice(-2)], [0, ['put 6', 'clear']])
  t.equal(JSON.stringify(entry(7)).includes('RAW'), false, 'private parts never serialise')
})

t.test('inspector paths and the Origin rule', async t => {
  t.same(['/__proxy', '/__proxy/', '/__proxy/api/exchanges?x=1', '/__proxy?x'].map(isInspectorPath), [true, true, true, true])
  t.same(['/__proxy/health', '/__proxy/health?x=1', '/__proxyfoo', '/v1/__proxy/', '/'].map(isInspectorPath), [false, false, false, false, false])
  t.equal(inspectorOriginRefusal({ host: 'localhost:8787' }), undefined, 'no Origin: curl, scripts')
  t.equal(inspectorOriginRefusal({ host: 'localhost:8787', origin: 'http://localhost:8787' }), undefined, 'same origin')
  t.equal(inspectorOriginRefusal({ host: 'localhost', origin: 'http://localhost:80' }), undefined, 'default port spelled out')
  t.match(inspectorOriginRefusal({ host: 'localhost:8787', origin: 'http://localhost:3000' }), /origin http:\/\/localhost:3000 may not use the inspector/)
  t.match(inspectorOriginRefusal({ host: 'localhost:8787', origin: 'null' }), /origin null/)
  t.match(inspectorOriginRefusal({ host: 'localhost:8787', 'sec-fetch-site': 'same-site' }), /Sec-Fetch-Site: same-site/)
})

t.test('a body collector keeps the first bytes and counts the rest; a small slice of a larger buffer is copied', async t => {
  const collector = bodyCollector(5)
  const readBuffer = Buffer.alloc(65536, '.')
  readBuffer.write('abc')
  collector.watch(readBuffer.subarray(0, 3)) // an event in a socket's read buffer
  readBuffer.write('XYZ')
  collector.watch(Buffer.from('defgh'))
  const body = collector.finish()
  t.same([body.bytes.toString(), body.totalBytes], ['abcde', 8], 'the slice was copied: a later write to its buffer does not reach it')
  t.not(body.bytes.buffer, readBuffer.buffer, 'the read buffer is not kept')

  const whole = bodyCollector(65536)
  const chunk = Buffer.allocUnsafeSlow(40000).fill('w')
  whole.watch(chunk)
  whole.watch(Buffer.from('tail'))
  const kept = whole.finish()
  t.same([kept.bytes.length, kept.totalBytes, kept.bytes.subarray(39998).toString()], [40004, 40004, 'wwtail'])
})
