// Message framing on the client connection: bodyless HEAD, 204 and 304 answers on a
// pipelined keep-alive connection (HTTP-06) and the Expect handshake (HTTP-05).
import t from 'tap'
import http from 'node:http'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { WireClient, rawGet } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'

t.test('HTTP-06 HEAD, 204 and 304 are bodyless and never desync a pipelined keep-alive connection', async t => {
  const upstream = await startRawUpstream(t, (hit, socket) => {
    if (hit.method === 'HEAD') socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nBOGUS')
    else if (hit.url.endsWith('/204')) socket.write('HTTP/1.1 204 No Content\r\n\r\n')
    else if (hit.url.endsWith('/304')) socket.write('HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n')
    else socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok')
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const P = proxy.port
  const client = await WireClient.connect(P)
  client.send(rawGet(P, '/v1/head-body', [], 'HEAD') + rawGet(P, '/v1/ok') + rawGet(P, '/v1/204') + rawGet(P, '/v1/304', ['If-None-Match: "v1"']) + rawGet(P, '/v1/ok'))
  const head = await client.read({ bodyless: true })
  const ok1 = await client.read()
  const noContent = await client.read()
  const notModified = await client.read()
  const ok2 = await client.read({ timeoutMs: 1000 })
  client.destroy()
  t.same([head?.status, head?.headers['content-length']], [200, ['5']], 'HEAD keeps Content-Length: 5')
  t.same([ok1?.status, ok1?.body.toString()], [200, 'ok'], 'the GET after HEAD gets ok, not the bogus bytes')
  t.same([noContent?.status, noContent?.headers['transfer-encoding'], noContent?.headers['content-length']?.filter(v => v !== '0')], [204, undefined, undefined], '204 without body or chunking')
  t.same([notModified?.status, notModified?.headers['transfer-encoding'], notModified?.headers.etag], [304, undefined, ['"v1"']], '304 without body or chunking')
  t.same([ok2?.status, ok2?.body.toString()], [200, 'ok'], 'the fifth response is the last ok')
  t.notMatch(ok1!.raw.toString('latin1') + noContent!.raw.toString('latin1') + notModified!.raw.toString('latin1'), /BOGUS/, 'the bogus HEAD bytes appear nowhere')
  await assertProxyHealthy(t, proxy.url)
})

t.test('HTTP-05 Expect variants: 100-Continue in any case, HTTP/1.0 without 100, unknown expectations → 417', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const P = proxy.port
  const mixed = await WireClient.connect(P)
  mixed.send(`POST /v1/upload HTTP/1.1\r\nHost: localhost:${P}\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nExpect: 100-Continue\r\n\r\n`)
  const interim = await mixed.read()
  t.equal(interim?.status, 100, 'Expect: 100-Continue (mixed case) gets 100 Continue')
  mixed.send('hello')
  const final = await mixed.read()
  t.equal(final?.status, 200, 'then the upstream final status')
  t.equal(api.received.at(-1)?.body, 'hello')
  mixed.destroy()

  const old = await WireClient.connect(P)
  old.send(`POST /v1/upload HTTP/1.0\r\nHost: localhost:${P}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello`)
  const oldRes = await old.read()
  t.not(oldRes?.status, 100, 'HTTP/1.0 gets no 100')
  t.ok(oldRes !== undefined && oldRes.status < 500, `HTTP/1.0 with Expect → ${oldRes?.status}`)
  old.destroy()

  const before = api.received.length
  const unknown = await WireClient.connect(P)
  unknown.send(`POST /v1/upload HTTP/1.1\r\nHost: localhost:${P}\r\nContent-Length: 5\r\nExpect: foo\r\n\r\nhello`)
  t.equal((await unknown.read())?.status, 417, 'Expect: foo → 417')
  unknown.destroy()
  t.equal(api.received.length, before, 'the 417 request never reached the upstream')
})

t.test('Expect: 100-continue gets the upstream final status', async t => {
  const api = await startFakeApi(t, {
    handler: (_req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ created: body }))
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const payload = JSON.stringify({ title: 'hello' })
  const result = await new Promise<{ status: number, body: string, continued: boolean }>((resolve, reject) => {
    let continued = false
    const request = http.request(new URL('/v1/data/posts', proxy.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), expect: '100-continue' }
    }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', chunk => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode!, body, continued }))
    })
    request.on('continue', () => { continued = true; request.end(payload) })
    request.on('error', reject)
    request.flushHeaders()
  })
  t.equal(result.continued, true, 'the client was told to continue')
  t.equal(result.status, 201)
  t.same(JSON.parse(result.body), { created: payload })
  t.equal(api.received.length, 1)
  t.same([api.received[0]!.body, api.received[0]!.headers.expect], [payload, undefined])
  await assertProxyHealthy(t, proxy.url)
})
