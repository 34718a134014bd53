// Bodies stream through in both directions, quiet streams outlive the header timeout,
// a client that leaves takes its upstream request with it, and paths, queries and
// headers arrive as they should.
import t from 'tap'
import http from 'node:http'
import { createHash } from 'node:crypto'
import { startFakeApi } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { rawRequest } from './helpers/raw-client.js'
import { waitFor } from './helpers/wait.js'
import { startProxy } from './helpers/proxy.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Deterministic ASCII bytes: they survive fake-api's utf8 body decoding unchanged. */
function asciiChunk (index: number, size: number): Buffer {
  const chunk = Buffer.alloc(size)
  let state = (index + 1) * 2654435761 >>> 0
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    chunk[i] = 33 + (state >>> 16) % 94
  }
  return chunk
}

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

t.test('a client that leaves before the response headers aborts the upstream request within 1 s', async t => {
  const api = await startFakeApi(t, { handler: () => {} })
  const proxy = await startProxy(t, { apiUrl: api.url, upstreamTimeoutMs: 30000 })
  const request = http.get(new URL('/v1/slow', proxy.url))
  request.on('error', () => {})
  t.ok(await waitFor(() => api.started === 1, 2000), 'the upstream received the request')
  const leftAt = Date.now()
  request.destroy()
  t.ok(await waitFor(() => api.abortedResponses === 1, 1000), 'the upstream request was aborted')
  t.ok(Date.now() - leftAt < 1000, `aborted ${Date.now() - leftAt} ms after the client left`)
  t.equal(api.started, 1)
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

t.test('a 20 MB request body streams to the upstream intact', async t => {
  const chunkSize = 1024 * 1024
  const chunkCount = 20
  const api = await startFakeApi(t, {
    handler: (_req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ bytes: Buffer.byteLength(body) }))
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  const hash = createHash('sha256')
  const response = new Promise<{ status: number, body: string }>((resolve, reject) => {
    const request = http.request(new URL('/v1/files', proxy.url), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': chunkSize * chunkCount }
    }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', chunk => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    request.on('error', reject)
    void (async () => {
      for (let index = 0; index < chunkCount; index++) {
        const chunk = asciiChunk(index, chunkSize)
        hash.update(chunk)
        if (!request.write(chunk)) await new Promise(resolve => request.once('drain', resolve))
        // Streaming, not buffering: the upstream sees the request before the body is complete.
        if (index === chunkCount / 2) t.ok(await waitFor(() => api.started === 1, 2000), 'upstream started receiving mid-upload')
      }
      request.end()
    })()
  })
  const { status, body } = await response
  t.equal(status, 201)
  t.same(JSON.parse(body), { bytes: chunkSize * chunkCount })
  t.equal(api.received.length, 1)
  const received = api.received[0]!
  t.equal(Buffer.byteLength(received.body), chunkSize * chunkCount)
  t.equal(sha256(received.body), hash.digest('hex'), 'same bytes, same order')
  t.equal(received.headers.authorization, `Bearer ${KEY}`)
  await assertProxyHealthy(t, proxy.url)
})

t.test('a 5 MB response streams back intact', async t => {
  const payload = Buffer.concat(Array.from({ length: 5 }, (_, index) => asciiChunk(index + 100, 1024 * 1024)))
  payload[0] = 0 // and a few bytes that are not text
  payload[payload.length - 1] = 255
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      let offset = 0
      const pump = (): void => {
        while (offset < payload.length) {
          const chunk = payload.subarray(offset, offset + 64 * 1024)
          offset += chunk.length
          if (!res.write(chunk)) { res.once('drain', pump); return }
        }
        res.end()
      }
      pump()
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const res = await fetch(new URL('/v1/files/big', proxy.url))
  t.equal(res.status, 200)
  const received = Buffer.from(await res.arrayBuffer())
  t.equal(received.length, payload.length)
  t.equal(sha256(received), sha256(payload))
  t.equal(api.received.length, 1)
  await assertProxyHealthy(t, proxy.url)
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

t.test('hop-by-hop request headers not named in Connection are dropped, not refused', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const response = await rawRequest(proxy.port, [
    'GET /v1/data/posts HTTP/1.1',
    `Host: localhost:${proxy.port}`,
    'Keep-Alive: timeout=5',
    'Upgrade: h2c',
    'Proxy-Connection: keep-alive',
    'TE: trailers',
    'X-Kept: yes',
    '', ''
  ].join('\r\n'))
  t.equal(response.status, 200, response.text.split('\r\n')[0] ?? '')
  t.equal(api.received.length, 1)
  const names = api.received[0]!.rawHeaders.filter((_, index) => index % 2 === 0).map(name => name.toLowerCase())
  t.same(names.filter(name => ['keep-alive', 'upgrade', 'proxy-connection', 'te'].includes(name)), [])
  t.equal(api.received[0]!.headers['x-kept'], 'yes', 'ordinary headers still pass')
  await assertProxyHealthy(t, proxy.url)
})

t.test('MCP requests reach the MCP URL path with the injected headers', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', mcpUrl: `${api.url}/mcp`, apiKey: KEY, projectId: 'p1', environment: 'staging' })
  for (const path of ['/mcp', '/mcp/sub']) {
    const res = await fetch(new URL(path, proxy.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })
    })
    t.equal(res.status, 200, path)
  }
  t.same(api.received.map(request => [request.method, request.url]), [['POST', '/mcp'], ['POST', '/mcp/sub']])
  for (const request of api.received) {
    t.same([request.headers.authorization, request.headers['x-project-id'], request.headers['x-environment']], [`Bearer ${KEY}`, 'p1', 'staging'])
    t.equal(request.body, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }))
  }
  await assertProxyHealthy(t, proxy.url)
})

t.test('an MCP URL without a path: /mcp and its query go to the upstream root', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', mcpUrl: api.url })
  const sent = ['/mcp', '/mcp?x=1', '/mcp/', '/mcp/?x=1', '/mcp/sub?x=1']
  for (const target of sent) {
    const response = await rawRequest(proxy.port, `GET ${target} HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n\r\n`)
    t.equal(response.status, 200, target)
  }
  t.same(api.received.map(request => request.url), ['/', '/?x=1', '/', '/?x=1', '/sub?x=1'])
})

t.test('an API URL with a base path prefixes it to /v1 paths', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: `${api.url}/base` })
  const res = await fetch(new URL('/v1/x', proxy.url))
  t.equal(res.status, 200)
  t.same(api.received.map(request => request.url), ['/base/v1/x'])
  await assertProxyHealthy(t, proxy.url)
})

t.test('the query string arrives byte for byte', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const target = '/v1/data/posts?a=1+2&b=%2F&c=%e2%82%ac&d&d=&e[x]=1'
  const response = await rawRequest(proxy.port, `GET ${target} HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n\r\n`)
  t.equal(response.status, 200)
  t.same(api.received.map(request => request.url), [target])
  await assertProxyHealthy(t, proxy.url)
})
