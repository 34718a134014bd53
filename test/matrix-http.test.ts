// HTTP-correctness cases of the reliability matrix (reliability-cases.md §2.3) that the
// forwarding, streaming and CORS tests do not already cover byte for byte: bodyless
// responses on a pipelined connection, multi-valued headers, backpressure on large
// downloads, SSE cadence, an MCP Streamable HTTP round trip, and compressed bodies.
import t from 'tap'
import http from 'node:http'
import { createHash } from 'node:crypto'
import { gzipSync, brotliCompressSync } from 'node:zlib'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { WireClient } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'

const ORIGIN = 'http://localhost:3000'

function get (port: number, path: string, lines: string[] = [], method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: localhost:${port}\r\n${lines.map(line => line + '\r\n').join('')}\r\n`
}

t.test('HTTP-01 hop-by-hop request headers, Connection-named ones and Proxy-Authorization never reach the upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  for (const te of ['gzip', 'trailers']) {
    const client = await WireClient.connect(proxy.port)
    client.send(get(proxy.port, '/v1/echo', ['Connection: X-Foo, keep-alive', 'X-Foo: bar', 'Keep-Alive: timeout=5', 'Proxy-Connection: keep-alive', 'Proxy-Authorization: Basic dTpw', `TE: ${te}`, 'Upgrade: h2c']))
    const res = await client.read()
    client.destroy()
    t.equal(res?.status, 200, `TE: ${te} → 200`)
    const names = api.received.at(-1)!.rawHeaders.filter((_, i) => i % 2 === 0).map(name => name.toLowerCase())
    t.same(names.filter(name => ['x-foo', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'upgrade', 'te'].includes(name)), [], `TE: ${te}: none reached the upstream`)
    t.notMatch(String(api.received.at(-1)!.headers.connection ?? ''), /x-foo/i, "the client's Connection tokens are not forwarded")
  }
})

t.test('HTTP-02 hop-by-hop response headers are stripped and the connection keeps working', async t => {
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: leaked\r\nKeep-Alive: timeout=1\r\nProxy-Authenticate: Basic realm="x"\r\nAlt-Svc: h2=":443"\r\nContent-Length: 2\r\n\r\nok')
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const client = await WireClient.connect(proxy.port)
  client.send(get(proxy.port, '/v1/hop'))
  const first = await client.read()
  t.equal(first?.status, 200)
  for (const name of ['x-secret-hop', 'proxy-authenticate', 'alt-svc']) t.notOk(first?.headers[name], `${name} is stripped`)
  t.notMatch(first?.headers['keep-alive']?.join() ?? '', /timeout=1\b/, "the upstream's Keep-Alive does not reach the client")
  t.notMatch(first?.headers.connection?.join() ?? '', /x-secret-hop/i)
  await new Promise(resolve => setTimeout(resolve, 1200)) // past the upstream's timeout=1
  client.send(get(proxy.port, '/v1/hop'))
  const second = await client.read()
  t.same([second?.status, second?.body.toString()], [200, 'ok'], 'the second request on the same socket works')
  client.destroy()
})

t.test('HTTP-04 path and query reach the upstream byte for byte', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const target = '/v1/data/a%2Fb/%20x;p=1?a=%zz&b=1+2&c=%2F&d=&e&f=%E2%9C%93&f=2&limit=1'
  const client = await WireClient.connect(proxy.port)
  client.send(get(proxy.port, target))
  t.equal((await client.read())?.status, 200)
  client.destroy()
  t.same(api.received.map(request => request.url), [target])
})

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
  client.send(get(P, '/v1/head-body', [], 'HEAD') + get(P, '/v1/ok') + get(P, '/v1/204') + get(P, '/v1/304', ['If-None-Match: "v1"']) + get(P, '/v1/ok'))
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

t.test('HTTP-07 multi-valued and special response headers survive', async t => {
  const link = '<https://a.example/p?page=2>; rel="next", <https://a.example/p?page=9>; rel="last"'
  const disposition = "attachment; filename=\"na-ve.txt\"; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt"
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    socket.write([
      'HTTP/1.1 401 Unauthorized',
      'Set-Cookie: a=1; Path=/; HttpOnly',
      'Set-Cookie: b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT',
      'WWW-Authenticate: Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource"',
      'WWW-Authenticate: Basic realm="x"',
      `Link: ${link}`,
      `Content-Disposition: ${disposition}`,
      'Content-Length: 2', '', 'no'
    ].join('\r\n'))
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const client = await WireClient.connect(proxy.port)
  client.send(get(proxy.port, '/v1/multi', [`Origin: ${ORIGIN}`]))
  const res = await client.read()
  client.destroy()
  t.equal(res?.status, 401)
  t.same(res?.headers['set-cookie'], ['a=1; Path=/; HttpOnly', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT'], 'two Set-Cookie fields, never comma-joined')
  const authenticate = res?.headers['www-authenticate']?.join(', ') ?? ''
  t.match(authenticate, 'Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource"')
  t.match(authenticate, 'Basic realm="x"')
  t.same([res?.headers.link, res?.headers['content-disposition']], [[link], [disposition]], 'Link and Content-Disposition byte-identical')
  t.match(res?.headers['access-control-expose-headers']?.join(',').toLowerCase() ?? '', 'www-authenticate', 'WWW-Authenticate is exposed to the page')
})

t.test('HTTP-08 a large download streams with backpressure: paused client, paused upstream', async t => {
  const total = 48 * 1024 * 1024
  const block = Buffer.alloc(64 * 1024, 7)
  const upstreamHash = createHash('sha256')
  let written = 0
  let firstByteAt = 0
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }) // chunked, no length
      const pump = (): void => {
        while (written < total) {
          if (firstByteAt === 0) firstByteAt = Date.now()
          upstreamHash.update(block)
          written += block.length
          if (!res.write(block)) { res.once('drain', pump); return }
        }
        res.end()
      }
      pump()
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const result = await new Promise<{ hash: string, headers: http.IncomingHttpHeaders, firstAt: number, writtenWhilePaused: number }>((resolve, reject) => {
    http.get(new URL('/v1/big', proxy.url), { headers: { 'accept-encoding': 'gzip' } }, res => {
      const hash = createHash('sha256')
      let firstAt = 0
      res.once('data', () => { firstAt = Date.now() })
      res.on('data', (chunk: Buffer) => hash.update(chunk))
      // Stop reading for 1.5 s right after the first chunk: the upstream must be held back.
      res.once('data', () => {
        res.pause()
        setTimeout(() => {
          const writtenWhilePaused = written
          res.resume()
          res.on('end', () => resolve({ hash: hash.digest('hex'), headers: res.headers, firstAt, writtenWhilePaused }))
        }, 1500)
      })
      res.on('error', reject)
    }).on('error', reject)
  })
  t.equal(result.hash, upstreamHash.digest('hex'), 'the sha256 matches')
  t.ok(result.firstAt - firstByteAt <= 100, `first byte ${result.firstAt - firstByteAt} ms after the upstream's`)
  t.ok(result.writtenWhilePaused <= 16 * 1024 * 1024, `the upstream had written ${(result.writtenWhilePaused / 1048576).toFixed(1)} of 48 MiB while the client was paused: backpressure, not buffering`)
  t.same([result.headers['content-length'], result.headers['content-encoding']], [undefined, undefined], 'no Content-Length added, not compressed')
})

