// Mocks: the config file's "mocks" answer matching requests themselves (first match wins),
// the rest goes upstream. Both sides are watched: what the client got, and whether the
// recording upstream saw the request. Live reload runs through the real CLI.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy, testConfig } from './helpers/proxy.js'
import { startCli, tempDir } from './helpers/cli.js'
import { workdir, failure } from './helpers/config-dir.js'
import { loadConfig } from '../src/config/load-config.js'
import { mockList } from '../src/config/mock-setting.js'
import { faultList } from '../src/config/fault-setting.js'
import { bannerFacts, bannerText } from '../src/lifecycle/banner.js'

const PROD_KEY = `pk_${'0123456789abcdef'.repeat(4)}`

t.test('the first matching mock answers; method, path glob, query and body decide; the rest goes upstream', async t => {
  const api = await startFakeApi(t)
  const mocks = mockList([
    { match: { method: 'GET', path: '/v1/data/posts/*', query: { select: 'title' } }, respond: { body: { id: 'by-query' } } },
    { match: { method: 'GET', path: '/v1/data/posts/*' }, respond: { status: 200, headers: { 'X-Mocked': 'yes' }, body: { id: 'by-path' } } },
    { match: { method: 'GET', path: '/v1/data/posts/*' }, respond: { body: { id: 'never: the one above wins' } } },
    { match: { method: 'POST', path: '/v1/data/**', bodyContains: '"draft":true' }, respond: { status: 201, body: 'drafts stay local' } }
  ])
  const proxy = await startProxy(t, { apiUrl: api.url, mocks })
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(new URL(path, proxy.url), init)
    return [res.status, res.headers.get('x-mocked'), await res.text()]
  }
  t.same(await get('/v1/data/posts/7?page=1&select=title'), [200, null, '{"id":"by-query"}'], 'query parameters in any order, among others')
  t.same(await get('/v1/data/posts/7'), [200, 'yes', '{"id":"by-path"}'])
  t.same(await get('/v1/data/posts/7/comments'), [200, null, JSON.stringify({ method: 'GET', url: '/v1/data/posts/7/comments', headers: api.received[0]?.headers, body: '' })], '* stops at /')
  const post = (body: string) => get('/v1/data/posts', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  t.same(await post('{"title":"x","draft":true}'), [201, null, 'drafts stay local'])
  const [status, , echoed] = await post('{"title":"x","draft":false}')
  t.equal(status, 200)
  t.equal(JSON.parse(echoed as string).body, '{"title":"x","draft":false}', 'a body read to match goes upstream whole')
  t.same(api.received.map(request => `${request.method} ${request.url}`), ['GET /v1/data/posts/7/comments', 'POST /v1/data/posts'])
})

t.test('a mock with times answers that many requests, then the upstream does', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, mocks: mockList([{ match: { path: '/v1/auth/me' }, respond: { error: 'auth/access-token-expired' }, times: 1 }]) })
  const first = await fetch(new URL('/v1/auth/me', proxy.url))
  t.equal(first.status, 401)
  t.same(await first.json(), { success: false, error: { code: 'auth/access-token-expired', message: 'the user\'s access token expired (they live 1 hour)' } })
  t.equal(api.received.length, 0)
  const second = await fetch(new URL('/v1/auth/me', proxy.url))
  t.equal(second.status, 200)
  await second.text()
  t.equal(api.received.length, 1)
})

t.test('"error" answers with the status bkend documents for the code, in the shape of its family', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, {
    apiUrl: api.url,
    mocks: mockList([
      { match: { path: '/v1/data/posts/1' }, respond: { error: 'data/not-found' } },
      { match: { path: '/v1/data/posts/2' }, respond: { error: 'data/duplicate-value' } },
      { match: { path: '/v1/data/posts/3' }, respond: { error: 'SCOPE_INSUFFICIENT' } },
      { match: { path: '/v1/data/posts/4' }, respond: { error: 'data/not-found', status: 410 } }
    ])
  })
  const answers = []
  for (const id of [1, 2, 3, 4]) {
    const res = await fetch(new URL(`/v1/data/posts/${id}`, proxy.url))
    answers.push([res.status, res.headers.get('content-type'), await res.json()])
  }
  t.same(answers, [
    [404, 'application/json; charset=utf-8', { success: false, error: { code: 'data/not-found', message: 'no record has this id' } }],
    [409, 'application/json; charset=utf-8', { success: false, error: { code: 'data/duplicate-value', message: 'a unique index holds this value already' } }],
    [403, 'application/json; charset=utf-8', { statusCode: 403, error: 'SCOPE_INSUFFICIENT', message: 'the key\'s scopes do not include this table and operation (checked before permissions, even for admin)' }],
    [410, 'application/json; charset=utf-8', { success: false, error: { code: 'data/not-found', message: 'no record has this id' } }]
  ])
  t.equal(api.received.length, 0)
})

