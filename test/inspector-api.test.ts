// The inspector's headless API end to end: a fake upstream, the real proxy on a port, the
// inspector on its own, and the API read over HTTP as a script would (list, filters,
// detail, SSE, replay, HAR).
import t from 'tap'
import { gzipSync } from 'node:zlib'
import { startFakeApi, type FakeHandler } from './helpers/fake-upstream.js'
import { startProxy, testConfig, type TestProxy } from './helpers/proxy.js'
import { harProblems, openSse } from './helpers/inspector.js'

const KEY = 'sk_test_INSPECT0123456789abcdefghijklmn'

const bkendLike: FakeHandler = (req, res, body) => {
  const path = new URL(req.url!, 'http://upstream').pathname
  if (path === '/v1/auth/me') {
    res.writeHead(401, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ success: false, error: { code: 'auth/unauthorized', message: 'the access token is missing or expired' } }))
  } else if (path === '/v1/missing') {
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ success: false, error: { code: 'common/not-found', message: 'no such route' } }))
  } else if (path === '/v1/gzip') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    res.end(gzipSync(JSON.stringify({ success: true, data: { zipped: 'yes' } })))
  } else if (path === '/v1/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: {"n":1}\n\n')
    setTimeout(() => res.end('data: {"n":2}\n\n'), 300)
  } else if (path === '/v1/events-short') {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: {"n":1}\n\n')
  } else {
    res.writeHead(200, { 'content-type': 'application/json', 'x-seen-key': String(req.headers.authorization ?? '').slice(-4) })
    res.end(JSON.stringify({ success: true, data: { method: req.method, path, body } }))
  }
}

/** A call to the inspector's API, on its own port. */
async function json<T = any> (proxy: TestProxy, path: string, init: RequestInit = {}): Promise<{ status: number, body: T, headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads loose JSON
  const res = await fetch(new URL(path, proxy.inspectorUrl), init)
  const text = await res.text()
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T, headers: res.headers }
}

async function send (proxy: TestProxy, path: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(new URL(path, proxy.url), init)
  await res.arrayBuffer()
  return res.status
}

const REPLAY = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }

t.test('lists exchanges newest first, with status, error code, hint marker and who answered', async t => {
  const api = await startFakeApi(t, { handler: bkendLike })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  await send(proxy, '/v1/data/posts')
  await send(proxy, '/v1/auth/me')
  await send(proxy, '/nowhere')
  const { status, body } = await json(proxy, '/__proxy/api/exchanges')
  t.equal(status, 200)
  t.same(body.exchanges.map((e: any) => [e.id, e.method, e.url, e.status, e.answeredBy, e.errorCode, e.hint, e.failed]), [
    [3, 'GET', '/nowhere', 404, 'proxy', 'proxy/missing-v1-prefix', true, true],
    [2, 'GET', '/v1/auth/me', 401, 'upstream', 'auth/unauthorized', true, true],
    [1, 'GET', '/v1/data/posts', 200, 'upstream', undefined, false, false]
  ])
  t.same([body.kept, body.capacity], [3, 500])
  t.ok(body.exchanges.every((e: any) => e.durationMs >= e.headersMs && e.headersMs >= 0 && !Number.isNaN(Date.parse(e.startedAt))), 'timings and start time')
})

