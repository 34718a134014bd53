// Requests refused before a route takes them (issue 10, item 9): no Host, what Node's HTTP
// parser rejects (smuggling attempts among them), URLs the router cannot decode. Each gets
// bkend's error shape while the connection still allows an answer, and one log line that
// names the reason, without the body or a secret.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { WireClient, errorOf, type WireResponse } from './helpers/raw-client.js'
import { waitFor } from './helpers/wait.js'
import { startProxy, type TestProxy } from './helpers/proxy.js'

const SECRET = 'sk_live_SECRET_4b6a9f2c7d1e'
const BODY = 'BODY-MARKER-71c3'

async function send (port: number, bytes: string): Promise<{ res: WireResponse | undefined, closed: boolean }> {
  const client = await WireClient.connect(port)
  client.send(bytes)
  const res = await client.read({ timeoutMs: 2000 })
  const closed = res?.headers.connection?.includes('keep-alive') === true ? false : await client.waitClosed(1000)
  client.destroy()
  return { res, closed }
}

/** Log entries (pretty format: each starts with a [time] LEVEL: line) that mention text. */
async function entriesMentioning (proxy: TestProxy, text: string): Promise<string[]> {
  const entries = (await proxy.logs()).split(/\n(?=\[\d\d:\d\d:\d\d\.\d{3}\] )/)
  return entries.filter(entry => entry.includes(text))
}

t.test('HTTP/1.1 without Host gets 400 in bkend shape and is logged', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const { res } = await send(proxy.port, 'GET /v1/echo HTTP/1.1\r\n\r\n')
  t.same([res?.status, errorOf(res).code], [400, 'proxy/bad-request'])
  t.match(errorOf(res).message, /no Host header/)
  t.equal(api.started, 0)
  const entries = await entriesMentioning(proxy, 'GET /v1/echo')
  t.equal(entries.length, 1, 'one log entry')
  t.match(entries[0], /400 Bad Request proxy\/bad-request .*no Host header/)
})

t.test('what the HTTP parser refuses gets 400 in bkend shape and one log line naming the reason', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: SECRET })
  const P = proxy.port
  const head = (lines: string[]): string => `POST /v1/echo HTTP/1.1\r\nHost: localhost:${P}\r\nAuthorization: Bearer ${SECRET}\r\n${lines.map(line => line + '\r\n').join('')}\r\n`
  const cases: Array<[string, string, string]> = [
    ['Content-Length with Transfer-Encoding', `${head(['Content-Length: 4', 'Transfer-Encoding: chunked'])}0\r\n\r\nGET /v1/smuggled HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`, 'HPE_INVALID_TRANSFER_ENCODING'],
    ['duplicated Content-Length', `${head(['Content-Length: 16', 'Content-Length: 16'])}${BODY}`, 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['obs-fold', `${head(['X-A: a', ' b', 'Content-Length: 16'])}${BODY}`, 'HPE_INVALID_HEADER_TOKEN'],
    ['bare LF', `POST /v1/echo HTTP/1.1\nHost: localhost:${P}\nContent-Length: 16\n\n${BODY}`, 'HPE_'],
    ['bytes above 0x7f in the target', `GET /v1/caf\xc3\xa9?api_key=${SECRET} HTTP/1.1\r\nHost: localhost:${P}\r\n\r\n`, 'HPE_INVALID_URL']
  ]
  for (const [name, bytes, code] of cases) {
    const before = (await proxy.logs()).length
    const { res, closed } = await send(P, bytes)
    t.same([res?.status, errorOf(res).code], [400, 'proxy/bad-request'], `${name} → 400 proxy/bad-request`)
    t.match(errorOf(res).message, /^the request is not valid HTTP \(HPE_\w+: .+\)$/, `${name}: the body names the parser's reason`)
    t.ok(closed, `${name}: connection closed`)
    await new Promise(resolve => setTimeout(resolve, 30))
    const added = (await proxy.logs()).slice(before)
    const lines = added.split('\n').filter(line => line !== '')
    t.equal(lines.length, 1, `${name}: exactly one log line`)
    t.match(lines[0], new RegExp(`WARN: refused a request that is not valid HTTP from 127\\.0\\.0\\.1:\\d+: 400 proxy/bad-request \\(${code}\\w*: .+\\)$`), `${name}: the line names the reason`)
  }
  const logs = await proxy.logs()
  t.notMatch(logs, SECRET, 'no secret in the log')
  t.notMatch(logs, BODY, 'no body in the log')
  t.equal(api.started, 0, 'nothing reached the upstream, /v1/smuggled included')
})

