// The upstream's rate limit in view: X-RateLimit-Limit, X-RateLimit-Remaining and
// Retry-After as sent in the curl -v block, on the compact line at 429 or when nearly used
// up, as flat JSON fields, and in the inspector's list and detail.
import t from 'tap'
import { rateLimitOf, isRateLimitLow, describeRateLimit } from '../src/log/rate-limit.js'
import { compactLine } from '../src/log/format-compact.js'
import { flatFields } from '../src/log/log-fields.js'
import { formatExchange } from '../src/log/curl-format.js'
import type { ExchangeRecord } from '../src/log/exchange.js'
import { bkendReply, startFakeApi } from './helpers/fake-upstream.js'
import { startInspectedProxy } from './helpers/inspected-proxy.js'
import { detailOf, summaryOf } from '../src/inspector/views.js'

const LIMITED = { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'retry-after': '5' }

function record (overrides: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return {
    id: 4,
    method: 'GET',
    url: '/v1/data/posts?limit=20',
    target: 'https://api-client.bkend.ai/v1/data/posts?limit=20',
    answeredBy: 'upstream',
    request: { line: 'GET /v1/data/posts?limit=20 HTTP/1.1', headers: [['accept', 'application/json']] },
    response: { line: 'HTTP/1.1 429 Too Many Requests', status: 429, headers: [['content-type', 'application/json'], ['x-ratelimit-limit', '100'], ['x-ratelimit-remaining', '0'], ['retry-after', '5']] },
    durationMs: 12.34,
    bytes: 98,
    completed: true,
    notes: [],
    rateLimit: { limit: 100, remaining: 0, retryAfterS: 5 },
    ...overrides
  }
}

const ok = (remaining: number): Partial<ExchangeRecord> => ({
  response: { line: 'HTTP/1.1 200 OK', status: 200, headers: [] },
  rateLimit: { limit: 100, remaining },
  bytes: 2560
})

