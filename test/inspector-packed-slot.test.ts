// The store keeps each exchange packed into its slot's own buffer (src/inspector/packed-slot.ts),
// so that 500 kept exchanges are not 500 object graphs for the garbage collector. What
// comes out must be what went in, slot reuse must not leak one exchange into the next, a
// body handed out must not change afterwards, and the list reads the list fields alone.
import t from 'tap'
import { PackedSlot } from '../src/inspector/packed-slot.js'
import { ExchangeStore } from '../src/inspector/store.js'
import { RAW, type PrivateParts, type StoredExchange } from '../src/inspector/stored-exchange.js'
import type { Exchange } from '../src/log/exchange.js'
import type { Config } from '../src/config/settings.js'

const CONFIG = { environment: 'dev', apiKey: 'sk_test_packed0123456789abcdef' } as unknown as Config

function exchangeOf (id: number, extra: Partial<Exchange> = {}): Exchange {
  return {
    id,
    startedAt: process.hrtime.bigint(),
    method: 'POST',
    url: `/v1/data/posts?n=${id}`,
    origin: 'http://localhost:3000',
    quiet: false,
    environment: 'dev',
    notes: ['a note'],
    injected: ['authorization', 'x-project-id'],
    upstreamHeaders: { authorization: 'Bearer sk_test_packed0123456789abcdef', 'x-project-id': 'p1', 'content-length': 17 },
    upstreamUrl: `http://127.0.0.1:1/v1/data/posts?n=${id}`,
    upstreamStatus: 201,
    upstreamResponseHeaders: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] },
    responseBytes: 42,
    bodyStream: { headersAt: process.hrtime.bigint(), eventStream: false, timer: setTimeout(() => {}, 1).unref() },
    ...extra
  }
}

function stored (id: number, parts: Partial<PrivateParts> = {}, fields: Partial<StoredExchange> = {}): StoredExchange {
  const raw: PrivateParts = {
    exchange: exchangeOf(id),
    config: CONFIG,
    clientHeaders: { host: 'localhost:8787', 'content-type': 'application/json', 'x-many': ['1', '2'] },
    socket: { localAddress: '127.0.0.1', localPort: 8787 },
    requestBody: { bytes: Buffer.from(`{"title":"n${id}"}`), totalBytes: 17 },
    responseBody: { bytes: Buffer.from('{"ok":true,"ü":"€"}'), totalBytes: 5_000_000_000 },
    outcome: { replyHeaders: {}, status: 201, completed: true, durationMs: 12.5 },
    ...parts
  }
  return { id, replayOf: id > 1 ? id - 1 : undefined, startedAt: 1_700_000_000_000, state: 'done', method: 'POST', url: `/v1/data/posts?n=${id}`, status: 201, answeredBy: 'upstream', headersMs: 3.25, durationMs: 12.5, bytes: 42, errorCode: 'data/x', hints: ['a hint'], stream: false, failed: false, responseType: 'application/json', ...fields, [RAW]: raw }
}

/** What a view can read of an entry: its fields and its private parts, as plain data. */
function plain (entry: StoredExchange): unknown {
  const { exchange, config, requestBody, responseBody, ...rest } = entry[RAW]
  const { startedAt: _started, bodyStream, ...exchangeRest } = exchange
  return {
    fields: JSON.parse(JSON.stringify(entry)),
    exchange: { ...exchangeRest, bodyStream: bodyStream && { eventStream: bodyStream.eventStream } },
    config,
    rest: JSON.parse(JSON.stringify(rest)) as unknown, // an absent part and one set to undefined read the same
    requestBody: requestBody && { text: requestBody.bytes.toString('utf8'), totalBytes: requestBody.totalBytes },
    responseBody: responseBody && { text: responseBody.bytes.toString('utf8'), totalBytes: responseBody.totalBytes }
  }
}

t.test('an entry comes out as it went in: fields, exchange, headers, bodies, configuration', async t => {
  const slot = new PackedSlot()
  const entry = stored(7)
  slot.pack(entry)
  const out = slot.unpack()
  t.same(plain(out), plain(entry))
  t.equal(out[RAW].config, CONFIG, 'the configuration is the same object, not a copy')
  t.equal(out[RAW].exchange.startedAt, 0n, 'the monotonic start is not kept; the outcome has the duration')
  t.equal(JSON.stringify(out).includes('sk_test_packed'), false, 'the private parts still do not serialise')
})