t.test('filters by status class, exact status, method, text, failures and streams; limit', async t => {
  const api = await startFakeApi(t, { handler: bkendLike })
  const proxy = await startProxy(t, { apiUrl: api.url })
  await send(proxy, '/v1/data/posts')
  await send(proxy, '/v1/data/posts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  await send(proxy, '/v1/auth/me')
  await send(proxy, '/v1/missing')
  await send(proxy, '/v1/events')
  const ids = async (query: string): Promise<number[]> => (await json(proxy, `/__proxy/api/exchanges${query}`)).body.exchanges.map((e: any) => e.id)
  t.same(await ids('?status=4xx'), [4, 3])
  t.same(await ids('?status=404'), [4])
  t.same(await ids('?status=2xx&method=post'), [2])
  t.same(await ids('?q=AUTH'), [3], 'text in the path, any case')
  t.same(await ids('?q=common/not-found'), [4], 'or in the error code')
  t.same(await ids('?failed=true'), [4, 3])
  t.same(await ids('?stream=true'), [5])
  t.same(await ids('?limit=2'), [5, 4])
  const bad = await json(proxy, '/__proxy/api/exchanges?status=4x')
  t.same([bad.status, bad.body.error.code], [400, 'proxy/bad-request'])
  t.match(bad.body.error.message, /status=4xx/)
  t.equal((await json(proxy, '/__proxy/api/exchanges?limit=0')).status, 400)
})

t.test('detail: curl -v block with [injected] marks, bodies redacted and decoded, timings, hint, notes, copy-as-curl', async t => {
  const api = await startFakeApi(t, { handler: bkendLike })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1' })
  await send(proxy, '/v1/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer user-token-0123456789abcdefghij' }, body: '{"email":"a@b.c","password":"hunter2-is-long"}' })
  await send(proxy, '/v1/auth/me')
  await send(proxy, '/v1/gzip')
  const signIn = (await json(proxy, '/__proxy/api/exchanges/1')).body
  t.match(signIn.curlVerbose, /^\* #1 POST \/v1\/auth\/sign-in → http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/sign-in\n> POST \/v1\/auth\/sign-in HTTP\/1\.1\n/)
  t.match(signIn.curlVerbose, '> x-project-id: p1   [injected]')
  t.match(signIn.curlVerbose, '> authorization: Bearer user-t••••ghij (31 chars)\n', 'the client\'s token, redacted, not injected (ifAbsent)')
  t.same(signIn.request.headers.find((h: any) => h.name === 'x-project-id'), { name: 'x-project-id', value: 'p1', injected: true })
  t.same(signIn.request.body, { contentType: 'application/json', totalBytes: 46, keptBytes: 46, truncated: false, kind: 'text', text: '{"email":"a@b.c","password":"•••• (15 chars)"}' }, 'the password is redacted')
  t.notMatch(JSON.stringify(signIn), 'hunter2-is-long', 'the password appears nowhere, the curl command included')
  t.match(signIn.curl, /^curl -v 'http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/sign-in' .*-H "Authorization: Bearer \$BKEND_USER_TOKEN"/)
  t.ok(signIn.response.body.text.includes('"path":"/v1/auth/sign-in"'), 'response body text')
  t.ok(signIn.headersMs > 0 && signIn.durationMs >= signIn.headersMs, 'time to headers and total')
  t.same([signIn.completed, signIn.replays], [true, []])

  const me = (await json(proxy, '/__proxy/api/exchanges/2')).body
  t.equal(me.errorCode, 'auth/unauthorized')
  t.match(me.hints[0], /bkend refused the credentials/)
  t.equal(me.response.body.text, '{"success":false,"error":{"code":"auth/unauthorized","message":"the access token is missing or expired"}}')

  const zipped = (await json(proxy, '/__proxy/api/exchanges/3')).body
  t.same([zipped.response.body.kind, zipped.response.body.decodedFrom, zipped.response.body.text], ['text', 'gzip', '{"success":true,"data":{"zipped":"yes"}}'])

  const missing = await json(proxy, '/__proxy/api/exchanges/99')
  t.same([missing.status, missing.body.error.code], [404, 'proxy/exchange-not-found'])
})

t.test('SSE: each new exchange arrives as an event; a stream shows when its headers arrive and again when it ends', async t => {
  const api = await startFakeApi(t, { handler: bkendLike })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const all = await openSse(t, `${proxy.inspectorUrl}/__proxy/api/events`)
  const failures = await openSse(t, `${proxy.inspectorUrl}/__proxy/api/events?status=4xx`)
  await send(proxy, '/v1/data/posts')
  const first = JSON.parse((await all.next(e => e.event === 'exchange')).data)
  t.same([first.status, first.state, first.url], [200, 'done', '/v1/data/posts'])
  const streamResponse = await fetch(new URL('/v1/events', proxy.url))
  const reader = streamResponse.body!.getReader()
  await reader.read() // the first event is through: the stream is open
  const open = JSON.parse((await all.next(e => e.event === 'exchange' && JSON.parse(e.data).url === '/v1/events')).data)
  t.same([open.id, open.state, open.stream, open.status], [first.id + 1, 'open', true, 200], 'listed while still streaming')
  while (!(await reader.read()).done) { /* read to the end */ }
  const done = JSON.parse((await all.next(e => e.event === 'exchange' && JSON.parse(e.data).id === open.id && JSON.parse(e.data).state === 'done')).data)
  t.same([done.state, done.bytes], ['done', 30])
  await send(proxy, '/v1/missing')
  const failed = JSON.parse((await failures.next(e => e.event === 'exchange')).data)
  t.same([failed.id, failed.status], [open.id + 1, 404])
  t.same(failures.events.length, 1, 'the filtered stream saw only the 404')
  await json(proxy, '/__proxy/api/exchanges', { method: 'DELETE', headers: { 'content-type': 'application/json' } })
  await all.next(e => e.event === 'clear')
  t.same((await json(proxy, '/__proxy/api/exchanges')).body.exchanges, [], 'cleared')
})

