import t from 'tap'
import { execFile } from 'node:child_process'
import { copyAsCurl, shellQuoted, type CurlRequest } from '../src/diagnose/copy-as-curl.js'
import { bkendReply, startFakeApi } from './helpers/fake-api.js'
import { startProxy } from './helpers/proxy.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

function request (overrides: Partial<CurlRequest> = {}): CurlRequest {
  return {
    method: 'GET',
    url: 'https://api-client.bkend.ai/v1/data/posts?limit=1',
    headers: { host: 'api-client.bkend.ai', accept: 'application/json', authorization: `Bearer ${KEY}`, 'x-project-id': 'p1', 'x-environment': 'dev' },
    injected: ['authorization', 'x-project-id', 'x-environment'],
    ...overrides
  }
}

t.test('the injected key becomes $BKEND_API_KEY; the Host comes from the URL', async t => {
  t.equal(copyAsCurl(request()), `curl -v 'https://api-client.bkend.ai/v1/data/posts?limit=1' -H 'Accept: application/json' -H "Authorization: Bearer $BKEND_API_KEY" -H 'X-Project-Id: p1' -H 'X-Environment: dev'`)
})

t.test('a key configured with its Bearer is referenced whole', async t => {
  t.equal(copyAsCurl(request({ headers: { authorization: `Bearer ${KEY}` }, injected: ['authorization'], keyIncludesScheme: true })), `curl -v 'https://api-client.bkend.ai/v1/data/posts?limit=1' -H "Authorization: $BKEND_API_KEY"`)
})

t.test("the app's own token and cookies become placeholders, never values", async t => {
  const text = copyAsCurl(request({
    headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', cookie: 'session=0123456789abcdefghij', 'x-api-key': 'pk_live_0123456789abcdefghij' },
    injected: []
  }))
  t.equal(text, `curl -v 'https://api-client.bkend.ai/v1/data/posts?limit=1' -H "Authorization: Bearer $BKEND_USER_TOKEN" -H "Cookie: $BKEND_COOKIE" -H "X-Api-Key: $BKEND_PUBLISHABLE_KEY"`)
  t.notMatch(text, /eyJ|0123456789/)
})

t.test('small text bodies are repeated, quoted so the shell keeps every byte', async t => {
  const post = copyAsCurl(request({ method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '31' }, injected: [], body: { text: `{"title":"it's $HOME \`x\`"}`, complete: true, totalBytes: 31 } }))
  t.equal(post, `curl -v 'https://api-client.bkend.ai/v1/data/posts?limit=1' -H 'Content-Type: application/json' --data-binary '{"title":"it'\\''s $HOME \`x\`"}'`)
  const patch = copyAsCurl(request({ method: 'PATCH', headers: {}, injected: [], body: { text: 'a\nb', complete: true, totalBytes: 3 } }))
  t.equal(patch, `curl -v -X 'PATCH' 'https://api-client.bkend.ai/v1/data/posts?limit=1' --data-binary $'a\\nb'`)
})

t.test('a body too large or not text is named, not silently dropped', async t => {
  const text = copyAsCurl(request({ method: 'PUT', headers: {}, injected: [], body: { text: 'x'.repeat(10), complete: false, totalBytes: 20000 } }))
  t.equal(text, `curl -v -X 'PUT' 'https://api-client.bkend.ai/v1/data/posts?limit=1' # request body of 20000 bytes not included (not text, or too large to repeat here)`)
})

t.test('HEAD uses --head (-X HEAD would wait for a body); DELETE says its method', async t => {
  t.equal(copyAsCurl(request({ method: 'HEAD', headers: {}, injected: [] })), `curl -v --head 'https://api-client.bkend.ai/v1/data/posts?limit=1'`)
  t.equal(copyAsCurl(request({ method: 'DELETE', headers: {}, injected: [] })), `curl -v -X 'DELETE' 'https://api-client.bkend.ai/v1/data/posts?limit=1'`)
})

t.test('shell quoting round-trips through a real shell', async t => {
  for (const text of [`plain`, `it's`, `$HOME "q" \`cmd\` \\`, 'two\nlines\ttab\u0001']) {
    const echoed = await run('bash', ['-c', `printf '%s' ${shellQuoted(text)}`], {})
    t.equal(echoed.stdout, text)
  }
})