t.test('HTTP-10 SSE passes event by event, unbuffered and uncompressed', async t => {
  const events = Array.from({ length: 5 }, (_, i) => `id: ${i + 1}\ndata: ${i + 1}\n\n`)
  const writtenAt: number[] = []
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n')
    const retry = 'retry: 1000\n\n'
    socket.write(`${retry.length.toString(16)}\r\n${retry}\r\n`)
    let i = 0
    const tick = setInterval(() => {
      const event = events[i++]!
      writtenAt.push(Date.now())
      socket.write(`${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`)
      if (i === events.length) { clearInterval(tick); socket.write('0\r\n\r\n') }
    }, 200)
    socket.on('close', () => clearInterval(tick))
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const arrivedAt: number[] = []
  let text = ''
  const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
    http.get(new URL('/v1/stream', proxy.url), { headers: { accept: 'text/event-stream', 'accept-encoding': 'gzip', origin: ORIGIN } }, res => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
        const seen = text.match(/^data: /gm)?.length ?? 0
        while (arrivedAt.length < seen) arrivedAt.push(Date.now())
      })
      res.on('end', () => resolve(res.headers))
      res.on('error', reject)
    }).on('error', reject)
  })
  t.equal(text, 'retry: 1000\n\n' + events.join(''), 'the bytes are identical')
  const lags = arrivedAt.map((at, i) => at - writtenAt[i]!)
  t.ok(Math.max(...lags) <= 100, `each event arrived within ${Math.max(...lags)} ms of its write`)
  t.same([headers['content-length'], headers['content-encoding'], headers['cache-control']], [undefined, undefined, 'no-cache'])
  t.equal(headers['access-control-allow-origin'], ORIGIN)
})

