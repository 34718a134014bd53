// LOG_FORMAT=json: flat fields on every exchange line, for log shippers that filter
// without reading nested arrays; the full record stays beside them.
import t from 'tap'
import { bkendReply, startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'

const FLAT = ['id', 'method', 'path', 'status', 'durationMs', 'bytes', 'origin', 'answeredBy', 'errorCode'] as const
type Line = Record<string, unknown> & { exchange?: Record<string, unknown> }

function typesOf (line: Line): Record<string, string> {
  return Object.fromEntries(FLAT.map(name => [name, line[name] === null ? 'null' : typeof line[name]]))
}

t.test('every exchange line has the flat fields, typed, beside the full record', async t => {
  const api = await startFakeApi(t, {
    handler: (req, res, body) => req.url === '/v1/auth/email/signin'
      ? bkendReply(401, { success: false, error: { code: 'auth/invalid-token-format', message: 'Invalid token format' } })(req, res, body)
      : bkendReply(200, { success: true, data: [{ id: 1 }] })(req, res, body)
  })
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'json', apiKey: 'sk_test_CANARY0123456789abcdefghijklmnop' })
  const page = { origin: 'http://localhost:5173' }
  const list = await fetch(new URL('/v1/data/posts?limit=2', proxy.url), { headers: page })
  const listBody = await list.text()
  await (await fetch(new URL('/v1/auth/email/signin', proxy.url), { method: 'POST', headers: { ...page, 'content-type': 'application/json' }, body: '{"email":"a@b.c"}' })).text()
  const missing = await fetch(new URL('/data/posts', proxy.url))
  const missingBody = await missing.text()
  const lines = (await proxy.logs()).trim().split('\n').map(line => JSON.parse(line) as Line)
  t.equal(lines.length, 3)
  const [ok, refused, ownError] = lines as [Line, Line, Line]

  t.same(typesOf(ok), { id: 'number', method: 'string', path: 'string', status: 'number', durationMs: 'number', bytes: 'number', origin: 'string', answeredBy: 'string', errorCode: 'null' })
  t.same([ok.id, ok.method, ok.path, ok.status, ok.bytes, ok.origin, ok.answeredBy, 'hint' in ok], [1, 'GET', '/v1/data/posts?limit=2', 200, Buffer.byteLength(listBody), 'http://localhost:5173', 'upstream', false])
  t.ok((ok.durationMs as number) > 0, 'a duration in milliseconds')
  t.equal(typeof ok.exchange, 'object', 'the full record beside them')
  t.equal((ok.exchange as { response: { status: number } }).response.status, 200)

  t.same([refused.id, refused.status, refused.errorCode, refused.answeredBy], [2, 401, 'auth/invalid-token-format', 'upstream'], "the upstream's bkend error.code")
  t.match(refused.hint, /^the token is neither an API key/, 'the hint, flat')
  t.equal(refused.level, 40)

  t.same(typesOf(ownError), { id: 'number', method: 'string', path: 'string', status: 'number', durationMs: 'number', bytes: 'number', origin: 'null', answeredBy: 'string', errorCode: 'string' })
  t.same([ownError.id, ownError.status, ownError.errorCode, ownError.answeredBy, ownError.origin, ownError.bytes], [3, 404, 'proxy/missing-v1-prefix', 'proxy', null, Buffer.byteLength(missingBody)], "the proxy's own code, and the size of its answer")
})

t.test('a preflight and a health check carry the flat fields too; the health check is id 0 at debug', async t => {
  const proxy = await startProxy(t, { logFormat: 'json', logLevel: 'debug' })
  await (await fetch(new URL('/__proxy/health', proxy.url))).text()
  await fetch(new URL('/v1/data/posts', proxy.url), { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } })
  const [health, preflight] = (await proxy.logs()).trim().split('\n').map(line => JSON.parse(line) as Line) as [Line, Line]
  t.same([health.level, health.id, health.path, health.status, health.answeredBy], [20, 0, '/__proxy/health', 200, 'proxy'])
  t.same([preflight.level, preflight.id, preflight.method, preflight.status, preflight.bytes, preflight.errorCode], [30, 1, 'OPTIONS', 204, 0, null])
  t.match(preflight.msg, /^\* #1 OPTIONS \/v1\/data\/posts from http:\/\/localhost:5173 for GET → 204 \(preflight, answered by the proxy\)/)
})

t.test('a replay carries replayOf, flat and in the record; the original and other exchanges have none', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'json' })
  await (await fetch(new URL('/v1/data/posts', proxy.url), { method: 'POST', headers: { origin: 'http://localhost:5173', 'content-type': 'application/json' }, body: '{"a":1}' })).text()
  const replay = await fetch(new URL('/__proxy/api/exchanges/1/replay', proxy.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.same(await replay.json(), { id: 2, status: 200, replayOf: 1, configuration: 'running', changed: [] })
  const lines = (await proxy.logs()).trim().split('\n').map(line => JSON.parse(line) as Line).filter(line => line.path === '/v1/data/posts')
  t.same(lines.map(line => [line.id, line.replayOf, line.exchange?.replayOf]), [[1, undefined, undefined], [2, 1, 1]])
})
