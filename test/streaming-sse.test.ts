// Event streams pass event by event: SSE unbuffered and uncompressed (HTTP-10), quiet
// streams outlive the header timeout, a client that leaves closes the upstream stream,
// and an MCP Streamable HTTP round trip works end to end (HTTP-11).
import t from 'tap'
import http from 'node:http'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { waitFor } from './helpers/wait.js'
import { startProxy } from './helpers/proxy.js'

const ORIGIN = 'http://localhost:3000'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

t.test('an SSE stream with gaps longer than the header timeout keeps flowing, event by event', async t => {
  // Offsets in ms from the headers; the 500 ms gaps exceed upstreamTimeoutMs (300).
  const schedule = [0, 200, 700, 900, 1400]
  const sentAt: number[] = []
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      const timers = schedule.map((offset, index) => setTimeout(() => {
        sentAt[index] = Date.now()
        res.write(`id: ${index}\ndata: event ${index}\n\n`)
        if (index === schedule.length - 1) res.end()
      }, offset))
      res.on('close', () => timers.forEach(clearTimeout))
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url, upstreamTimeoutMs: 300 })
  const res = await fetch(new URL('/v1/stream', proxy.url))
  t.equal(res.status, 200)
  t.equal(res.headers.get('content-type'), 'text/event-stream')
  const arrivals: Array<{ data: string, atMs: number }> = []
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of res.body!) {
    buffered += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const data = /data: (.*)/.exec(buffered.slice(0, end))?.[1] ?? ''
      arrivals.push({ data, atMs: Date.now() })
      buffered = buffered.slice(end + 2)
    }
  }
  t.same(arrivals.map(arrival => arrival.data), schedule.map((_, index) => `event ${index}`), 'every event arrived, in order')
  // Incremental: each event reached the client before the upstream wrote the next one.
  for (let index = 0; index < arrivals.length - 1; index++) {
    const lead = sentAt[index + 1]! - arrivals[index]!.atMs
    t.ok(lead > 0, `event ${index} arrived ${lead} ms before event ${index + 1} was sent`)
  }
  t.equal(api.abortedResponses, 0, 'the upstream stream was not cut')
  await assertProxyHealthy(t, proxy.url)
})

t.test('a client that leaves mid-SSE closes the upstream stream within 1 s', async t => {
  let upstreamClosedAt = 0
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      let count = 0
      const timer = setInterval(() => res.write(`data: tick ${count++}\n\n`), 100)
      res.write(`data: tick ${count++}\n\n`)
      res.on('close', () => { clearInterval(timer); upstreamClosedAt = Date.now() })
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url, upstreamTimeoutMs: 300 })
  const controller = new AbortController()
  const res = await fetch(new URL('/v1/stream', proxy.url), { signal: controller.signal })
  t.equal(res.status, 200)
  const reader = res.body!.getReader()
  const first = await reader.read()
  t.match(Buffer.from(first.value!).toString('utf8'), 'data: tick 0')
  await sleep(350) // longer than the header timeout: the stream is well established
  const leftAt = Date.now()
  controller.abort()
  await reader.cancel().catch(() => {})
  t.ok(await waitFor(() => api.abortedResponses === 1, 1000), 'the upstream stream was closed')
  t.ok(upstreamClosedAt - leftAt < 1000, `closed ${upstreamClosedAt - leftAt} ms after the client left`)
  t.equal(api.started, 1)
  await assertProxyHealthy(t, proxy.url)
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