t.test('a stream over before it could be listed as open stays listed as done', async t => {
  // The open entry is put a turn after the headers (off the first event's path); a stream
  // that ended within that turn must not be listed as open again afterwards.
  const api = await startFakeApi(t, { handler: bkendLike })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const all = await openSse(t, `${proxy.inspectorUrl}/__proxy/api/events`)
  for (let i = 0; i < 20; i++) await send(proxy, '/v1/events-short')
  await all.next(e => e.event === 'exchange' && JSON.parse(e.data).id === 20 && JSON.parse(e.data).state === 'done')
  await new Promise(resolve => setTimeout(resolve, 100))
  const { body } = await json(proxy, '/__proxy/api/exchanges')
  t.same(body.exchanges.map((e: any) => e.state), new Array(20).fill('done'), 'every one done in the list')
  const last = new Map<number, string>()
  for (const e of all.events.filter(e => e.event === 'exchange')) last.set(JSON.parse(e.data).id, JSON.parse(e.data).state)
  t.same([...last.values()], new Array(20).fill('done'), 'the last event of each says done')
})

t.test('replay resends through the proxy and links the new exchange to the original', async t => {
  const api = await startFakeApi(t, { handler: bkendLike })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  await send(proxy, '/v1/data/posts?limit=1', { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' }, body: '{"title":"again"}' })
  const replay = await json(proxy, '/__proxy/api/exchanges/1/replay', REPLAY)
  t.equal(replay.status, 201)
  t.same(replay.body, { id: replay.body.id, status: 200, replayOf: 1, configuration: 'running', changed: [] })
  t.ok(replay.body.id > 1)
  t.equal(api.received.length, 2)
  t.same([api.received[1]!.method, api.received[1]!.url, api.received[1]!.body, api.received[1]!.headers.authorization], ['POST', '/v1/data/posts?limit=1', '{"title":"again"}', `Bearer ${KEY}`], 'the same request went upstream')
  const list = (await json(proxy, '/__proxy/api/exchanges')).body.exchanges
  t.same(list[0].replayOf, 1, 'listed with replayOf')
  t.same((await json(proxy, '/__proxy/api/exchanges/1')).body.replays, [replay.body.id], 'the original names its replays')
})

t.test('replay uses the configuration as its sources say now: a fixed key takes effect', async t => {
  const api = await startFakeApi(t, { handler: bkendLike })
  let current = testConfig({ port: 0, apiKey: 'sk_test_WRONGKEY0123456789abcdefghijk' })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: 'sk_test_WRONGKEY0123456789abcdefghijk' }, { app: { rereadConfig: () => current } })
  current = testConfig({ port: 0, apiUrl: api.url, apiKey: 'sk_test_WRONGKEY0123456789abcdefghijk' })
  await send(proxy, '/v1/data/posts')
  t.equal(api.received[0]!.headers.authorization, 'Bearer sk_test_WRONGKEY0123456789abcdefghijk')
  current = testConfig({ port: 0, apiUrl: api.url, apiKey: 'sk_test_FIXEDKEY0123456789abcdefghijk' }) // the user fixed .env
  const replay = await json(proxy, '/__proxy/api/exchanges/1/replay', REPLAY)
  t.same(replay.body, { id: replay.body.id, status: 200, replayOf: 1, configuration: 're-read', changed: ['apiKey'] })
  t.equal(api.received[1]!.headers.authorization, 'Bearer sk_test_FIXEDKEY0123456789abcdefghijk', 'the replay carried the new key')
  const detail = (await json(proxy, `/__proxy/api/exchanges/${replay.body.id}`)).body
  t.same([detail.replayOf, detail.status], [1, 200])
  t.notMatch(JSON.stringify(detail), 'FIXEDKEY0123456789', 'the new key is redacted too')
  await send(proxy, '/v1/data/posts')
  t.equal(api.received[2]!.headers.authorization, 'Bearer sk_test_WRONGKEY0123456789abcdefghijk', 'the running proxy keeps its start-up configuration')
  const ids = (await json(proxy, '/__proxy/api/exchanges')).body.exchanges.map((e: any) => e.id)
  t.same(ids, [ids[0], replay.body.id, 1], 'one id sequence across both apps')
  t.ok(ids[0] > replay.body.id)

  current = undefined as never
  const broken = await startProxy(t, { apiUrl: api.url }, { app: { rereadConfig: () => { throw new Error('config: environment "production" must be dev, staging or prod') } } })
  await send(broken, '/v1/data/posts')
  const refused = await json(broken, '/__proxy/api/exchanges/1/replay', REPLAY)
  t.same([refused.status, refused.body.error.code], [409, 'proxy/config-invalid'])
  t.match(refused.body.error.message, /production/)
})

