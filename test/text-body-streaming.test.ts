// Every content type streams through the proxy the way JSON does: text/plain (what
// fetch() sends for a string body) included. It counts against MAX_BODY_BYTES, reaches
// the upstream while the client is still sending, never sits whole in the proxy's memory,
// and shows in the --log-bodies preview.
import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { waitFor } from './helpers/wait.js'
import { startCli } from './helpers/cli.js'
import { readFileSync } from 'node:fs'

interface Answer { status: number, body: string }

/** A chunked POST whose body the test writes (and ends) through `write`. */
function chunkedPost (port: number, contentType: string): { request: http.ClientRequest, answer: Promise<Answer> } {
  const request = http.request({ port, host: '127.0.0.1', path: '/v1/upload', method: 'POST', headers: { host: `localhost:${port}`, 'content-type': contentType } })
  const answer = new Promise<Answer>((resolve, reject) => {
    request.on('response', res => {
      let body = ''
      res.on('data', chunk => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    request.on('error', reject)
  })
  return { request, answer }
}

/** An upstream that counts the body bytes it receives and keeps none of them. */
async function countingUpstream (t: { teardown: (fn: () => unknown) => void }): Promise<{ url: string, bytes: () => number, requests: () => number }> {
  let bytes = 0
  let requests = 0
  const server = http.createServer((req, res) => {
    requests++
    req.on('data', (chunk: Buffer) => { bytes += chunk.length })
    req.on('end', () => res.end('{"success":true}'))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => { server.closeAllConnections(); server.close(resolve) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bytes: () => bytes, requests: () => requests }
}

async function writeAll (request: http.ClientRequest, chunk: Buffer, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    if (!request.write(chunk)) await new Promise(resolve => request.once('drain', resolve))
  }
}

t.test('a chunked text/plain body over MAX_BODY_BYTES gets 413 proxy/payload-too-large and the upstream never sees it complete', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, maxBodyBytes: 1000 })
  for (const contentType of ['text/plain;charset=UTF-8', 'text/csv']) {
    const { request, answer } = chunkedPost(proxy.port, contentType)
    for (let i = 0; i < 20; i++) request.write('x'.repeat(1000))
    request.end()
    const res = await answer
    t.equal(res.status, 413, contentType)
    t.match(res.body, '"code":"proxy/payload-too-large"')
  }
  t.same(api.received.filter(received => received.body.length > 1000), [], 'no upstream request got more than the limit')
})

t.test('a text/plain body reaches the upstream while the client is still sending it', async t => {
  const upstream = await countingUpstream(t)
  const proxy = await startProxy(t, { apiUrl: upstream.url })
  const { request, answer } = chunkedPost(proxy.port, 'text/plain')
  await writeAll(request, Buffer.alloc(64 * 1024, 'a'), 4)
  t.ok(await waitFor(() => upstream.bytes() > 0, 5000), 'the upstream has bytes before the body ends')
  request.end('the end')
  t.equal((await answer).status, 200)
  t.equal(upstream.bytes(), 4 * 64 * 1024 + 7)
})

// Streaming, the proxy's peak RSS still rises by some 50-60 MiB, whatever the size: socket
// buffers wait for the garbage collector. Buffered, it rises by three times the body. So
// the body is several times that, and the bound between the two.
t.test('a 200 MiB text/plain upload streams: the proxy\'s peak memory does not grow with it', async t => {
  const upstream = await countingUpstream(t)
  const cli = await startCli(t, [], { env: { BKEND_API_URL: upstream.url, LOG_LEVEL: 'warn' } })
  const port = Number(new URL(cli.url).port)
  const warmUp = chunkedPost(port, 'text/plain')
  warmUp.request.end('warm up')
  t.equal((await warmUp.answer).status, 200)
  const before = peakRssMiB(cli.child.pid!)
  const totalBytes = 200 * 1024 * 1024
  const { request, answer } = chunkedPost(port, 'text/plain')
  await writeAll(request, Buffer.alloc(256 * 1024, 'b'), totalBytes / (256 * 1024))
  request.end()
  t.equal((await answer).status, 200)
  t.equal(upstream.bytes(), totalBytes + 7, 'every byte arrived')
  const growthMiB = peakRssMiB(cli.child.pid!) - before
  t.ok(growthMiB < 150, `the proxy's peak RSS grew by ${growthMiB.toFixed(1)} MiB while 200 MiB went through (bound 150)`)
  await cli.stop()
})

/** The peak resident set of a process so far (Linux: VmHWM). */
function peakRssMiB (pid: number): number {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(kib![1]) / 1024
}

t.test('a text/plain request body shows in the LOG_BODIES preview, like JSON', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, logBodies: true })
  const res = await fetch(new URL('/v1/notes', proxy.url), { method: 'POST', body: 'a plain-text note, sent as a string' })
  t.equal(res.status, 200)
  t.equal(api.received[0]?.headers['content-type'], 'text/plain;charset=UTF-8')
  t.equal(api.received[0]?.body, 'a plain-text note, sent as a string')
  t.match(await proxy.logs(), /\} \[35 bytes\]\n\} a plain-text note, sent as a string\n/, 'the request preview has the body')
})
