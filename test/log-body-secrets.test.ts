// Issue 10, item 1: a request body is data the user asked to see only with --log-bodies.
// Without it no body (and so no typed password) reaches the log, not even inside the
// copy-as-curl command; with it, secret-looking fields are shown as their length.
import t from 'tap'
import { bkendReply, startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { redactSecret } from '../src/redact/redact.js'

const PASSWORD = 'hunter2-CANARY-pw'
const SIGN_IN = JSON.stringify({ email: 'dev@example.com', password: PASSWORD })
const REFRESH = 'rt_CANARY_0123456789abcdefghijklmnopqrstuv'
const unauthorized = bkendReply(401, { success: false, error: { code: 'auth/invalid-credentials', message: 'wrong email or password' } })

interface LogLine { curl: string, exchange: { requestBody?: { text: string }, responseBody?: { text: string } } }

async function signIn (url: string, body = SIGN_IN, contentType = 'application/json'): Promise<void> {
  await (await fetch(new URL('/v1/auth/email/signin', url), { method: 'POST', headers: { 'content-type': contentType }, body })).text()
}

for (const format of ['json', 'pretty'] as const) {
  t.test(`without --log-bodies a failed sign-in leaves no password in the log (LOG_FORMAT=${format})`, async t => {
    const api = await startFakeApi(t, { handler: unauthorized })
    const proxy = await startProxy(t, { apiUrl: api.url, logFormat: format })
    await signIn(proxy.url)
    t.equal(api.received[0]!.body, SIGN_IN, 'control: the upstream got the password')
    const logs = await proxy.logs()
    t.notMatch(logs, PASSWORD)
    t.notMatch(logs, 'dev@example.com', 'no part of the body at all')
    const curl = format === 'json' ? (JSON.parse(logs) as LogLine).curl : logs.trim().split('\n').at(-1)!
    t.match(curl, /^curl -v 'http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/email\/signin' -H 'Content-Type: application\/json' .*--data-binary @request-body\.json # the request body \(\d+ bytes\) is logged only with LOG_BODIES=true \(--log-bodies\); save it as request-body\.json to repeat the request$/)
  })
}

t.test('with --log-bodies the preview and the curl command show a password only as its length', async t => {
  const api = await startFakeApi(t, { handler: unauthorized })
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'json', logBodies: true })
  await signIn(proxy.url)
  const logs = await proxy.logs()
  t.notMatch(logs, PASSWORD)
  const line = JSON.parse(logs) as LogLine
  t.equal(line.exchange.requestBody!.text, '{"email":"dev@example.com","password":"•••• (17 chars)"}')
  t.match(line.curl, `--data-binary '{"email":"dev@example.com","password":"•••• (17 chars)"}' # secret fields hidden (password): put their values back before running it`)
})

t.test('with --log-bodies tokens in a response preview keep their kind and length only', async t => {
  const api = await startFakeApi(t, { handler: bkendReply(200, { success: true, data: { user: { id: 'u1' }, tokens: { accessToken: 'eyJhbGciOiJIUzI1NiJ9.CANARY.c2ln', refreshToken: REFRESH } } }) })
  const proxy = await startProxy(t, { apiUrl: api.url, logBodies: true })
  await signIn(proxy.url)
  const logs = await proxy.logs()
  t.notMatch(logs, 'CANARY')
  t.match(logs, `"refreshToken":"${redactSecret(REFRESH)}"`, 'shown the way header secrets are')
  t.match(logs, '"id":"u1"', 'other fields stay as they were')
})

t.test('form bodies are redacted too', async t => {
  const api = await startFakeApi(t, { handler: unauthorized })
  const proxy = await startProxy(t, { apiUrl: api.url, logBodies: true, logFormat: 'json' })
  await signIn(proxy.url, `email=dev%40example.com&password=${PASSWORD}`, 'application/x-www-form-urlencoded')
  const logs = await proxy.logs()
  t.notMatch(logs, PASSWORD)
  const line = JSON.parse(logs) as LogLine
  t.equal(line.exchange.requestBody!.text, 'email=dev%40example.com&password=•••• (17 chars)')
  t.match(line.curl, `--data-binary 'email=dev%40example.com&password=•••• (17 chars)' # secret fields hidden (password)`)
})

t.test('a preview cut at 2 KB inside a secret value does not show its start', async t => {
  const api = await startFakeApi(t, { handler: unauthorized })
  const proxy = await startProxy(t, { apiUrl: api.url, logBodies: true, logFormat: 'json' })
  const body = `{"note":"${'x'.repeat(2020)}","password":"${PASSWORD}"}`
  await signIn(proxy.url, body)
  const logs = await proxy.logs()
  const line = JSON.parse(logs) as LogLine
  t.match(line.exchange.requestBody!.text, /,"password":"•••• \(cut\)$/)
  t.notMatch(logs, 'hunter', 'not even the part before the cut')
})
