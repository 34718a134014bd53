// Faults: failures the proxy makes on purpose, per matching request: each kind at rate 1,
// a seeded rate that repeats, bkend's rate limit and token expiry against clients that
// follow bkend's documented advice, and the live switch on the inspector's port.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy, type TestProxy } from './helpers/proxy.js'
import { userJwt } from './helpers/bkend-credentials.js'
import { faultList } from '../src/config/fault-setting.js'

const get = (proxy: TestProxy, path = '/v1/data/posts', init?: RequestInit) => fetch(new URL(path, proxy.url), init)

t.test('an error fault at rate 1: a bkend code with its documented status, or a bare status', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, faults: faultList([{ match: { path: '/v1/data/posts' }, error: 'data/table-not-found' }, { match: { path: '/v1/data/users' }, error: 503 }]) })
  const coded = await get(proxy)
  t.same([coded.status, await coded.json()], [404, { success: false, error: { code: 'data/table-not-found', message: 'the table does not exist in this project and environment' } }])
  const bare = await get(proxy, '/v1/data/users')
  t.same([bare.status, await bare.json()], [503, { success: false, error: { code: 503, message: 'Service Unavailable' } }])
  const other = await get(proxy, '/v1/data/comments')
  t.equal(other.status, 200, 'a request no fault matches goes upstream')
  await other.text()
  t.same(api.received.map(request => request.url), ['/v1/data/comments'])
  t.match(await proxy.logs(), /\* #1 GET \/v1\/data\/posts answered by a fault \(not forwarded\)\n\* #1 note: a fault answered 404 \("error": "data\/table-not-found"\)\n/)
})

t.test('"reset" closes the connection without an answer', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'compact', faults: faultList([{ error: 'reset' }]) })
  const error = await get(proxy).then(() => undefined, (failure: Error) => failure)
  t.match(error?.cause, { code: /^(ECONNRESET|UND_ERR_SOCKET)$/ })
  t.equal(api.received.length, 0)
  t.match(await proxy.logs(), /#1 GET \/v1\/data\/posts 499 .* answered by a fault .*note: a fault closed the connection without an answer/)
})

t.test('"timeout" holds the request for UPSTREAM_TIMEOUT_MS, then answers the proxy\'s usual 504', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, upstreamTimeoutMs: 300, faults: faultList([{ error: 'timeout' }]) })
  const started = Date.now()
  const res = await get(proxy)
  t.ok(Date.now() - started >= 300, 'no answer before the timeout')
  t.same([res.status, (await res.json()).error.code], [504, 'proxy/upstream-timeout'])
  t.equal(api.received.length, 0)
})

