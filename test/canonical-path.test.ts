// One view of the path for every decision: percent-encoded letters, digits and - . _ ~
// are decoded before the Host/Origin guard, the prod write guard, the inspector gate, the
// router and the log look at it; dot segments, fragments and absolute-form targets for
// another authority are refused with 400 proxy/non-canonical-path. Sent over raw sockets,
// so no client tidies the target first; every refusal is counted at a recording upstream
// per environment (and one for MCP): zero requests.
import t from 'tap'
import { startFakeApi, type FakeApi } from './helpers/fake-upstream.js'
import { WireClient, errorOf } from './helpers/raw-client.js'
import { startProxy, type TestProxy } from './helpers/proxy.js'

const PROD_KEY = 'sk_live_PRDKEY0123456789abcdefghijprd3'
const DEV_KEY = 'sk_test_DEVKEY0123456789abcdefghijdev1'
const STAGING_KEY = 'sk_test_STGKEY0123456789abcdefghijstg2'
const PAGE = 'http://localhost:5173'

interface Upstreams { dev: FakeApi, staging: FakeApi, prod: FakeApi, mcp: FakeApi, started: () => number }

async function proxyWithUpstreams (t: Parameters<typeof startProxy>[0], environment: 'dev' | 'prod', overrides: Parameters<typeof startProxy>[1] = {}): Promise<{ proxy: TestProxy, upstreams: Upstreams }> {
  const [dev, staging, prod, mcp] = await Promise.all([startFakeApi(t), startFakeApi(t), startFakeApi(t), startFakeApi(t)])
  const profiles = {
    dev: { apiKey: DEV_KEY, projectId: 'p-dev', apiUrl: dev.url },
    staging: { apiKey: STAGING_KEY, projectId: 'p-staging', apiUrl: staging.url },
    prod: { apiKey: PROD_KEY, projectId: 'p-prod', apiUrl: prod.url }
  }
  const proxy = await startProxy(t, { ...profiles[environment], environment, environments: profiles, mcpUrl: `${mcp.url}/mcp`, ...overrides })
  const upstreams = { dev, staging, prod, mcp, started: () => dev.started + staging.started + prod.started + mcp.started }
  return { proxy, upstreams }
}

interface Answer { status: number, code?: string, message?: string, allowOrigin?: string, body: string }

/** Sends one request with the target exactly as written and reads the answer. */
async function send (port: number, method: string, target: string, options: { headers?: string[], body?: string } = {}): Promise<Answer> {
  const client = await WireClient.connect(port)
  try {
    const body = options.body ?? (['POST', 'PUT', 'PATCH'].includes(method) ? '{"title":"x"}' : '')
    const lines = [`Host: localhost:${port}`, ...(options.headers ?? [])]
    if (body !== '') lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`)
    client.send(`${method} ${target} HTTP/1.1\r\n${lines.map(line => line + '\r\n').join('')}\r\n${body}`)
    const response = await client.read({ bodyless: method === 'HEAD' })
    const error = errorOf(response)
    return { status: response?.status ?? 0, code: error.code, message: error.message, allowOrigin: response?.headers['access-control-allow-origin']?.[0], body: response?.body.toString('utf8') ?? '' }
  } finally {
    client.destroy()
  }
}

t.test('with prod active, writes under a percent-encoded /v1 or /mcp, or an absolute-form target, get 403 prod-read-only and nothing goes upstream', async t => {
  const { proxy, upstreams } = await proxyWithUpstreams(t, 'prod')
  const port = proxy.port
  const writes: Array<[string, string]> = [
    ['POST', '/%761/data/posts'],
    ['PUT', '/v%31/data/posts/1'],
    ['PATCH', '/%76%31/data/posts/1'],
    ['DELETE', '/%761/data/posts/1'],
    ['POST', '/%6Dcp'],
    ['POST', '/%6D%63%70/sub'],
    ['POST', '/%6d%63%70/sub'],
    ['DELETE', '/%76%31/data/posts/1?x=%2e%2e'],
    ['POST', `http://localhost:${port}/v1/data/posts`],
    ['PUT', `HTTP://LOCALHOST:${port}/%761/data/posts/1`],
    ['POST', `http://localhost:${port}/mcp`],
    ['DELETE', `http://localhost:${port}/v1/data/posts/1?hard=true`]
  ]
  for (const [method, target] of writes) {
    const answer = await send(port, method, target, { headers: [`Origin: ${PAGE}`] })
    t.same([answer.status, answer.code], [403, 'proxy/prod-read-only'], `${method} ${target}`)
    t.match(answer.message, /PROD_READ_ONLY=false/, 'the refusal names the switch')
    t.equal(answer.allowOrigin, PAGE, 'an allowed page can read it')
  }
  t.equal(upstreams.started(), 0, 'zero upstream requests, in any environment or MCP')
})

