// Issue 10 item 3: UPSTREAM_TIMEOUT_MS counts from the moment the request body has been
// sent in full, because only from then does the upstream owe response headers. A slow
// upload is the client's business; and whatever ends an exchange mid-upload, the client
// gets an answer while its connection is open.
import t from 'tap'
import { startProxy } from './helpers/proxy.js'
import { startRawUpstream, startTcpUpstream } from './helpers/fake-upstream.js'
import { assertProxyHealthy } from './helpers/proxy-health.js'
import { WireClient, errorOf, type WireResponse } from './helpers/raw-client.js'

interface Teardown { teardown: (fn: () => unknown) => void }

interface Upload {
  response: WireResponse | undefined
  /** Body chunks the client had written when the answer came. */
  chunksBeforeAnswer: number
  /** When the terminating chunk was written (0: the proxy closed the connection first). */
  lastChunkAt: number
  answeredAt: number
  /** Whether the proxy closed the connection within a second of its answer. */
  closedAfterAnswer: () => Promise<boolean>
}

/** A chunked POST whose body the client writes one chunk per interval, on a raw socket. */
async function trickleUpload (t: Teardown, port: number, options: { contentType: string, chunks: number, intervalMs: number }): Promise<Upload> {
  const client = await WireClient.connect(port)
  t.teardown(() => client.destroy())
  client.send(`POST /v1/files HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: ${options.contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`)
  let chunksSent = 0
  const upload = { lastChunkAt: 0, closedAfterAnswer: () => client.waitClosed(1000) } as Upload
  const writing = (async () => {
    for (let index = 0; index < options.chunks; index++) {
      await new Promise(resolve => setTimeout(resolve, options.intervalMs))
      if (client.closed) return
      client.send(`a\r\n${String(index).padStart(10, '0')}\r\n`)
      chunksSent++
    }
    client.send('0\r\n\r\n')
    upload.lastChunkAt = Date.now()
  })()
  upload.response = await client.read({ timeoutMs: options.chunks * options.intervalMs + 3000 })
  upload.answeredAt = Date.now()
  upload.chunksBeforeAnswer = chunksSent
  await writing
  return upload
}

for (const contentType of ['application/octet-stream', 'application/json']) {
  t.test(`a ${contentType} upload slower than UPSTREAM_TIMEOUT_MS reaches the upstream whole and its answer comes back`, async t => {
    const upstream = await startRawUpstream(t, (hit, socket) => {
      socket.write(`HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: ${String(hit.body.length).length}\r\n\r\n${hit.body.length}`)
    })
    const proxy = await startProxy(t, { apiUrl: upstream.url, upstreamTimeoutMs: 400 })
    const upload = await trickleUpload(t, proxy.port, { contentType, chunks: 6, intervalMs: 200 })
    t.same([upload.response?.status, upload.response?.body.toString()], [201, '60'], 'the upstream answer, after 1.2 s of upload with a 400 ms timeout')
    t.equal(upstream.hits.length, 1)
    t.equal(upstream.hits[0]!.body.toString(), '000000000000000000010000000002000000000300000000040000000005', 'every byte, in order')
  })
}

t.test('the header wait starts once the body is sent: a silent upstream gets its 504 UPSTREAM_TIMEOUT_MS after the last byte', async t => {
  const upstream = await startRawUpstream(t, () => {})
  const proxy = await startProxy(t, { apiUrl: upstream.url, upstreamTimeoutMs: 500 })
  const upload = await trickleUpload(t, proxy.port, { contentType: 'application/octet-stream', chunks: 5, intervalMs: 200 })
  t.same([upload.response?.status, errorOf(upload.response).code], [504, 'proxy/upstream-timeout'])
  const waitedMs = upload.answeredAt - upload.lastChunkAt
  t.ok(waitedMs >= 450 && waitedMs <= 1100, `504 ${waitedMs} ms after the last byte (timeout 500)`)
  t.notMatch(errorOf(upload.response).message ?? '', /limit=/, 'an upload is not told to page a list read')
  t.equal(upstream.hits.length, 1, 'the upstream had the whole request')
})