t.test('bodyFile is read at each answer, relative to the directory the proxy starts in', async t => {
  const dir = workdir({ 'posts.json': '{"items":[{"id":"p1"}]}' })
  const cwd = process.cwd()
  process.chdir(dir)
  t.teardown(() => process.chdir(cwd))
  const mocks = mockList([{ match: { path: '/v1/data/posts' }, respond: { bodyFile: 'posts.json' } }])
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', mocks })
  const first = await fetch(new URL('/v1/data/posts', proxy.url))
  t.same([first.status, first.headers.get('content-type'), await first.text()], [200, 'application/json; charset=utf-8', '{"items":[{"id":"p1"}]}'])
  writeFileSync(join(dir, 'posts.json'), '{"items":[]}')
  t.equal(await (await fetch(new URL('/v1/data/posts', proxy.url))).text(), '{"items":[]}', 'an edit of the file shows at once')
})

t.test('a mocked answer carries the CORS headers of any proxy answer, and the log says a mock answered', async t => {
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', mocks: mockList([{ match: { path: '/v1/data/posts' }, respond: { headers: { 'X-Total': '0', 'Access-Control-Allow-Origin': '*' }, body: { items: [] } } }]) })
  const res = await fetch(new URL('/v1/data/posts', proxy.url), { headers: { origin: 'http://localhost:5173' } })
  await res.text()
  t.same(['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers', 'vary', 'x-total'].map(name => res.headers.get(name)),
    ['http://localhost:5173', 'true', 'x-total', 'Origin', '0'], 'the mock\'s own Access-Control-* header does not pass')
  const logs = await proxy.logs()
  t.match(logs, /\* #1 GET \/v1\/data\/posts from http:\/\/localhost:5173 answered by a mock \(not forwarded\)\n\* #1 note: answered by mocks entry 0\n/)
})

t.test('the compact line and JSON name the mock', async t => {
  const mocks = mockList([{ match: { path: '/v1/data/posts' }, respond: { body: [] } }])
  const compact = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', logFormat: 'compact', mocks })
  await (await fetch(new URL('/v1/data/posts', compact.url))).text()
  t.match(await compact.logs(), /#1 GET \/v1\/data\/posts 200 \S+ ms 2 B answered by a mock {2}note: answered by mocks entry 0/)
  const json = await startProxy(t, { apiUrl: 'http://127.0.0.1:9', logFormat: 'json', mocks })
  await (await fetch(new URL('/v1/data/posts', json.url))).text()
  const line = (await json.logs()).split('\n').find(text => text.includes('"exchange"'))!
  t.equal(JSON.parse(line).answeredBy, 'mock')
})

t.test('prod read-only comes first: a mock never hides a refused write', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: PROD_KEY, environment: 'prod', mocks: mockList([{ match: { method: 'DELETE' }, respond: { body: { success: true } } }]) })
  const res = await fetch(new URL('/v1/data/posts/1', proxy.url), { method: 'DELETE' })
  t.equal(res.status, 403)
  t.equal((await res.json()).error.code, 'proxy/prod-read-only')
  t.equal(api.received.length, 0)
})

t.test('a bad mock stops start-up with one message: the setting, the entry, the value, the fix', async t => {
  const messages = [
    [{ match: { path: '/v1/a' }, respond: { body: 1 } }, { match: { path: '/v1/b' }, respond: { status: 99 } }],
    [{ match: { path: 'v1/a' }, respond: {} }],
    [{ match: { path: '/v1/a' }, respond: { error: 'not a code' } }],
    [{ match: { path: '/v1/a' }, respnd: {} }],
    [{ respond: { body: 1, bodyFile: 'x.json' } }],
    { match: {} }
  ].map(mocks => {
    const dir = workdir({ 'proxy.json': JSON.stringify({ mocks }) })
    return failure(() => loadConfig({ cwd: dir, configFile: 'proxy.json', env: {} })).replace(dir, '<dir>')
  })
  t.same(messages, [
    'config: mocks (from "mocks" in <dir>/proxy.json) has entry 1 (counted from 0) with respond.status 99, which must be a whole number from 100 to 599\n  fix: in mocks entry 1, write e.g. "status": 200',
    'config: mocks (from "mocks" in <dir>/proxy.json) has entry 0 (counted from 0) with match.path "v1/a", which must be a path that starts with / (no query: match it with "query")\n  fix: in mocks entry 0, write e.g. "path": "/v1/data/posts/*"',
    'config: mocks (from "mocks" in <dir>/proxy.json) has entry 0 (counted from 0) with respond.error "not a code", which is not a bkend error code (domain/name, e.g. data/not-found, or UPPER_CASE)\n  fix: in mocks entry 0, write e.g. "error": "data/not-found"',
    'config: mocks (from "mocks" in <dir>/proxy.json) has entry 0 (counted from 0) with respnd {}, which is not a field here (match, respond, delayMs, times)\n  fix: in mocks entry 0, rename "respnd" to "respond"',
    'config: mocks (from "mocks" in <dir>/proxy.json) has entry 0 (counted from 0) with respond {"body":1,"bodyFile":"x.json"}, which has body and bodyFile; it takes one of body, bodyFile and error\n  fix: in mocks entry 0, keep one of body, bodyFile',
    'config: mocks {"match":{}} (from "mocks" in <dir>/proxy.json) must be a list (a JSON array) of entries, e.g. [{"match": {"method": "GET", "path": "/v1/data/posts/*"}, "respond": {"error": "data/not-found"}}]\n  fix: set "mocks": [{"match": {"method": "GET", "path": "/v1/data/posts/*"}, "respond": {"error": "data/not-found"}}]'
  ])
})

