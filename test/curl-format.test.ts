import t from 'tap'
import { curlShown, formatExchange, formatStreamEnd, formatStreamOpen, isAllowedPreflight, preflightLine, summaryLine } from '../src/log/curl-format.js'
import { COLOURED } from '../src/log/colour.js'
import type { ExchangeRecord } from '../src/log/exchange.js'

function record (overrides: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return {
    id: 7,
    method: 'GET',
    url: '/v1/data/posts?limit=1',
    origin: 'http://localhost:3000',
    target: 'https://api-client.bkend.ai/v1/data/posts?limit=1',
    answeredBy: 'upstream',
    request: {
      line: 'GET /v1/data/posts?limit=1 HTTP/1.1',
      headers: [['host', 'api-client.bkend.ai'], ['accept', 'application/json'], ['authorization', 'Bearer sk_test_••••9f2c (40 chars)', true], ['x-environment', 'dev', true]]
    },
    response: { line: 'HTTP/1.1 200 OK', status: 200, headers: [['content-type', 'application/json'], ['content-length', '27']] },
    durationMs: 12.34,
    bytes: 27,
    completed: true,
    notes: [],
    ...overrides
  }
}

t.test('an exchange reads like curl -v', async t => {
  t.equal(formatExchange(record()), [
    '* #7 GET /v1/data/posts?limit=1 from http://localhost:3000 → https://api-client.bkend.ai/v1/data/posts?limit=1',
    '> GET /v1/data/posts?limit=1 HTTP/1.1',
    '> host: api-client.bkend.ai',
    '> accept: application/json',
    '> authorization: Bearer sk_test_••••9f2c (40 chars)   [injected]',
    '> x-environment: dev   [injected]',
    '>',
    '< HTTP/1.1 200 OK',
    '< content-type: application/json',
    '< content-length: 27',
    '<',
    '* #7 200 OK in 12.3 ms, 27 bytes'
  ].join('\n'))
})

