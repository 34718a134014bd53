import t from 'tap'
import { execFile } from 'node:child_process'
import { copyAsCurl, shellQuoted, type CurlRequest } from '../src/diagnose/copy-as-curl.js'
import { bkendReply, startFakeApi } from './helpers/fake-upstream.js'
import { rawRequest } from './helpers/raw-client.js'
import { startProxy, testConfig } from './helpers/proxy.js'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/log/logger.js'
import { PassThrough } from 'node:stream'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import net, { type AddressInfo } from 'node:net'

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
  const post = copyAsCurl(request({ method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '31' }, injected: [], body: { text: `{"title":"it's $HOME \`x\`"}`, hiddenFields: [] } }))
  t.equal(post, `curl -v 'https://api-client.bkend.ai/v1/data/posts?limit=1' -H 'Content-Type: application/json' --data-binary '{"title":"it'\\''s $HOME \`x\`"}'`)
  const patch = copyAsCurl(request({ method: 'PATCH', headers: {}, injected: [], body: { text: 'a\nb', hiddenFields: [] } }))
  t.equal(patch, `curl -v -X 'PATCH' 'https://api-client.bkend.ai/v1/data/posts?limit=1' --data-binary $'a\\nb'`)
})

t.test('a body with hidden secret fields says which to put back', async t => {
  const post = copyAsCurl(request({ method: 'POST', headers: {}, injected: [], body: { text: '{"password":"•••• (7 chars)","otp":"•••• (6 chars)"}', hiddenFields: ['password', 'otp'] } }))
  t.equal(post, `curl -v 'https://api-client.bkend.ai/v1/data/posts?limit=1' --data-binary '{"password":"•••• (7 chars)","otp":"•••• (6 chars)"}' # secret fields hidden (password, otp): put their values back before running it`)
  const crafted = copyAsCurl(request({ method: 'POST', headers: {}, injected: [], body: { text: '{}', hiddenFields: ['my_password\nrm -rf ~ #'] } }))
  t.equal(crafted.split('\n').length, 1, 'a field name cannot start a new shell line')
  t.match(crafted, / # secret fields hidden \(my_password\?rm\?-rf\?\?\?\?\): /)
})

t.test('a body not logged, too large or not text is read from a file the note names', async t => {
  const notLogged = copyAsCurl(request({ method: 'POST', headers: { 'content-type': 'application/json' }, injected: [], body: { totalBytes: 17, reason: 'not-logged' } }))
  t.equal(notLogged, `curl -v 'https://api-client.bkend.ai/v1/data/posts?limit=1' -H 'Content-Type: application/json' --data-binary @request-body.json # the request body (17 bytes) is logged only with LOG_BODIES=true (--log-bodies); save it as request-body.json to repeat the request`)
  const large = copyAsCurl(request({ method: 'PUT', headers: {}, injected: [], body: { totalBytes: 20000, reason: 'not-repeatable' } }))
  t.equal(large, `curl -v -X 'PUT' 'https://api-client.bkend.ai/v1/data/posts?limit=1' --data-binary @request-body.bin # the request body (20000 bytes) is not text, or too large to repeat here; save it as request-body.bin to repeat the request`)
  const chunkedForm = copyAsCurl(request({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, injected: [], body: { totalBytes: undefined, reason: 'not-logged' } }))
  t.match(chunkedForm, / --data-binary @request-body\.txt # the request body is logged only with LOG_BODIES=true/)
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

function run (file: string, args: string[], env: Record<string, string>, cwd?: string): Promise<Run> {
  return new Promise(resolve => {
    execFile(file, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 10000, cwd }, (error, stdout, stderr) => {
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
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1', logFormat: 'json', logBodies: true })
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

t.test('without LOG_BODIES the command repeats the request once the body is saved as the file it names', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, logFormat: 'json' })
  const body = '{"title":"not in the log"}'
  await (await fetch(new URL('/v1/data/posts', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text()
  const [line] = await jsonLogs(proxy.logs)
  t.notMatch(line!.curl, 'not in the log')
  const dir = mkdtempSync(join(tmpdir(), 'bkend-dev-proxy-curl-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'request-body.json'), body)
  const replayed = await run('bash', ['-c', line!.curl], { BKEND_API_KEY: KEY }, dir)
  t.equal(replayed.code, 0, replayed.stderr)
  t.equal(api.received[1]!.body, body)
  t.equal(api.received[1]!.method, 'POST')
})

t.test('a refused Host is repeated against the proxy, never sent to the foreign host', async t => {
  const proxy = await startProxy(t, { logFormat: 'json' })
  const refused = await rawRequest(proxy.port, 'GET /v1/x HTTP/1.1\r\nHost: evil.invalid\r\nConnection: close\r\n\r\n')
  t.equal(refused.status, 403)
  const [line] = await jsonLogs(proxy.logs)
  t.equal(line!.curl, `curl -v 'http://127.0.0.1:${proxy.port}/v1/x' -H 'Host: evil.invalid' -H 'Connection: close'`)
  const replayed = await run('bash', ['-c', line!.curl], {})
  t.match(replayed.stderr, /^< HTTP\/1\.1 403 Forbidden/m, 'the command meets the same refusal')
})

t.test('an absolute-form target gives a URL built from parts', async t => {
  const proxy = await startProxy(t, { logFormat: 'json' })
  // Read as its path (/x?a=1, not forwarded): the command names the proxy, from the Host.
  await rawRequest(proxy.port, `GET http://localhost:${proxy.port}/x?a=1 HTTP/1.1\r\nHost: localhost:${proxy.port}\r\nConnection: close\r\n\r\n`)
  await rawRequest(proxy.port, 'GET http://evil.invalid HTTP/1.1\r\nHost: evil.invalid\r\nConnection: close\r\n\r\n')
  const [local, foreign] = await jsonLogs(proxy.logs)
  t.equal(local!.curl, `curl -v 'http://localhost:${proxy.port}/x?a=1' -H 'Connection: close'`)
  t.equal(foreign!.curl, `curl -v 'http://127.0.0.1:${proxy.port}/' -H 'Host: evil.invalid' -H 'Connection: close'`)
})

t.test('the proxy\'s own IPv6 address is written in brackets', async t => {
  const sink = new PassThrough()
  let output = ''
  sink.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
  const config = testConfig({ logFormat: 'json' })
  const { logger, exchangeWriter, flush } = createLogger(config, { destination: sink })
  const app = await buildApp(config, { logger, exchangeWriter })
  t.teardown(() => app.close())
  try {
    await app.listen({ port: 0, host: '::1' })
  } catch {
    t.comment('skipped: no IPv6 loopback on this machine')
    return
  }
  const port = (app.server.address() as AddressInfo).port
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(port, '::1')
    socket.on('error', reject).on('close', () => resolve())
    socket.end('GET /v1/x HTTP/1.1\r\nHost: evil.invalid\r\nConnection: close\r\n\r\n')
    socket.resume()
  })
  await flush()
  t.match((JSON.parse(output) as LogLine).curl, `curl -v 'http://[::1]:${port}/v1/x' -H 'Host: evil.invalid'`)
})
