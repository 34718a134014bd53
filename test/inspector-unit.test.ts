// The inspector's pure parts, on exact output: body redaction, filters, the ring
// buffer, its paths and the Origin rule.
import t from 'tap'
import { redactBodyText, isSecretFieldName } from '../src/inspector/redact-body.js'
import { parseFilter, parseLimit, matchesFilter } from '../src/inspector/filters.js'
import { ExchangeStore } from '../src/inspector/store.js'
import { RAW, type StoredExchange } from '../src/inspector/stored-exchange.js'
import { isInspectorPath } from '../src/inspector/paths.js'
import { inspectorOriginRefusal } from '../src/inspector/gate.js'
import { bodyCollector } from '../src/inspector/captured-body.js'

const json = { path: '/v1/data/posts', secrets: [] }

t.test('secret fields are redacted in JSON, escaped JSON, forms and SSE; others pass byte for byte', async t => {
  t.equal(redactBodyText('{"title":"hi","password":"hunter2hunter2","otp":123456}', 'application/json', json), '{"title":"hi","password":"•••• (14 chars)","otp":"•••• (6 chars)"}')
  t.equal(redactBodyText('{"authorization": "Bearer abcdefghijklmnopqrstuvwxyz"}', 'application/json', json), '{"authorization": "Bearer abcde••••wxyz (26 chars)"}', 'the scheme stays, as in the log')
  t.equal(redactBodyText('{"body":"{\\"refreshToken\\":\\"r1234567890\\"}"}', 'application/json', json), '{"body":"{\\"refreshToken\\":\\"•••• (11 chars)\\"}"}', 'JSON inside a JSON string')
  t.equal(redactBodyText('user=a&client_secret=s3cr3t&x=1', 'application/x-www-form-urlencoded', json), 'user=a&client_secret=•••• (6 chars)&x=1')
  t.equal(redactBodyText('data: {"accessToken":"abc"}\n\n', 'text/event-stream', json), 'data: {"accessToken":"•••• (3 chars)"}\n\n')
  t.equal(redactBodyText('{"accessToken":"abcdefghij', 'application/json', json), '{"accessToken":"abcdefghij', 'a value cut off at the cap has no end quote; the field regex leaves it (the key scrub still applies)')
  t.equal(redactBodyText('{"code":"4/0AX4"}', 'application/json', { path: '/v1/auth/callback', secrets: [] }), '{"code":"•••• (6 chars)"}', 'code under /auth/ is an OAuth code')
  t.equal(redactBodyText('{"code":"4/0AX4"}', 'application/json', json), '{"code":"4/0AX4"}')
  // How much of the key's start stays visible is redact.ts's business; the middle never does.
  t.match(redactBodyText('key is sk_test_0123456789abcdefghij here', 'text/plain', { path: '', secrets: ['sk_test_0123456789abcdefghij'] }), /^key is sk_te\S{0,3}••••ghij \(28 chars\) here$/)
  for (const name of ['apiKey', 'api_key', 'x-api-key', 'publishableKey', 'secret_key', 'key', 'sessionId', 'cookie', 'clientSecret', 'idToken', 'passwd']) t.ok(isSecretFieldName(name), name)
  for (const name of ['monkey', 'keyboard', 'title', 'code', 'description']) t.notOk(isSecretFieldName(name), name)
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

t.test('a body collector keeps the first bytes as a copy and counts the rest', async t => {
  const collector = bodyCollector(5)
  const chunk = Buffer.from('abc')
  collector.watch(chunk)
  chunk.write('XYZ')
  collector.watch(Buffer.from('defgh'))
  const body = collector.finish()
  t.same([body.bytes.toString(), body.totalBytes], ['abcde', 8], 'a later change to the chunk does not reach the copy')
})