t.test('"timeout" ends with the client that gives up first: no 504 goes out, nothing goes upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'compact', faults: faultList([{ error: 'timeout' }]) })
  await t.rejects(get(proxy, '/v1/data/posts', { signal: AbortSignal.timeout(200) }), { name: 'TimeoutError' })
  let logs = ''
  while (!/#1 GET/.test(logs)) logs = await proxy.logs()
  t.match(logs, /#1 GET \/v1\/data\/posts 499 \S+ ms 0 B answered by a fault client left {2}note: a fault held the request without an answer/)
  t.notMatch(logs, /upstream-timeout/)
  t.equal(api.received.length, 0)
})

t.test('"cut" ends a stream after its first chunk, and a body with a length midway', async t => {
  const api = await startFakeApi(t, {
    handler: (req, res) => {
      if (req.url === '/v1/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        res.write('data: 1\n\n')
        const timer = setInterval(() => res.write('data: more\n\n'), 30)
        res.on('close', () => clearInterval(timer))
        return
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' }).end(`"${'x'.repeat(998)}"`)
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url, faults: faultList([{ error: 'cut' }]) })
  const stream = await get(proxy, '/v1/events')
  t.equal(stream.status, 200)
  const reader = stream.body!.getReader()
  t.equal(new TextDecoder().decode((await reader.read()).value), 'data: 1\n\n')
  await t.rejects(async () => { while (!(await reader.read()).done); }, 'the stream breaks off instead of ending')
  // The client's connection is aborted: it does not wait for the rest of the declared length.
  const body = await get(proxy, '/v1/data/posts', { signal: AbortSignal.timeout(10000) })
  t.equal(body.headers.get('content-length'), '1000')
  await t.rejects(body.text(), { name: 'TypeError', message: 'terminated' }, 'a body shorter than its length is an error to the client')
  t.match(await proxy.logs(), /note: a fault cuts the response midway \("error": "cut"\)/)
})

t.test('latencyMs delays the request, then it goes upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, faults: faultList([{ latencyMs: [250, 250] }]) })
  const started = Date.now()
  const res = await get(proxy)
  t.equal(res.status, 200)
  await res.text()
  t.ok(Date.now() - started >= 250, `answered after ${Date.now() - started} ms`)
  t.match(await proxy.logs(), /note: a fault delayed this request by 250 ms \(latencyMs\)/)
})

/** The statuses of `count` requests in a row. */
async function statuses (proxy: TestProxy, count: number): Promise<number[]> {
  const seen: number[] = []
  for (let i = 0; i < count; i++) {
    const res = await get(proxy)
    await res.arrayBuffer()
    seen.push(res.status)
  }
  return seen
}

t.test('a seeded rate of 0.3 fails 30 % of 1000 requests (±5 %), and the same seed fails the same ones', async t => {
  const api = await startFakeApi(t)
  const faults = faultList([{ rate: 0.3, error: 503 }])
  const first = await startProxy(t, { apiUrl: api.url, logLevel: 'silent', inspector: false, faultSeed: 'repeat me', faults })
  const run = await statuses(first, 1000)
  const failed = run.filter(status => status === 503).length
  t.ok(failed >= 250 && failed <= 350, `${failed} of 1000 failed`)
  t.same(new Set(run), new Set([200, 503]))
  const again = await startProxy(t, { apiUrl: api.url, logLevel: 'silent', inspector: false, faultSeed: 'repeat me', faults })
  t.same(await statuses(again, 200), run.slice(0, 200), 'the same seed, the same sequence')
  const other = await startProxy(t, { apiUrl: api.url, logLevel: 'silent', inspector: false, faultSeed: 'another', faults })
  t.not((await statuses(other, 200)).join(), run.slice(0, 200).join(), 'another seed, another sequence')
})

t.test('rateLimit: X-RateLimit-* on every answer, then 429 with Retry-After; a client that waits Retry-After gets through', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, faults: faultList([{ match: { path: '/v1/data/**' }, rateLimit: { limit: 3, windowS: 1 } }]) })
  const seen = []
  for (let i = 0; i < 4; i++) {
    const res = await get(proxy, '/v1/data/posts', { headers: { origin: 'http://localhost:5173' } })
    const body = await res.json()
    seen.push([res.status, res.headers.get('x-ratelimit-limit'), res.headers.get('x-ratelimit-remaining'), res.headers.get('retry-after'), body.error?.code])
    if (i === 3) t.match(res.headers.get('access-control-expose-headers'), /x-ratelimit-limit.*x-ratelimit-remaining.*retry-after|retry-after/, 'a page can read them')
  }
  t.same(seen, [
    [200, '3', '2', null, undefined],
    [200, '3', '1', null, undefined],
    [200, '3', '0', null, undefined],
    [429, '3', '0', '1', 'data/rate-limit-exceeded']
  ])
  t.equal(api.received.length, 3, 'the refused request did not go upstream')

  // bkend's troubleshooting page: wait Retry-After seconds if present, else (attempt + 1) * 2 s; at most 3 tries.
  const retrying = async (): Promise<{ status: number, tries: number }> => {
    for (let attempt = 0; ; attempt++) {
      const res = await get(proxy)
      await res.text()
      if (res.status !== 429 || attempt === 2) return { status: res.status, tries: attempt + 1 }
      await new Promise(resolve => setTimeout(resolve, Number(res.headers.get('retry-after') ?? (attempt + 1) * 2) * 1000))
    }
  }
  t.same(await retrying(), { status: 200, tries: 2 })
  const upstream = await get(proxy, '/v1/auth/me')
  await upstream.text()
  t.equal(upstream.headers.get('x-ratelimit-limit'), null, 'a path the fault does not match carries no limit')
})

