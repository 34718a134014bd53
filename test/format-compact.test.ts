import t from 'tap'
import { compactLine, compactOpenLine, formatSize, shortHint } from '../src/log/format-compact.js'
import { COLOURED } from '../src/log/colour.js'
import type { ExchangeRecord } from '../src/log/exchange.js'

function record (overrides: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return {
    id: 4,
    method: 'GET',
    url: '/v1/data/posts?limit=20&api_key=sk_••••(cut)',
    origin: 'http://localhost:5173',
    target: 'https://api-client.bkend.ai/v1/data/posts?limit=20',
    answeredBy: 'upstream',
    request: { line: 'GET /v1/data/posts?limit=20 HTTP/1.1', headers: [['accept', 'application/json']] },
    response: { line: 'HTTP/1.1 200 OK', status: 200, headers: [['content-type', 'application/json']] },
    durationMs: 12.34,
    bytes: 2560,
    completed: true,
    notes: [],
    ...overrides
  }
}

t.test('one line: #N, method, path with query as redacted, status, duration, size', async t => {
  t.equal(compactLine(record()), '#4 GET /v1/data/posts?limit=20&api_key=sk_••••(cut) 200 12.3 ms 2.5 KB')
})

t.test('a replay says which exchange it repeats, after the environment', async t => {
  t.equal(compactLine(record({ id: 20, replayOf: 12, method: 'POST', url: '/v1/data/posts', environment: 'staging', environmentMarked: true })), '#20 [staging] replay of #12: POST /v1/data/posts 200 12.3 ms 2.5 KB')
  t.equal(compactOpenLine({ ...record({ url: '/v1/events' }), replayOf: 3 }, 'text/event-stream'), '#4 replay of #3: GET /v1/events 200 stream open (text/event-stream)')
})

t.test('a failure names its error code and the hint\'s fix, and its curl command follows on the next line', async t => {
  const failed = record({ method: 'POST', url: '/v1/auth/email/signin', response: { line: 'HTTP/1.1 401 Unauthorized', status: 401, headers: [] }, bytes: 98, durationMs: 8.21 })
  const hint = 'the token is neither an API key (pk_… publishable or sk_… secret) nor a JWT (three dot-separated parts): check BKEND_API_KEY or the app\'s token for quotes, whitespace or a missing part'
  t.equal(compactLine(failed, { errorCode: 'auth/invalid-token-format', hint, curl: 'curl -v \'http://localhost:8787/v1/auth/email/signin\'' }), [
    '#4 POST /v1/auth/email/signin 401 8.2 ms 98 B auth/invalid-token-format  hint: check BKEND_API_KEY or the app\'s token for quotes, whitespace or a missing part',
    'curl -v \'http://localhost:8787/v1/auth/email/signin\''
  ].join('\n'))
})

t.test('a note shows when there is no hint, cut to its first clause', async t => {
  t.equal(compactLine(record({ notes: ['client sent x-environment: prod; replaced with the configured dev'] })), '#4 GET /v1/data/posts?limit=20&api_key=sk_••••(cut) 200 12.3 ms 2.5 KB  note: client sent x-environment: prod')
})

t.test('preflights, streams and cut responses get a marker', async t => {
  const preflight = record({ method: 'OPTIONS', url: '/v1/x', answeredBy: 'proxy', target: 'proxy', bytes: 0, durationMs: 0.4, request: { line: 'OPTIONS /v1/x HTTP/1.1', headers: [['access-control-request-method', 'POST']] }, response: { line: 'HTTP/1.1 204 No Content', status: 204, headers: [] } })
  t.equal(compactLine(preflight), '#4 OPTIONS /v1/x 204 0.4 ms 0 B preflight')
  const stream = record({ url: '/v1/events', streamed: true, completed: false, cutBy: 'client', events: 3, bytes: 312, durationMs: 2345 })
  t.equal(compactLine(stream), '#4 GET /v1/events 200 2.3 s 312 B stream closed by the client, 3 events')
  t.equal(compactLine(record({ completed: false, cutBy: 'client', bytes: 10 })), '#4 GET /v1/data/posts?limit=20&api_key=sk_••••(cut) 200 12.3 ms 10 B client left')
  t.equal(compactOpenLine({ ...stream, id: 4 }, 'text/event-stream'), '#4 GET /v1/events 200 stream open (text/event-stream)')
})

t.test('colour: the line in its status tone, the hint set apart', async t => {
  const failed = record({ response: { line: 'HTTP/1.1 502 Bad Gateway', status: 502, headers: [] }, bytes: 0 })
  t.equal(compactLine(failed, { hint: 'x: retry' }, COLOURED), '\u001b[31m#4 GET /v1/data/posts?limit=20&api_key=sk_••••(cut) 502 12.3 ms 0 B\u001b[39m  \u001b[1;35mhint: retry\u001b[22;39m')
})

t.test('shortHint keeps the fix and drops the explanation around it', async t => {
  t.equal(shortHint('bkend refused the request and no API key is configured: set BKEND_API_KEY (environment or .env) and restart the proxy'), 'set BKEND_API_KEY')
  t.equal(shortHint('the user\'s access token expired (they live 1 hour): refresh it with the refresh token and retry; the proxy passes it'), 'refresh it with the refresh token and retry')
  t.equal(shortHint('no colon here'), 'no colon here')
  t.equal(shortHint('first: one\nsecond: two'), 'one', 'the first of several hints')
})

t.test('sizes in B, KB and MB', async t => {
  t.same([formatSize(0), formatSize(1023), formatSize(1536), formatSize(3 * 1024 * 1024)], ['0 B', '1023 B', '1.5 KB', '3.0 MB'])
})