t.test('dot segments (also from %2e), fragments and absolute-form targets for another authority get 400 proxy/non-canonical-path', async t => {
  const { proxy, upstreams } = await proxyWithUpstreams(t, 'prod')
  const port = proxy.port
  const refused: Array<[string, string]> = [
    ['GET', '/v1/%2e%2e/mcp'],
    ['GET', '/v1/%2E%2E/mcp'],
    ['GET', '/v1/.%2e/mcp'],
    ['POST', '/mcp/%2e%2e/v1/data/posts'],
    ['POST', '/x/%2e%2e/v1/data/posts'],
    ['POST', '/x/../v1/data/posts'],
    ['GET', '/v1/./data/posts'],
    ['GET', '/v1/%2e/data/posts'],
    ['GET', '/v1/data/posts/..'],
    ['GET', '/v1/data/posts/.'],
    ['GET', '/v1/data/posts/%2E?limit=1'],
    ['GET', '/__proxy/%2e%2e/v1/data/posts'],
    ['GET', '/%5F_proxy/../v1/data/posts'],
    ['POST', '/mcp#x'],
    ['GET', '/v1/data/posts#/../../mcp'],
    ['POST', 'http://127.0.0.1:9/v1/data/posts'],
    ['GET', `https://localhost:${port}/v1/data/posts`],
    ['GET', `http://user@localhost:${port}/v1/data/posts`],
    ['GET', `http://localhost:${port}/v1/%2e%2e/mcp`]
  ]
  for (const [method, target] of refused) {
    const answer = await send(port, method, target)
    t.same([answer.status, answer.code], [400, 'proxy/non-canonical-path'], `${method} ${target}`)
  }
  t.equal(upstreams.started(), 0, 'zero upstream requests')
  const logs = await proxy.logs()
  t.match(logs, /note: refused the request target \/v1\/%2e%2e\/mcp: /, 'the log keeps the target as sent')
  t.notMatch(logs, /sk_live_PRDKEY/)
})

t.test('encoded /__proxy paths meet the same gate as /__proxy: a page on an allowed origin cannot switch to prod or read exchanges', async t => {
  const { proxy, upstreams } = await proxyWithUpstreams(t, 'dev')
  const port = proxy.port
  const json = ['Content-Type: application/json']
  const switchBody = '{"environment":"prod"}'
  const canonicalSwitch = await send(port, 'POST', '/__proxy/api/environment', { headers: [`Origin: ${PAGE}`], body: switchBody })
  t.ok(canonicalSwitch.status >= 400, `the plain path is refused to the page (${canonicalSwitch.status})`)
  for (const target of ['/%5F_proxy/api/environment', '/_%5Fproxy/api/environment', '/%5f%5fproxy/api/environment', '/%5F%5F%70%72%6F%78%79/%61pi/environment', `http://localhost:${port}/%5F_proxy/api/environment`]) {
    const answer = await send(port, 'POST', target, { headers: [`Origin: ${PAGE}`, 'Sec-Fetch-Site: same-site'], body: switchBody })
    t.same([answer.status, answer.code], [canonicalSwitch.status, canonicalSwitch.code], `POST ${target} is answered as the plain path is`)
    t.equal(answer.allowOrigin, undefined, 'the page cannot read the answer')
  }
  const canonicalRead = await send(port, 'GET', '/__proxy/api/exchanges', { headers: [`Origin: ${PAGE}`] })
  t.ok(canonicalRead.status >= 400, `reading exchanges is refused to the page (${canonicalRead.status})`)
  for (const target of ['/%5F_proxy/api/exchanges', '/_%5Fproxy/api/exchanges', '/%5f%5Fproxy/api/exchanges']) {
    const answer = await send(port, 'GET', target, { headers: [`Origin: ${PAGE}`, ...json] })
    t.same([answer.status, answer.code], [canonicalRead.status, canonicalRead.code], `GET ${target}`)
    t.notMatch(answer.body, /"exchanges"/, 'no exchange list')
  }
  const health = await (await fetch(new URL('/__proxy/health', proxy.url))).json() as { environment: string }
  t.equal(health.environment, 'dev', 'still on dev')
  t.equal(upstreams.started(), 0, 'zero upstream requests')
})

t.test('the router, the upstream and the log see the decoded path; other escapes and the query go as sent', async t => {
  const { proxy, upstreams } = await proxyWithUpstreams(t, 'prod')
  const port = proxy.port
  t.equal((await send(port, 'GET', '/%761/data/posts?q=%76%31')).status, 200)
  t.equal((await send(port, 'GET', `http://localhost:${port}/v1/data/posts/2`)).status, 200)
  t.equal((await send(port, 'GET', '/v1/data/a%2Fb%20c%7e%2D')).status, 200)
  t.same(upstreams.prod.received.map(request => request.url), ['/v1/data/posts?q=%76%31', '/v1/data/posts/2', '/v1/data/a%2Fb%20c~-'])
  t.same(upstreams.prod.received.map(request => request.headers.authorization), Array(3).fill(`Bearer ${PROD_KEY}`))
  t.equal(upstreams.started(), 3, 'reads still go to prod, and only there')
  const logs = await proxy.logs()
  t.match(logs, /\* #\d+ GET \/v1\/data\/posts\?q=%76%31 →/, 'the log shows the decoded path')
  t.match(logs, /note: request target \/%761\/data\/posts read as \/v1\/data\/posts/, 'and notes the target as sent')
  t.match(logs, /note: request target http:\/\/localhost:\d+\/v1\/data\/posts\/2 read as \/v1\/data\/posts\/2/)
})