t.test('tokenLifetimeS: an older user token gets 401 auth/access-token-expired; a client that refreshes and retries once gets through', async t => {
  const nowS = () => Math.floor(Date.now() / 1000)
  const api = await startFakeApi(t, {
    handler: (req, res) => {
      res.setHeader('content-type', 'application/json')
      if (req.url === '/v1/auth/refresh') res.end(JSON.stringify({ accessToken: userJwt({ sub: 'u1', iat: nowS() }), refreshToken: 'r2', tokenType: 'Bearer', expiresIn: 3600 }))
      else res.end(JSON.stringify({ items: [] }))
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url, faults: faultList([{ tokenLifetimeS: 60 }]) })
  const call = (token: string) => get(proxy, '/v1/data/posts', { headers: { authorization: `Bearer ${token}` } })

  const stale = await call(userJwt({ sub: 'u1', iat: nowS() - 120 }))
  t.same([stale.status, await stale.json()], [401, { success: false, error: { code: 'auth/access-token-expired', message: 'the user\'s access token expired (they live 1 hour)' } }])
  const fresh = await call(userJwt({ sub: 'u1', iat: nowS() - 5 }))
  t.equal(fresh.status, 200, 'a token younger than tokenLifetimeS passes')
  await fresh.text()

  // bkend's advice: on 401 auth/access-token-expired, refresh and retry once.
  let token = userJwt({ sub: 'u1', iat: nowS() - 3600 })
  let res = await call(token)
  if (res.status === 401 && (await res.json()).error.code === 'auth/access-token-expired') {
    const refreshed = await get(proxy, '/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"refreshToken": "r1"}' })
    token = (await refreshed.json()).accessToken
    res = await call(token)
  }
  t.same([res.status, await res.json()], [200, { items: [] }])
  t.same(api.received.map(request => request.url), ['/v1/data/posts', '/v1/auth/refresh', '/v1/data/posts'])
})

t.test('POST /__proxy/api/faults switches faults live; GET shows them; another origin is refused', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  const control = (body: unknown, headers: Record<string, string> = {}) => fetch(new URL('/__proxy/api/faults', proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const status = async () => { const res = await get(proxy); await res.text(); return res.status }

  t.equal(await status(), 200)
  const set = await control({ faults: [{ match: { path: '/v1/data/*' }, error: 503 }] })
  t.same(await set.json(), { enabled: true, source: 'api', faults: [{ match: { path: '/v1/data/*' }, rate: 1, error: 503 }], seed: null })
  t.equal(await status(), 503)

  const refused = await control({ enabled: false }, { origin: 'http://localhost:5173' })
  t.same([refused.status, (await refused.json()).error.code], [403, 'proxy/origin-not-allowed'])
  t.equal(await status(), 503, 'the refused switch changed nothing')

  const off = await control({ enabled: false })
  t.equal((await off.json()).enabled, false)
  t.equal(await status(), 200)
  const shown = await fetch(new URL('/__proxy/api/faults', proxy.inspectorUrl))
  t.same(await shown.json(), { enabled: false, source: 'api', faults: [{ match: { path: '/v1/data/*' }, rate: 1, error: 503 }], seed: null })

  const bad = await control({ faults: [{ error: 'sometimes' }] })
  t.same([bad.status, (await bad.json()).error.message], [400, '"faults" has entry 0 (counted from 0) with error "sometimes", which must be a bkend error code (e.g. data/not-found), a status from 400 to 599, or reset, timeout, cut; fix: in faults entry 0, write e.g. "error": "timeout"'])
  const form = await fetch(new URL('/__proxy/api/faults', proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'enabled=true' })
  t.equal(form.status, 415)
  await form.text()
  t.equal(await status(), 200)
})

t.test('prod read-only comes before faults', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: `pk_${'0123456789abcdef'.repeat(4)}`, environment: 'prod', faults: faultList([{ error: 500 }]) })
  const res = await get(proxy, '/v1/data/posts', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
  t.same([res.status, (await res.json()).error.code], [403, 'proxy/prod-read-only'])
})