t.test("the proxy's own answers say so and end with the error code", async t => {
  const text = formatExchange(record({
    target: 'proxy',
    answeredBy: 'proxy',
    notes: ['refused origin https://evil.example: not in CORS_ORIGINS'],
    response: { line: 'HTTP/1.1 403 Forbidden', status: 403, headers: [] },
    error: { code: 'proxy/origin-not-allowed', message: 'origin https://evil.example is not allowed' }
  }))
  t.match(text, /^\* #7 GET \/v1\/data\/posts\?limit=1 from http:\/\/localhost:3000 answered by the proxy \(not forwarded\)\n\* #7 note: refused origin https:\/\/evil.example: not in CORS_ORIGINS\n> /)
  t.match(text, /\n\* #7 403 Forbidden proxy\/origin-not-allowed in 12\.3 ms: origin https:\/\/evil.example is not allowed$/)
})

t.test('control characters from the wire cannot reach the terminal', async t => {
  const text = formatExchange(record({ response: { line: 'HTTP/1.1 200 OK', status: 200, headers: [['x-evil', 'a\u001b[31mred\u0007']] } }))
  t.notMatch(text, /\u001b|\u0007/)
  t.match(text, '< x-evil: a�[31mred�')
})

t.test('an unfinished response says the client left', async t => {
  t.equal(summaryLine(record({ completed: false, bytes: 5 })), '* #7 200 OK, client closed the connection after 12.3 ms and 5 bytes (response not finished)')
})

t.test('body previews use curl\'s data markers and say when they are cut', async t => {
  const text = formatExchange(record({
    requestBody: { text: '{"title":"hi"}', totalBytes: 14, truncated: false },
    responseBody: { text: 'abc', totalBytes: 5000, truncated: true }
  }))
  t.match(text, '>\n} [14 bytes]\n} {"title":"hi"}\n< HTTP/1.1 200 OK')
  t.match(text, '<\n{ [first 3 of 5000 bytes]\n{ abc\n* #7')
})

t.test('hints follow the summary, and the copy-as-curl command ends the block unprefixed', async t => {
  const text = formatExchange(record({ response: { line: 'HTTP/1.1 401 Unauthorized', status: 401, headers: [] } }), {
    hint: 'set BKEND_API_KEY\nthe app\'s Authorization header has no space after Bearer',
    curl: `curl -v 'https://api-client.bkend.ai/v1/data/posts?limit=1' -H "Authorization: Bearer $BKEND_API_KEY"`
  })
  t.equal(text.split('\n').slice(-4).join('\n'), [
    '* #7 401 Unauthorized in 12.3 ms, 27 bytes',
    '* hint: set BKEND_API_KEY',
    '* hint: the app\'s Authorization header has no space after Bearer',
    `curl -v 'https://api-client.bkend.ai/v1/data/posts?limit=1' -H "Authorization: Bearer $BKEND_API_KEY"`
  ].join('\n'))
})

t.test('the command is shown for failures always, for successes only with --log-curl', async t => {
  t.same([curlShown(record(), false), curlShown(record(), true)], [false, true])
  t.equal(curlShown(record({ response: { line: 'HTTP/1.1 404 Not Found', status: 404, headers: [] } }), false), true)
})

function preflight (overrides: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return record({
    id: 3,
    method: 'OPTIONS',
    url: '/v1/auth/email/signin',
    origin: 'http://localhost:5173',
    target: 'proxy',
    answeredBy: 'proxy',
    request: {
      line: 'OPTIONS /v1/auth/email/signin HTTP/1.1',
      headers: [['host', 'localhost:8787'], ['origin', 'http://localhost:5173'], ['access-control-request-method', 'POST'], ['access-control-request-headers', 'content-type,authorization']]
    },
    response: { line: 'HTTP/1.1 204 No Content', status: 204, headers: [['access-control-allow-origin', 'http://localhost:5173']] },
    durationMs: 0.42,
    bytes: 0,
    ...overrides
  })
}

t.test('an allowed preflight is one line: origin, requested method and headers, answered by the proxy', async t => {
  t.equal(isAllowedPreflight(preflight()), true)
  t.equal(preflightLine(preflight()), '* #3 OPTIONS /v1/auth/email/signin from http://localhost:5173 for POST with content-type,authorization → 204 (preflight, answered by the proxy) in 0.4 ms')
  const bare = preflight({ request: { line: 'OPTIONS /v1/x HTTP/1.1', headers: [['access-control-request-method', 'DELETE']] }, url: '/v1/x' })
  t.equal(preflightLine(bare), '* #3 OPTIONS /v1/x from http://localhost:5173 for DELETE → 204 (preflight, answered by the proxy) in 0.4 ms')
})

t.test('a refused or forwarded OPTIONS is not an allowed preflight, so it keeps its block', async t => {
  t.equal(isAllowedPreflight(preflight({ response: { line: 'HTTP/1.1 403 Forbidden', status: 403, headers: [] }, error: { code: 'proxy/origin-not-allowed', message: 'no' } })), false)
  t.equal(isAllowedPreflight(preflight({ request: { line: 'OPTIONS /v1/x HTTP/1.1', headers: [['host', 'localhost']] } })), false, 'a plain OPTIONS is no preflight')
  t.equal(isAllowedPreflight(record()), false)
})

const STREAM_HEAD = {
  id: 9,
  method: 'GET',
  url: '/v1/events',
  origin: 'http://localhost:5173',
  target: 'https://api-client.bkend.ai/v1/events',
  answeredBy: 'upstream' as const,
  request: { line: 'GET /v1/events HTTP/1.1', headers: [['accept', 'text/event-stream']] as Array<[string, string]> },
  response: { line: 'HTTP/1.1 200 OK', status: 200, headers: [['content-type', 'text/event-stream']] as Array<[string, string]> },
  notes: []
}

t.test('a stream as it opens: the request and response heads, then that it is running', async t => {
  t.equal(formatStreamOpen(STREAM_HEAD, 'text/event-stream', 8.04), [
    '* #9 GET /v1/events from http://localhost:5173 → https://api-client.bkend.ai/v1/events',
    '> GET /v1/events HTTP/1.1',
    '> accept: text/event-stream',
    '>',
    '< HTTP/1.1 200 OK',
    '< content-type: text/event-stream',
    '<',
    '* #9 stream open (text/event-stream), headers after 8.0 ms'
  ].join('\n'))
})

t.test('a stream\'s end says who ended it, after how long, and how much went through', async t => {
  const ended = (overrides: Partial<ExchangeRecord>): ExchangeRecord => ({ ...STREAM_HEAD, durationMs: 2345.6, bytes: 312, completed: false, cutBy: 'client', streamed: true, events: 3, ...overrides })
  t.equal(formatStreamEnd(ended({})), '* #9 200 OK, stream closed by the client after 2.3 s: 3 events, 312 bytes')
  t.equal(summaryLine(ended({ completed: true, cutBy: undefined, events: 1 })), '* #9 200 OK, stream ended by the upstream after 2.3 s: 1 event, 312 bytes')
  t.equal(summaryLine(ended({ cutBy: 'upstream', events: undefined, declaredBytes: 400 })), '* #9 200 OK, stream cut off by the upstream after 2.3 s: 312 of 400 bytes (the client\'s connection was aborted so it cannot mistake it for complete)')
  t.equal(summaryLine(ended({ cutBy: 'proxy', durationMs: 812 })), '* #9 200 OK, stream cut by the proxy shutdown after 812.0 ms: 3 events, 312 bytes')
  t.equal(formatStreamEnd(ended({ response: { line: 'HTTP/1.1 401 Unauthorized', status: 401, headers: [] }, completed: true }), { hint: 'set BKEND_API_KEY', curl: 'curl -v x' }),
    '* #9 401 Unauthorized, stream ended by the upstream after 2.3 s: 3 events, 312 bytes\n* hint: set BKEND_API_KEY\ncurl -v x')
})

t.test('a replay says which exchange it repeats, on its first line', async t => {
  t.equal(formatExchange(record({ id: 20, replayOf: 12 })).split('\n')[0], '* #20 replay of #12: GET /v1/data/posts?limit=1 from http://localhost:3000 → https://api-client.bkend.ai/v1/data/posts?limit=1')
  t.equal(formatStreamOpen({ ...STREAM_HEAD, replayOf: 4 }, 'text/event-stream', 8.04).split('\n')[0], '* #9 replay of #4: GET /v1/events from http://localhost:5173 → https://api-client.bkend.ai/v1/events')
  t.equal(preflightLine(preflight({ replayOf: 2 })), '* #3 replay of #2: OPTIONS /v1/auth/email/signin from http://localhost:5173 for POST with content-type,authorization → 204 (preflight, answered by the proxy) in 0.4 ms')
})

t.test('the proxy\'s own routes answered 2xx carry no exchange number', async t => {
  const health = record({ id: 0, method: 'GET', url: '/__proxy/health', target: 'proxy', answeredBy: 'proxy', request: { line: 'GET /__proxy/health HTTP/1.1', headers: [] }, response: { line: 'HTTP/1.1 200 OK', status: 200, headers: [] } })
  t.equal(formatExchange(health), ['* GET /__proxy/health from http://localhost:3000 answered by the proxy (not forwarded)', '> GET /__proxy/health HTTP/1.1', '>', '< HTTP/1.1 200 OK', '<', '* 200 OK in 12.3 ms, 27 bytes'].join('\n'))
})

t.test('colour marks the status line and summary by status class, [injected] and hints; the rest stays plain', async t => {
  const esc = (code: string, text: string, close = '39'): string => `\u001b[${code}m${text}\u001b[${close}m`
  const failed = record({ response: { line: 'HTTP/1.1 401 Unauthorized', status: 401, headers: [['content-type', 'application/json']] } })
  t.equal(formatExchange(failed, { hint: 'set BKEND_API_KEY', curl: 'curl -v x' }, COLOURED), [
    '* #7 GET /v1/data/posts?limit=1 from http://localhost:3000 → https://api-client.bkend.ai/v1/data/posts?limit=1',
    '> GET /v1/data/posts?limit=1 HTTP/1.1',
    '> host: api-client.bkend.ai',
    '> accept: application/json',
    `> authorization: Bearer sk_test_••••9f2c (40 chars)   ${esc('35', '[injected]')}`,
    `> x-environment: dev   ${esc('35', '[injected]')}`,
    '>',
    esc('33', '< HTTP/1.1 401 Unauthorized'),
    '< content-type: application/json',
    '<',
    esc('33', '* #7 401 Unauthorized in 12.3 ms, 27 bytes'),
    esc('1;35', '* hint: set BKEND_API_KEY', '22;39'),
    'curl -v x'
  ].join('\n'))
  const tones: Array<[number, string]> = [[200, '32'], [304, '36'], [404, '33'], [502, '31']]
  for (const [status, code] of tones) {
    t.match(formatExchange(record({ response: { line: `HTTP/1.1 ${status}`, status, headers: [] } }), {}, COLOURED), `\u001b[${code}m< HTTP/1.1 ${status}\u001b[39m`, `${status} is ${code}`)
  }
  const refused = record({ answeredBy: 'proxy', target: 'proxy', response: { line: 'HTTP/1.1 403 Forbidden', status: 403, headers: [] }, error: { code: 'proxy/origin-not-allowed', message: 'no' } })
  t.match(formatExchange(refused, {}, COLOURED), '\u001b[31m* #7 403 Forbidden proxy/origin-not-allowed', 'a proxy error is red though its status is 4xx')
  t.equal(preflightLine(preflight(), COLOURED), esc('32', preflightLine(preflight())))
})