t.test('replay needs POST with JSON, a kept body and a known id', async t => {
  const api = await startFakeApi(t, { handler: bkendLike })
  const proxy = await startProxy(t, { apiUrl: api.url, inspectorMaxBodyBytes: 8 })
  await send(proxy, '/v1/data/posts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"longer than eight bytes"}' })
  const form = await json(proxy, '/__proxy/api/exchanges/1/replay', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' })
  t.same([form.status, form.body.error.code], [415, 'proxy/unsupported-media-type'])
  const get = await json(proxy, '/__proxy/api/exchanges/1/replay')
  t.equal(get.status, 404, 'GET cannot replay')
  const cut = await json(proxy, '/__proxy/api/exchanges/1/replay', REPLAY)
  t.same([cut.status, cut.body.error.code], [409, 'proxy/replay-unavailable'])
  t.match(cut.body.error.message, /INSPECTOR_MAX_BODY_BYTES/)
  const unknown = await json(proxy, '/__proxy/api/exchanges/77/replay', REPLAY)
  t.same([unknown.status, unknown.body.error.code], [404, 'proxy/exchange-not-found'])
  t.equal(api.received.length, 1, 'nothing was sent again')
})

t.test('HAR export: HAR 1.2 structure, the same filters as the list, redacted', async t => {
  const api = await startFakeApi(t, { handler: bkendLike })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  await send(proxy, '/v1/data/posts?limit=2&api_key=sk_query_0123456789abcdefghijk', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"tok_0123456789abcdefghijklmnop"}' })
  await send(proxy, '/v1/auth/me')
  const res = await fetch(new URL('/__proxy/api/har', proxy.inspectorUrl))
  t.match(res.headers.get('content-disposition'), /^attachment; filename="bkend-dev-proxy-.*\.har"$/)
  const text = await res.text()
  const har = JSON.parse(text)
  t.same(harProblems(har), [], 'valid HAR 1.2')
  t.same([har.log.version, har.log.creator.name, har.log.entries.length], ['1.2', 'bkend-dev-proxy', 2])
  const [post, me] = har.log.entries
  t.same([post.request.method, post.response.status, me.response.status, me._bkend.errorCode === undefined, me._bkend.errorCode], ['POST', 200, 401, false, 'auth/unauthorized'], 'in time order')
  t.match(post.request.url, /^http:\/\/127\.0\.0\.1:\d+\/v1\/data\/posts\?limit=2&api_key=/)
  t.same(post.request.queryString[0], { name: 'limit', value: '2' })
  t.same(post.request.postData.mimeType, 'application/json')
  t.match(post.request.postData.text, /"token":"tok_01••••mnop \(30 chars\)"/)
  t.ok(post.timings.wait >= 0 && post.timings.receive >= 0 && Math.abs(post.time - post.timings.wait - post.timings.receive) < 0.01)
  for (const secret of [KEY, 'sk_query_0123456789abcdefghijk', 'tok_0123456789abcdefghijklmnop']) t.notMatch(text, secret)
  const filtered = await (await fetch(new URL('/__proxy/api/har?status=4xx', proxy.inspectorUrl))).json() as any
  t.same(filtered.log.entries.map((e: any) => e._bkend.id), [2], 'filtered view')
})
