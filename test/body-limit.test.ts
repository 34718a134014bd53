import t from 'tap'
import http from 'node:http'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'

function chunkedPost (port: number, chunks: Buffer[]): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', path: '/v1/upload', method: 'POST', headers: { host: `localhost:${port}`, 'content-type': 'application/octet-stream' } }, res => {
      let body = ''
      res.on('data', chunk => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    for (const chunk of chunks) req.write(chunk)
    req.end()
  })
}

t.test('a declared body over MAX_BODY_BYTES gets 413 and never reaches the upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, maxBodyBytes: 1000 })
  const res = await fetch(new URL('/v1/upload', proxy.url), { method: 'POST', body: 'x'.repeat(1001) })
  t.equal(res.status, 413)
  t.same((await res.json() as { error: { code: string } }).error.code, 'proxy/payload-too-large')
  t.equal(api.started, 0)
})

t.test('a chunked body that crosses the limit is cut off with 413, the upstream never sees it complete', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, maxBodyBytes: 100_000 })
  const res = await chunkedPost(proxy.port, Array.from({ length: 20 }, () => Buffer.alloc(10_000, 120)))
  t.equal(res.status, 413)
  t.match(res.body, '"code":"proxy/payload-too-large"')
  t.equal(api.received.filter(r => r.body.length === 200_000).length, 0)
})

t.test('bodies under the limit stream through intact', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, maxBodyBytes: 100_000 })
  const res = await chunkedPost(proxy.port, Array.from({ length: 9 }, () => Buffer.alloc(10_000, 121)))
  t.equal(res.status, 200)
  t.equal(api.received[0]!.body.length, 90_000)
  const declared = await fetch(new URL('/v1/upload', proxy.url), { method: 'POST', body: 'y'.repeat(100_000) })
  t.equal(declared.status, 200)
  t.equal(api.received[1]!.body.length, 100_000)
})

t.test('too many header lines get 431 instead of being cut', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const { rawRequest } = await import('./helpers/raw-client.js')
  const many = Array.from({ length: 2100 }, (_, i) => `X-H${i}: v\r\n`).join('')
  const res = await rawRequest(proxy.port, `GET /v1/x HTTP/1.1\r\nHost: localhost\r\n${many}\r\n`)
  t.equal(res.status, 431)
  t.match(res.text, 'proxy/headers-too-large')
  t.equal(api.started, 0)
  const few = Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('')
  const ok = await rawRequest(proxy.port, `GET /v1/x HTTP/1.1\r\nHost: localhost\r\n${few}\r\n`)
  t.equal(ok.status, 200)
  t.equal(Object.keys(api.received[0]!.headers).filter(name => name.startsWith('x-h')).length, 150)
})