t.test('every field of an exchange comes out as it went in, odd values included; the logged head is left behind', async t => {
  const exchange: Required<Exchange> = {
    ...exchangeOf(9),
    url: '/v1/data/caf\u00e9?q=\u20ac&n=\u0000x',
    origin: 'http://localhost:5173',
    quiet: true,
    environment: 'staging',
    replayOf: 8,
    notes: ['', 'with a NUL \u0000 in it', 'emoji \u{1F600}'],
    failure: { code: 'proxy/upstream-timeout', message: 'no response headers within 30000 ms' },
    replayBody: { text: '{"a":1}', totalBytes: 7, truncated: false },
    requestBody: { text: '{"a":"\u00fc"}', totalBytes: 10, truncated: true },
    upstreamHeaders: { 'x-empty': '', 'x-number': 12, 'x-list': ['a', ''] },
    injected: [],
    upstreamUrl: 'https://api.invalid/v1/data/caf\u00e9',
    upstreamStatus: 504,
    upstreamResponseHeaders: {},
    responseBody: { text: 'partial', totalBytes: 9_000_000_000, truncated: true },
    errorBody: { text: '{"success":false,"error":{"code":"x"}}', totalBytes: 38, truncated: false },
    events: 0,
    responseBytes: 0,
    upstreamCut: false,
    bodyStream: { headersAt: 1n, eventStream: true },
    head: { id: 9, method: 'GET', url: '/v1/x', target: 'api', answeredBy: 'upstream', request: { line: 'GET /v1/x HTTP/1.1', headers: [['a', 'b', true]] }, response: { line: 'HTTP/1.1 200 OK', status: 200, headers: [] }, notes: [] },
    clientLeft: true,
    proxyCut: { cause: 'shutdown', status: 503, failure: { code: 'proxy/shutting-down', message: 'bye' } }
  }
  const entry = stored(9, { exchange, clientHeaders: { 'x-gone': undefined }, socket: {}, outcome: { replyHeaders: { 'x-reply': 'r' }, status: 0, completed: false, durationMs: -0.5 } }, { replayOf: undefined, errorCode: undefined, hints: [], responseType: undefined, headersMs: undefined, durationMs: undefined, url: '' })
  const slot = new PackedSlot()
  slot.pack(entry)
  const out = slot.unpack()
  const { head: _head, ...withoutHead } = exchange
  t.same(plain(out), plain({ ...entry, [RAW]: { ...entry[RAW], exchange: withoutHead } }))
  t.equal(out[RAW].exchange.head, undefined, 'rebuilt from the rest when viewed')
  t.same(out[RAW].exchange.upstreamHeaders, { 'x-empty': '', 'x-number': 12, 'x-list': ['a', ''] }, 'header values of every kind')
  t.same(Object.keys(out[RAW].clientHeaders), [], 'a header set to undefined is left out, as JSON leaves it')
  t.equal(out[RAW].exchange.url, exchange.url, 'non-ASCII and NUL survive')
  t.same(Object.keys(out).filter(key => (out as unknown as Record<string, unknown>)[key] === undefined), [], 'an absent field is absent, not undefined')
})

t.test('a reused slot holds only the newest exchange, large after small and small after large', async t => {
  const slot = new PackedSlot()
  const big = stored(1, { requestBody: { bytes: Buffer.alloc(200_000, 'b'), totalBytes: 200_000 } })
  const small = stored(2, { requestBody: undefined, responseBody: undefined, outcome: undefined, socket: undefined })
  for (const entry of [small, big, small, big, stored(3)]) {
    slot.pack(entry)
    t.same(plain(slot.unpack()), plain(entry), `#${entry.id}`)
  }
})

t.test('a body handed out stays as it was when the slot is written again', async t => {
  const slot = new PackedSlot()
  slot.pack(stored(1))
  const body = slot.unpack()[RAW].requestBody!
  slot.pack(stored(2, { requestBody: { bytes: Buffer.from('{"title":"overwritten"}'), totalBytes: 23 } }))
  t.equal(body.bytes.toString('utf8'), '{"title":"n1"}')
})

t.test('the list reads the list fields only, not the private parts or bodies', async t => {
  const store = new ExchangeStore(3)
  store.put(stored(1, {}, { rateLimit: { limit: 100, remaining: 3 } }))
  const [listed] = store.recent(() => true, 10)
  t.same(listed, JSON.parse(JSON.stringify(stored(1, {}, { rateLimit: { limit: 100, remaining: 3 } }))))
  t.same(Object.getOwnPropertySymbols(listed), [], 'no private parts')
})

t.test('the store: newest first, replaced in place, evicted by count, replay links as numbers', async t => {
  const store = new ExchangeStore(3)
  for (let id = 1; id <= 5; id++) store.put(stored(id))
  t.same(store.recent(() => true, 10).map(entry => entry.id), [5, 4, 3])
  t.equal(store.get(2), undefined, 'evicted')
  store.put(stored(4, {}, { status: 500, failed: true }))
  t.same([store.get(4)!.status, store.size], [500, 3], 'replaced in place')
  t.same([store.replaysOf(3), store.replaysOf(4), store.replaysOf(5)], [[4], [5], []])
  store.clear()
  t.same([store.size, store.recent(() => true, 10), store.get(5)], [0, [], undefined])
  store.put(stored(6))
  t.same(plain(store.get(6)!), plain(stored(6)), 'a slot written after clear() holds the new exchange')
})
