import t from 'tap'
import { curlShown, formatExchange, summaryLine } from '../src/log/curl-format.js'
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