interface Run { code: number, stdout: string, stderr: string }

function run (file: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise(resolve => {
    execFile(file, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 10000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

interface LogLine { exchange: { response: { status: number } }, curl: string, hint?: string }

async function jsonLogs (logs: () => Promise<string>): Promise<LogLine[]> {
  return (await logs()).trim().split('\n').map(line => JSON.parse(line) as LogLine)
}

t.test('the logged command, run by the real curl, gets the same answer as the proxied call', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1', logFormat: 'json' })
  const proxied = await fetch(new URL('/v1/data/posts?limit=2&q=a%20b', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-trace': "it's" }, body: '{"title":"hello\\nworld"}' })
  const proxiedBody = await proxied.text()
  const [line] = await jsonLogs(proxy.logs)
  t.notMatch(line!.curl, KEY, 'the key is only referenced')
  t.match(line!.curl, '-H "Authorization: Bearer $BKEND_API_KEY"')
  const replayed = await run('bash', ['-c', line!.curl], { BKEND_API_KEY: KEY })
  t.equal(replayed.code, 0, replayed.stderr)
  t.match(replayed.stderr, /^< HTTP\/1\.1 200 OK/m)
  // undici adds Connection: keep-alive on the wire, which HTTP/1.1 implies anyway.
  const echoed = (text: string): unknown => {
    const body = JSON.parse(text) as { headers: Record<string, string> }
    delete body.headers.connection
    return body
  }
  t.same(echoed(replayed.stdout), echoed(proxiedBody), 'method, URL, headers and body as the proxy sent them')
  t.equal(api.received.length, 2)
  t.equal(api.received[1]!.body, '{"title":"hello\\nworld"}')
})

t.test('a failing call replayed by curl fails the same way', async t => {
  const api = await startFakeApi(t, { handler: bkendReply(401, { success: false, error: { code: 'auth/unauthorized', message: 'Unauthorized' } }) })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, logFormat: 'json' })
  const proxied = await fetch(new URL('/v1/data/posts', proxy.url))
  const proxiedBody = await proxied.text()
  const [line] = await jsonLogs(proxy.logs)
  const replayed = await run('bash', ['-c', line!.curl], { BKEND_API_KEY: KEY })
  t.match(replayed.stderr, /^< HTTP\/1\.1 401 Unauthorized/m)
  t.equal(replayed.stdout, proxiedBody)
  t.equal(api.received[1]!.headers.authorization, `Bearer ${KEY}`)
})

t.test('pretty log: the command ends every failing block, and others only with --log-curl', async t => {
  const api = await startFakeApi(t, { handler: (req, res) => { res.statusCode = req.url === '/v1/fail' ? 404 : 200; res.end('{}') } })
  const quiet = await startProxy(t, { apiUrl: api.url, apiKey: KEY })
  for (const path of ['/v1/ok', '/v1/fail']) await (await fetch(new URL(path, quiet.url))).text()
  const logs = await quiet.logs()
  t.equal(logs.match(/^curl -v /gm)?.length, 1)
  t.match(logs, /^\* #2 404 Not Found in [\d.]+ ms, 2 bytes\ncurl -v 'http:\/\/127\.0\.0\.1:\d+\/v1\/fail' .*-H "Authorization: Bearer \$BKEND_API_KEY"/m)
  const chatty = await startProxy(t, { apiUrl: api.url, apiKey: KEY, logCurl: true })
  await (await fetch(new URL('/v1/ok', chatty.url))).text()
  t.match(await chatty.logs(), /^\* #1 200 OK in [\d.]+ ms, 2 bytes\ncurl -v 'http:\/\/127\.0\.0\.1:\d+\/v1\/ok'/m)
})

t.test('every JSON entry has a curl, also for what the proxy answered itself', async t => {
  const proxy = await startProxy(t, { logFormat: 'json' })
  await (await fetch(new URL('/data/posts?limit=1', proxy.url), { headers: { authorization: 'Bearer user-token-0123456789abcdef' } })).text()
  const [line] = await jsonLogs(proxy.logs)
  t.match(line!.curl, new RegExp(`^curl -v 'http://localhost:${proxy.port}/data/posts\\?limit=1' `))
  t.match(line!.curl, '-H "Authorization: Bearer $BKEND_USER_TOKEN"')
  t.notMatch(line!.curl, 'user-token')
})