t.test('an upstream that stops reading the body for longer than UPSTREAM_TIMEOUT_MS is not cut off', async t => {
  // Back-pressure: the proxy's writes to the upstream block while the upstream reads
  // nothing. Neither the proxy's timer nor undici's header timer may count that time.
  const bodyBytes = 16 * 1024 * 1024
  let received = 0
  const { port } = await startTcpUpstream(t, socket => {
    let head = ''
    socket.once('data', () => {
      socket.pause()
      setTimeout(() => socket.resume(), 1500)
    })
    socket.on('data', (chunk: Buffer) => {
      if (!head.includes('\r\n\r\n')) {
        head += chunk.toString('latin1')
        const end = head.indexOf('\r\n\r\n')
        if (end >= 0) received += Buffer.byteLength(head.slice(end + 4), 'latin1')
      } else {
        received += chunk.length
      }
      if (received === bodyBytes) socket.write('HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok')
    })
  })
  const proxy = await startProxy(t, { apiUrl: `http://127.0.0.1:${port}`, upstreamTimeoutMs: 500 })
  const client = await WireClient.connect(proxy.port)
  client.send(`POST /v1/files HTTP/1.1\r\nHost: localhost:${proxy.port}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bodyBytes}\r\n\r\n`)
  client.socket.write(Buffer.alloc(bodyBytes, 0x61))
  const response = await client.read({ timeoutMs: 8000 })
  client.destroy()
  t.same([response?.status, response?.body.toString()], [201, 'ok'], 'the answer came once the upstream had read it all')
  t.equal(received, bodyBytes)
})

t.test('a streamed upload that meets the connect deadline still gets its 504', async t => {
  // Accepts TCP and never completes the TLS handshake.
  const { port } = await startTcpUpstream(t, socket => socket.resume())
  const proxy = await startProxy(t, { apiUrl: `https://127.0.0.1:${port}`, upstreamTimeoutMs: 500 })
  const upload = await trickleUpload(t, proxy.port, { contentType: 'application/octet-stream', chunks: 10, intervalMs: 200 })
  t.same([upload.response?.status, errorOf(upload.response).code], [504, 'proxy/upstream-timeout'], 'an answer, not a closed connection')
  t.ok(upload.chunksBeforeAnswer < 10, `answered while the client was still uploading (${upload.chunksBeforeAnswer} of 10 chunks sent)`)
  t.same(upload.response?.headers.connection, ['close'], 'the unread rest of the body ends the connection')
  t.ok(await upload.closedAfterAnswer(), 'and the proxy closes it, rather than leave it stalled')
  await assertProxyHealthy(t, proxy.url)
})

t.test('an upstream that resets mid-upload: the client still gets its 502', async t => {
  const { port } = await startTcpUpstream(t, socket => {
    socket.once('data', () => setTimeout(() => socket.resetAndDestroy(), 300))
  })
  const proxy = await startProxy(t, { apiUrl: `http://127.0.0.1:${port}` })
  const upload = await trickleUpload(t, proxy.port, { contentType: 'application/octet-stream', chunks: 10, intervalMs: 200 })
  t.same([upload.response?.status, errorOf(upload.response).code], [502, 'proxy/upstream-bad-response'], 'an answer in bkend shape, not a closed connection')
  t.same(upload.response?.headers.connection, ['close'], 'the unread rest of the body ends the connection')
  t.ok(await upload.closedAfterAnswer(), 'and the proxy closes it, rather than leave it stalled')
  await assertProxyHealthy(t, proxy.url)
})

t.test('an upstream that answers before it has read the body: its answer reaches the client', async t => {
  const { port } = await startTcpUpstream(t, socket => {
    socket.once('data', () => socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{"success":false'))
  })
  const proxy = await startProxy(t, { apiUrl: `http://127.0.0.1:${port}` })
  const upload = await trickleUpload(t, proxy.port, { contentType: 'application/octet-stream', chunks: 10, intervalMs: 200 })
  t.same([upload.response?.status, upload.response?.body.toString()], [401, '{"success":false'], 'the upstream answer, whole')
  await assertProxyHealthy(t, proxy.url)
})