t.test('HTTP-11 MCP Streamable HTTP round trip: initialize, session stream, DELETE, preflights, 401', async t => {
  const mcp = await startFakeApi(t, {
    handler: (req, res) => {
      if (req.method === 'POST') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 's-1' })
        res.end('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18"}}\n\n')
      } else if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        const from = Number(req.headers['last-event-id'] ?? 0)
        let n = from
        const tick = setInterval(() => {
          res.write(`id: ${++n}\ndata: {"n":${n}}\n\n`)
          if (n === from + 3) { clearInterval(tick); res.end() }
        }, 50)
      } else {
        res.writeHead(204).end()
      }
    }
  })
  const guarded = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource"' })
      res.end('{"error":"unauthorized"}')
    }
  })
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', mcpUrl: `${mcp.url}/mcp` })
  const browser = { origin: ORIGIN }

  for (const method of ['POST', 'GET', 'DELETE']) {
    const preflight = await fetch(new URL('/mcp', proxy.url), {
      method: 'OPTIONS',
      headers: { ...browser, 'access-control-request-method': method, 'access-control-request-headers': 'content-type, mcp-session-id, mcp-protocol-version, last-event-id' }
    })
    t.equal(preflight.status, 204, `preflight for ${method}`)
    t.match(preflight.headers.get('access-control-allow-methods') ?? '', method)
    for (const name of ['mcp-session-id', 'mcp-protocol-version', 'last-event-id']) t.match((preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase(), name)
  }

  const init = await fetch(new URL('/mcp', proxy.url), {
    method: 'POST',
    headers: { ...browser, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} })
  })
  t.equal(init.headers.get('mcp-session-id'), 's-1')
  t.match((init.headers.get('access-control-expose-headers') ?? '').toLowerCase(), 'mcp-session-id', 'the page can read Mcp-Session-Id')
  t.match(await init.text(), '"protocolVersion":"2025-06-18"')

  const stream = await fetch(new URL('/mcp', proxy.url), { headers: { ...browser, accept: 'text/event-stream', 'mcp-session-id': 's-1', 'mcp-protocol-version': '2025-06-18', 'last-event-id': '3' } })
  t.equal(stream.headers.get('content-type'), 'text/event-stream')
  t.same((await stream.text()).match(/^id: \d+$/gm), ['id: 4', 'id: 5', 'id: 6'], 'events resume after Last-Event-ID, in order')

  const closed = await fetch(new URL('/mcp', proxy.url), { method: 'DELETE', headers: { ...browser, 'mcp-session-id': 's-1' } })
  t.equal(closed.status, 204)

  t.same(mcp.received.map(r => [r.method, r.url, r.headers['mcp-session-id'], r.headers['mcp-protocol-version'], r.headers['last-event-id']]), [
    ['POST', '/mcp', undefined, '2025-06-18', undefined],
    ['GET', '/mcp', 's-1', '2025-06-18', '3'],
    ['DELETE', '/mcp', 's-1', undefined, undefined]
  ], 'session headers reach the MCP server verbatim; preflights never do')

  const proxy401 = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', mcpUrl: `${guarded.url}/mcp` })
  const denied = await fetch(new URL('/mcp', proxy401.url), { method: 'POST', headers: { ...browser, 'content-type': 'application/json' }, body: '{}' })
  t.equal(denied.status, 401)
  t.equal(denied.headers.get('www-authenticate'), 'Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource"')
  t.match((denied.headers.get('access-control-expose-headers') ?? '').toLowerCase(), 'www-authenticate')
  t.equal(await denied.text(), '{"error":"unauthorized"}')
})

t.test('HTTP-12 Content-Encoding passes through untouched, Content-Length kept, HEAD too', async t => {
  const plain = Buffer.from(JSON.stringify({ data: Array.from({ length: 200 }, (_, i) => ({ id: i, title: `post ${i}` })) }))
  const gz = gzipSync(plain)
  const br = brotliCompressSync(plain)
  const upstream = await startRawUpstream(t, (hit, socket) => {
    if (hit.url.endsWith('/gz')) {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`)
      if (hit.method !== 'HEAD') socket.write(gz)
    } else {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n${br.length.toString(16)}\r\n`)
      socket.write(Buffer.concat([br, Buffer.from('\r\n0\r\n\r\n')]))
    }
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url, logBodies: true })
  const client = await WireClient.connect(proxy.port)
  client.send(get(proxy.port, '/v1/gz', ['Accept-Encoding: gzip, br']))
  const gzRes = await client.read()
  t.same([gzRes?.headers['content-encoding'], gzRes?.headers['content-length']], [['gzip'], [String(gz.length)]])
  t.ok(gzRes?.body.equals(gz), 'gzip bytes identical to the upstream\'s')
  client.send(get(proxy.port, '/v1/gz', ['Accept-Encoding: gzip, br'], 'HEAD'))
  const headRes = await client.read({ bodyless: true })
  t.same([headRes?.status, headRes?.headers['content-length']], [200, [String(gz.length)]], 'HEAD keeps the Content-Length')
  client.send(get(proxy.port, '/v1/br', ['Accept-Encoding: gzip, br']))
  const brRes = await client.read()
  t.same(brRes?.headers['content-encoding'], ['br'])
  t.ok(brRes?.body.equals(br), 'br bytes identical to the upstream\'s')
  client.destroy()
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
