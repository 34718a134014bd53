// Bodies stream through in both directions: large uploads and downloads arrive intact,
// with backpressure on both sides (HTTP-08), Content-Encoding untouched (HTTP-12), and a
// client that leaves before the headers takes its upstream request with it.
import t from 'tap'
import http from 'node:http'
import { createHash } from 'node:crypto'
import { gzipSync, brotliCompressSync } from 'node:zlib'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { WireClient, rawGet } from './helpers/raw-client.js'
import { waitFor } from './helpers/wait.js'
import { startProxy } from './helpers/proxy.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

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
  client.send(rawGet(proxy.port, '/v1/gz', ['Accept-Encoding: gzip, br']))
  const gzRes = await client.read()
  t.same([gzRes?.headers['content-encoding'], gzRes?.headers['content-length']], [['gzip'], [String(gz.length)]])
  t.ok(gzRes?.body.equals(gz), 'gzip bytes identical to the upstream\'s')
  client.send(rawGet(proxy.port, '/v1/gz', ['Accept-Encoding: gzip, br'], 'HEAD'))
  const headRes = await client.read({ bodyless: true })
  t.same([headRes?.status, headRes?.headers['content-length']], [200, [String(gz.length)]], 'HEAD keeps the Content-Length')
  client.send(rawGet(proxy.port, '/v1/br', ['Accept-Encoding: gzip, br']))
  const brRes = await client.read()
  t.same(brRes?.headers['content-encoding'], ['br'])
  t.ok(brRes?.body.equals(br), 'br bytes identical to the upstream\'s')
  client.destroy()
  await assertProxyHealthy(t, proxy.url)
})
