// Refresh tokens rotate, and bkend ends every session of the user when a used one comes
// back: a POST under /v1/auth/ is never sent twice by the proxy, and replaying
// POST /v1/auth/refresh from the inspector needs {"confirm": true}, with the reason why.
import t from 'tap'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { startProxy, type TestProxy } from './helpers/proxy.js'
import { documentedKey } from './helpers/bkend-credentials.js'

const PK = documentedKey('pk', 'a001')
const REFRESH_BODY = '{"refreshToken":"rt_0123456789abcdefghijklmnop"}'

function refresh (proxy: TestProxy, path = '/v1/auth/refresh'): Promise<Response> {
  return fetch(new URL(path, proxy.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: REFRESH_BODY })
}

function replay (proxy: TestProxy, id: number, body = '{}'): Promise<Response> {
  return fetch(new URL(`/__proxy/api/exchanges/${id}/replay`, proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body })
}

t.test('POST /v1/auth/refresh on a pooled connection the upstream drops is sent exactly once', async t => {
  // The warm-up GET leaves a pooled connection; the upstream closes it without a byte when
  // the refresh arrives, the one case in which the proxy sends a request again (a GET's).
  const served = new WeakMap<object, number>()
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    const count = (served.get(socket) ?? 0) + 1
    served.set(socket, count)
    if (count === 2) socket.destroy()
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url, apiKey: PK })
  t.equal(await (await fetch(new URL('/v1/data/posts?limit=1', proxy.url))).text(), 'ok')
  const res = await refresh(proxy)
  t.equal(res.status, 502, 'the client hears of the failure and decides itself')
  await res.text()
  // The answer is out: a resend would have happened before it.
  t.same(upstream.hits.map(hit => `${hit.method} ${hit.url}`), ['GET /v1/data/posts?limit=1', 'POST /v1/auth/refresh'], 'one upstream request for the refresh')
})

t.test('replaying POST /v1/auth/refresh answers 409 and says why, unless confirmed', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: PK })
  t.equal((await refresh(proxy)).status, 200)
  for (const body of ['{}', '', '{"confirm": "yes"}', 'not json']) {
    const res = await replay(proxy, 1, body)
    const answer = await res.json() as { error: { code: string, message: string } }
    t.same([res.status, answer.error.code], [409, 'proxy/replay-needs-confirmation'], `body ${JSON.stringify(body)}`)
    t.equal(answer.error.message, 'replaying #1 (POST /v1/auth/refresh) sends its refresh token again: bkend rotates refresh tokens, and when a used one comes back it ends every session of that user (every device must sign in again). To replay it anyway, send {"confirm": true}')
  }
  t.equal(api.received.length, 1, 'nothing was sent again')
  const confirmed = await replay(proxy, 1, '{"confirm": true}')
  t.equal(confirmed.status, 201)
  await confirmed.text()
  t.same(api.received.map(request => [request.method, request.url, request.body]), [['POST', '/v1/auth/refresh', REFRESH_BODY], ['POST', '/v1/auth/refresh', REFRESH_BODY]], 'confirmed: sent once more')
})

t.test('other requests replay without confirmation, refresh under another path or method too', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: PK })
  await (await refresh(proxy, '/v1/auth/email/signin')).text()
  await (await fetch(new URL('/v1/auth/refresh', proxy.url))).text()
  t.same([(await replay(proxy, 1)).status, (await replay(proxy, 2)).status], [201, 201])
})