t.test('unit: the headers read as numbers; Retry-After as seconds or a date after the response\'s Date', async t => {
  t.same(rateLimitOf(LIMITED), { limit: 100, remaining: 0, retryAfterS: 5 })
  t.same(rateLimitOf({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59' }), { limit: 60, remaining: 59 })
  t.same(rateLimitOf({ 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT', date: 'Wed, 21 Oct 2026 07:28:00 GMT' }), { retryAfterS: 30 })
  t.same(rateLimitOf({ 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' }, Date.parse('Wed, 21 Oct 2026 07:28:29.5 GMT')), { retryAfterS: 1 }, 'no Date: from now, rounded up')
  t.same(rateLimitOf({ 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT', date: 'Wed, 21 Oct 2026 07:29:00 GMT' }), { retryAfterS: 0 }, 'a date gone by: at once')
  t.equal(rateLimitOf({ 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': '-1', 'retry-after': 'soon' }), undefined, 'nothing usable')
  t.equal(rateLimitOf({ 'content-type': 'application/json' }), undefined)
  t.equal(rateLimitOf(undefined), undefined)
})

t.test('unit: low means a tenth of the limit or less', async t => {
  t.same([10, 11, 0].map(remaining => isRateLimitLow({ limit: 100, remaining })), [true, false, true])
  t.same([isRateLimitLow({ remaining: 0 }), isRateLimitLow({ remaining: 3 }), isRateLimitLow({ retryAfterS: 5 }), isRateLimitLow(undefined)], [true, false, false, false])
  t.same([describeRateLimit({ limit: 100, remaining: 0, retryAfterS: 5 }), describeRateLimit({ remaining: 2 }), describeRateLimit({ retryAfterS: 1 })], ['retry after 5 s, 0/100 left', '2 left', 'retry after 1 s'])
})

t.test('compact: at 429 and when nearly used up, not otherwise', async t => {
  t.equal(compactLine(record(), { errorCode: 'data/rate-limit-exceeded', hint: 'the plan\'s API call limit is reached: cache or batch the calls, or upgrade the plan (bkend says retry after 5 s)' }),
    '#4 GET /v1/data/posts?limit=20 429 12.3 ms 98 B data/rate-limit-exceeded retry after 5 s, 0/100 left  hint: cache or batch the calls, or upgrade the plan')
  t.equal(compactLine(record({ rateLimit: { retryAfterS: 5 } })), '#4 GET /v1/data/posts?limit=20 429 12.3 ms 98 B retry after 5 s')
  t.equal(compactLine(record(ok(10))), '#4 GET /v1/data/posts?limit=20 200 12.3 ms 2.5 KB 10/100 left')
  t.equal(compactLine(record(ok(11))), '#4 GET /v1/data/posts?limit=20 200 12.3 ms 2.5 KB')
  t.equal(compactLine(record({ ...ok(0), rateLimit: undefined })), '#4 GET /v1/data/posts?limit=20 200 12.3 ms 2.5 KB')
})

t.test('JSON: three flat fields, null when the upstream said nothing', async t => {
  const pick = (fields: Record<string, unknown>): unknown[] => [fields.rateLimitLimit, fields.rateLimitRemaining, fields.retryAfterS]
  t.same(pick({ ...flatFields(record(), 'data/rate-limit-exceeded', undefined) }), [100, 0, 5])
  t.same(pick({ ...flatFields(record(ok(42)), undefined, undefined) }), [100, 42, null])
  t.same(pick({ ...flatFields(record({ rateLimit: undefined }), undefined, undefined) }), [null, null, null])
})

t.test('curl -v: the headers as the upstream sent them', async t => {
  t.equal(formatExchange(record()), [
    '* #4 GET /v1/data/posts?limit=20 → https://api-client.bkend.ai/v1/data/posts?limit=20',
    '> GET /v1/data/posts?limit=20 HTTP/1.1',
    '> accept: application/json',
    '>',
    '< HTTP/1.1 429 Too Many Requests',
    '< content-type: application/json',
    '< x-ratelimit-limit: 100',
    '< x-ratelimit-remaining: 0',
    '< retry-after: 5',
    '<',
    '* #4 429 Too Many Requests in 12.3 ms, 98 bytes'
  ].join('\n'))
})

t.test('through the proxy: a 429 with the limit headers in every format and in the inspector', async t => {
  const api = await startFakeApi(t, { handler: bkendReply(429, { success: false, error: { code: 'data/rate-limit-exceeded', message: 'API call limit exceeded' } }, { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '0', 'Retry-After': '5' }) })
  const path = '/v1/data/posts?limit=1'

  const pretty = await startInspectedProxy(t, { apiUrl: api.url })
  const response = await fetch(new URL(path, pretty.url))
  await response.text()
  t.same([response.status, response.headers.get('x-ratelimit-remaining'), response.headers.get('retry-after')], [429, '0', '5'], 'the client gets them too')
  const block = (await pretty.logs()).split('\n')
  t.same(block.filter(line => /^< (x-ratelimit|retry-after)/.test(line)), ['< x-ratelimit-limit: 100', '< x-ratelimit-remaining: 0', '< retry-after: 5'])
  t.ok(block.includes('* hint: the plan\'s API call limit is reached: cache or batch the calls, or upgrade the plan (bkend says retry after 5 s)'))
  const [listed] = pretty.inspector.store.recent(() => true, 1)
  const entry = pretty.inspector.store.get(listed!.id)
  t.same(summaryOf(entry!).rateLimit, { limit: 100, remaining: 0, retryAfterS: 5 }, 'the inspector list')
  t.same(((await detailOf(entry!, { config: pretty.config, replays: [] })) as { rateLimit?: unknown }).rateLimit, { limit: 100, remaining: 0, retryAfterS: 5 }, 'the inspector detail')

  const compact = await startInspectedProxy(t, { apiUrl: api.url, logFormat: 'compact' })
  await (await fetch(new URL(path, compact.url))).text()
  t.match((await compact.logs()).split('\n')[0], /#1 GET \/v1\/data\/posts\?limit=1 429 [\d.]+ ms \d+ B data\/rate-limit-exceeded retry after 5 s, 0\/100 left {2}hint: cache or batch the calls, or upgrade the plan$/)

  const json = await startInspectedProxy(t, { apiUrl: api.url, logFormat: 'json' })
  await (await fetch(new URL(path, json.url))).text()
  const line = JSON.parse((await json.logs()).trim()) as Record<string, unknown>
  t.same([line.status, line.errorCode, line.rateLimitLimit, line.rateLimitRemaining, line.retryAfterS], [429, 'data/rate-limit-exceeded', 100, 0, 5])
})

t.test('through the proxy: a success with the limit nearly used up is marked; the proxy\'s own answers carry no limit', async t => {
  const api = await startFakeApi(t, { handler: bkendReply(200, { items: [] }, { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '7' }) })
  const json = await startInspectedProxy(t, { apiUrl: api.url, logFormat: 'json' })
  await (await fetch(new URL('/v1/data/posts?limit=1', json.url))).text()
  await (await fetch(new URL('/data/posts', json.url))).text()
  const [forwarded, own] = (await json.logs()).trim().split('\n').map(text => JSON.parse(text) as Record<string, unknown>)
  t.same([forwarded!.rateLimitLimit, forwarded!.rateLimitRemaining, forwarded!.retryAfterS], [100, 7, null])
  t.same([own!.status, own!.rateLimitLimit, own!.rateLimitRemaining, own!.retryAfterS], [404, null, null, null])
})