t.test('the JSON log carries the refusal as fields', async t => {
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:1', logFormat: 'json' })
  await send(proxy.port, `GET /v1/x HTTP/1.1\r\nHost: localhost:${proxy.port}\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx`)
  await new Promise(resolve => setTimeout(resolve, 30))
  const entries = (await proxy.logs()).trim().split('\n').map(line => JSON.parse(line) as { level: number, refusal?: Record<string, unknown> })
  t.equal(entries.length, 1)
  t.match(entries[0], { level: 40, refusal: { status: 400, code: 'proxy/bad-request', reason: 'HPE_UNEXPECTED_CONTENT_LENGTH', client: /^127\.0\.0\.1:\d+$/ } })
})

t.test('a bad chunk in a request body is logged as 400 bad-request, not 499 client closed', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const client = await WireClient.connect(proxy.port)
  // Not text/plain: Fastify's own text parser would read the whole body before forwarding.
  client.send(`POST /v1/echo HTTP/1.1\r\nHost: localhost:${proxy.port}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`)
  t.ok(await waitFor(() => api.started === 1, 2000), 'the request was forwarded while its body streams')
  client.send('zz\r\nmore\r\n0\r\n\r\n')
  const res = await client.read({ timeoutMs: 2000 })
  t.same([res?.status, errorOf(res).code], [400, 'proxy/bad-request'])
  t.ok(await client.waitClosed(1000), 'connection closed')
  client.destroy()
  t.ok(await waitFor(() => api.abortedResponses === 1, 2000), 'the upstream request was aborted')
  t.equal(api.received.length, 0, 'the upstream never got a complete request')
  const entries = await entriesMentioning(proxy, 'POST /v1/echo')
  t.equal(entries.length, 1, 'one log entry')
  t.notMatch(entries[0], /499|client closed/)
  t.match(entries[0], /^\* #1 400 Bad Request proxy\/bad-request in [\d.]+ ms: the request body is not valid HTTP \(HPE_INVALID_CHUNK_SIZE: .+\)$/m)
  t.equal((await proxy.logs()).match(/HPE_INVALID_CHUNK_SIZE/g)?.length, 1, 'no second line for the same refusal')
})

t.test('a bad request after a finished one on the same connection is refused on its own, with its own line', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const client = await WireClient.connect(proxy.port)
  client.send(`GET /v1/echo HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n\r\n`)
  t.equal((await client.read({ timeoutMs: 2000 }))?.status, 200, 'the first request is answered and the connection kept')
  client.send(`GET /v1/x HTTP/1.1\r\nHost: localhost:${proxy.port}\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx`)
  const res = await client.read({ timeoutMs: 2000 })
  t.same([res?.status, errorOf(res).code], [400, 'proxy/bad-request'])
  client.destroy()
  t.equal((await entriesMentioning(proxy, 'refused a request that is not valid HTTP')).length, 1, 'logged as a refusal, not as part of the first exchange')
})

t.test('a URL the router cannot decode is checked for Host and Origin first, then gets 400, logged', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const P = proxy.port
  const foreignHost = await send(P, 'GET /v1/%E0%A4%A HTTP/1.1\r\nHost: evil.example\r\n\r\n')
  t.same([foreignHost.res?.status, errorOf(foreignHost.res).code], [403, 'proxy/host-not-allowed'], 'a foreign Host → 403, not 400')
  const foreignOrigin = await send(P, `GET /v1/%E0%A4%A HTTP/1.1\r\nHost: localhost:${P}\r\nOrigin: https://evil.example\r\n\r\n`)
  t.same([foreignOrigin.res?.status, errorOf(foreignOrigin.res).code], [403, 'proxy/origin-not-allowed'], 'a foreign Origin → 403')
  const page = await send(P, `GET /v1/%E0%A4%A HTTP/1.1\r\nHost: localhost:${P}\r\nOrigin: http://localhost:3000\r\n\r\n`)
  t.same([page.res?.status, errorOf(page.res).code], [400, 'proxy/bad-request'], 'otherwise 400')
  t.same(page.res?.headers['access-control-allow-origin'], ['http://localhost:3000'], 'which an allowed page can read')
  t.equal(api.started, 0)
  const entries = await entriesMentioning(proxy, '/v1/%E0%A4%A')
  t.equal(entries.length, 3, 'each is logged once')
  t.match(entries.join('\n'), /403 Forbidden proxy\/host-not-allowed[^]*403 Forbidden proxy\/origin-not-allowed[^]*400 Bad Request proxy\/bad-request in [\d.]+ ms: the request URL is not valid/)
})