t.test('mocks reload with the config file: a change applies to the next request; a bad one keeps the running mocks', async t => {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const file = join(cwd, 'proxy.json')
  const write = (mocks: unknown) => writeFileSync(file, JSON.stringify({ apiUrl: api.url, mocks }))
  write([{ match: { path: '/v1/data/posts' }, respond: { body: { v: 1 } } }])
  const cli = await startCli(t, ['--config', 'proxy.json', '--log-format', 'compact'], { cwd })
  const body = async () => await (await fetch(new URL('/v1/data/posts', cli.url))).text()
  t.equal(await body(), '{"v":1}')

  let next = cli.waitForStdout(/config: reloaded proxy\.json; applied to new requests: mocks 1 entry → 2 entries/)
  write([{ match: { path: '/v1/data/posts' }, respond: { body: { v: 2 } } }, { match: { path: '/v1/x' }, respond: { body: 'x' } }])
  await next
  t.equal(await body(), '{"v":2}')

  next = cli.waitForStdout(/ERROR: config: mocks \(from "mocks" in \S+proxy\.json\) has entry 0 \(counted from 0\) with delayMs -1, which must be a whole number from 0 to 600000\n {2}fix: in mocks entry 0, write e\.g\. "delayMs": 300\n {2}\(proxy\.json changed on disk, but this value is not valid/)
  write([{ match: { path: '/v1/data/posts' }, respond: { body: { v: 3 } }, delayMs: -1 }])
  await next
  t.equal(await body(), '{"v":2}', 'the running mocks stay')

  next = cli.waitForStdout(/applied to new requests: mocks 2 entries → none/)
  write([])
  await next
  t.equal(JSON.parse(await body()).url, '/v1/data/posts', 'without mocks the upstream answers')
})

t.test('the banner lists the active mocks and faults, and warns of a code bkend\'s docs do not name', async t => {
  const config = { ...testConfig(), faultSeed: '42', mocks: mockList([{ match: { method: 'GET', path: '/v1/data/posts/*' }, respond: { error: 'data/not-fund' }, times: 2 }, { match: { path: '/v1/x', query: { a: '1' } }, respond: { body: {} }, delayMs: 300 }]), faults: faultList([{ match: { path: '/v1/data/*' }, rate: 0.3, error: 503, latencyMs: [100, 800] }, { rateLimit: { limit: 100, windowS: 60 } }]) }
  const origin = Object.fromEntries(Object.keys(config).map(key => [key, 'built-in default'])) as never
  const facts = bannerFacts(config, origin, 8787)
  const text = bannerText(facts)
  t.match(text, '\n  mocks        GET /v1/data/posts/* → 400 data/not-fund (2×); /v1/x?a=1 → 200 after 300 ms\n')
  t.match(text, '\n  faults       /v1/data/* → 100–800 ms latency, 503 at rate 0.3; any path → 429 data/rate-limit-exceeded over 100 requests per 60 s (FAULT_SEED 42; POST {"enabled": false} to /__proxy/api/faults on the inspector\'s port turns them off)\n')
  t.same(facts.warnings.filter(warning => warning.includes('mocks')), ['mocks entry 0: "data/not-fund" is not a code bkend\'s docs name (did you mean data/not-found?); it is answered with 400 by the docs\' rule for its words'])
  t.notMatch(bannerText(bannerFacts(testConfig(), origin, 8787)), /mocks|faults/, 'nothing listed without them')
})
