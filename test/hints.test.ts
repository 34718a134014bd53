// Each hint as the log shows it, from a fake upstream that answers the way bkend does.
import t from 'tap'
import { bkendReply, startFakeApi, type FakeHandler } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { bkendErrorCode, hintsFor } from '../src/diagnose/hints.js'
import type { HintFacts } from '../src/diagnose/hint-facts.js'
import { builtInDefaults, type Config } from '../src/config/settings.js'
import { shortHint } from '../src/log/format-compact.js'

type Tap = typeof t

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

function bkendError (status: number, code: string, headers: Record<string, string> = {}): FakeHandler {
  return bkendReply(status, { success: false, error: { code, message: `${code} happened` } }, headers)
}

interface LogLine { hint?: string, exchange: { response: { status: number } } }

async function hintsOf (t: Tap, handler: FakeHandler, path: string, options: { apiKey?: string, headers?: Record<string, string>, config?: Partial<Config> } = {}): Promise<{ pretty: string[], json: string | undefined }> {
  const api = await startFakeApi(t, { handler })
  const pretty = await startProxy(t, { apiUrl: api.url, apiKey: options.apiKey ?? '', ...options.config })
  await (await fetch(new URL(path, pretty.url), { headers: options.headers })).text()
  const lines = (await pretty.logs()).split('\n').filter(line => line.startsWith('* hint: ')).map(line => line.slice('* hint: '.length))
  const json = await startProxy(t, { apiUrl: api.url, apiKey: options.apiKey ?? '', logFormat: 'json', ...options.config })
  await (await fetch(new URL(path, json.url), { headers: options.headers })).text()
  const [entry] = (await json.logs()).trim().split('\n').map(line => JSON.parse(line) as LogLine)
  return { pretty: lines, json: entry!.hint }
}

// The key decides the scheme the hints speak of: pk_/sk_ + 64 hex is today's (X-API-Key),
// ak_ + 64 hex and any other format the original one (Authorization: Bearer).
const PK = 'pk_' + '0a'.repeat(32)
const AK = 'ak_' + '0b'.repeat(32)

// [status, bkend code, the configured key, what the hint must say]
const UPSTREAM_CASES: Array<[number, string, string, RegExp]> = [
  [401, 'auth/missing-authorization-header', '', /^this endpoint needs a signed-in user and the request carried no Authorization: sign the user in and send Authorization: Bearer <accessToken>/],
  [401, 'auth/missing-authorization-header', PK, /^this endpoint needs a signed-in user.*the key travels in X-API-Key and never fills Authorization/],
  [401, 'auth/missing-authorization-header', AK, /although BKEND_API_KEY is set: check headerPolicy.authorization/],
  [401, 'auth/unauthorized', '', /no API key is configured: set BKEND_API_KEY in \.env to the environment's publishable key \(pk_…, sent as X-API-Key\)/],
  [401, 'UNAUTHORIZED', '', /no API key is configured: set BKEND_API_KEY/],
  [401, 'auth/unauthorized', KEY, /refused the credentials: check that BKEND_API_KEY is a current key of project \(BKEND_PROJECT_ID\) and environment dev/],
  [401, 'auth/unauthorized', PK, /refused the credentials: check that BKEND_API_KEY is a current key of environment dev \(console → API Keys/],
  [401, 'auth/invalid-token-format', KEY, /neither an API key \(pk_… publishable or sk_… secret\) nor a JWT/],
  [401, 'auth/access-token-expired', KEY, /access token expired \(they live 1 hour\): refresh it/],
  [403, 'data/permission-denied', KEY, /publishable pk_ keys are subject to the table's row-level permissions.*secret sk_ keys act as admin/],
  [403, 'data/scope-insufficient', PK, /^the key's scopes do not include this table and operation \(checked before permissions, even for admin\): use a key whose scopes include it/],
  [403, 'SCOPE_INSUFFICIENT', PK, /^the key's scopes do not include this table and operation/],
  [403, 'data/project-access-denied', PK, /^the token's project is not this project: use a key and a user token issued for this project$/],
  [404, 'data/environment-not-found', AK, /the key does not belong to environment "dev" \(X-Environment\): give dev its own key \(BKEND_API_KEY_DEV in \.env\).*\/__proxy\/api\/environment/],
  [404, 'data/environment-not-found', PK, /^the key names an environment bkend does not know: put the key issued for dev .* in BKEND_API_KEY_DEV in \.env; the key alone chooses the environment$/],
  [404, 'data/table-not-found', AK, /no table "Posts".*case-sensitive.*BKEND_ENVIRONMENT/],
  [404, 'data/table-not-found', PK, /no table "Posts" in the key's project and environment.*the key of the environment that has the table/],
  [401, 'auth/invalid-refresh-token', PK, /^the refresh token is invalid, used already, or its session is gone: sign the user in again \(refresh tokens rotate/]
]

for (const [status, code, key, expected] of UPSTREAM_CASES) {
  const kind = key === '' ? 'without a key' : `with an ${key.slice(0, 3)} key`
  t.test(`${status} ${code} ${kind} gets its hint in both log formats`, async t => {
    const { pretty, json } = await hintsOf(t, bkendError(status, code), '/v1/data/Posts?limit=5', { apiKey: key })
    t.equal(pretty.length, 1)
    t.match(pretty[0], expected)
    t.equal(json, pretty[0])
  })
}

t.test('401 auth/invalid-api-key with the injected key names the profile\'s key by fingerprint and how to check it', async t => {
  const { pretty, json } = await hintsOf(t, bkendError(401, 'auth/invalid-api-key'), '/v1/data/posts?limit=5', { apiKey: PK, headers: { 'x-api-key': 'pk_' + '9f'.repeat(32) }, config: { environment: 'staging' } })
  t.same(pretty, ['bkend does not accept the key the proxy sent in X-API-Key, the staging profile\'s (BKEND_API_KEY_STAGING, else BKEND_API_KEY): check pk_••••0a0a (67 chars) against the staging keys in the console, API Keys (a revoked or expired key, or another environment\'s, is refused), or run bkend-dev-proxy doctor'])
  t.equal(json, pretty[0])
  t.equal(shortHint(pretty[0]!), 'check pk_••••0a0a', 'the compact line keeps the fingerprint')
  t.notMatch(pretty[0], /9f9f/, 'the app\'s key, replaced by the configured one, is not the one named')
})

t.test('401 auth/invalid-api-key where the app\'s own credential went instead of the key says so', async t => {
  const appKey = 'pk_' + '9f'.repeat(32)
  const kept = await hintsOf(t, bkendError(401, 'auth/invalid-api-key'), '/v1/data/posts?limit=5', { apiKey: PK, headers: { 'x-api-key': appKey }, config: { headerPolicy: { 'x-api-key': 'ifAbsent' } } })
  t.same(kept.pretty, ['bkend does not accept the app\'s own X-API-Key pk_••••9f9f (67 chars), which went instead of the configured key pk_••••0a0a (67 chars) (headerPolicy "x-api-key" is "ifAbsent", which keeps the app\'s): fix the app\'s key, or stop the app sending X-API-Key so the proxy sends its own'])
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl'
  const bearer = await hintsOf(t, bkendError(401, 'auth/invalid-api-key'), '/v1/data/posts?limit=5', { apiKey: AK, headers: { authorization: `Bearer ${jwt}` } })
  t.match(bearer.pretty, [/^bkend does not accept the app's own Authorization Bearer JWT sha256:[0-9a-f]{8} \(\d+ chars\), which went instead of the configured key ak_••••0b0b \(67 chars\) \(headerPolicy "authorization" is "ifAbsent", the default, which keeps the app's\): fix the app's key/])
  const keyless = await hintsOf(t, bkendError(401, 'auth/invalid-api-key'), '/v1/data/posts?limit=5', { headers: { 'x-api-key': appKey } })
  t.same(keyless.pretty, ['bkend does not accept the app\'s own X-API-Key pk_••••9f9f (67 chars) (no API key is configured, so it went as the app sent it): fix the app\'s key, or set BKEND_API_KEY in .env and stop the app sending X-API-Key'])
  for (const { pretty, json } of [kept, bearer, keyless]) {
    t.equal(json, pretty[0])
    t.notMatch(pretty.join('\n') + json, /9f9f9f|0a0a0a|0b0b0b|c2lnbmF0dXJl/, 'no key or token in full')
  }
})

t.test('429 names the Retry-After', async t => {
  const { pretty } = await hintsOf(t, bkendError(429, 'common/rate-limited', { 'retry-after': '30' }), '/v1/data/posts?limit=5')
  t.same(pretty, ['rate limited by bkend: retry after 30 s (Retry-After), and slow down the loop or burst that sends these requests'])
})

t.test('a Retry-After given as a date is said in seconds, counted from the response\'s Date', async t => {
  const { pretty } = await hintsOf(t, bkendError(429, 'common/rate-limited', { 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT', date: 'Wed, 21 Oct 2026 07:28:00 GMT' }), '/v1/data/posts?limit=5')
  t.same(pretty, ['rate limited by bkend: retry after 30 s (Retry-After), and slow down the loop or burst that sends these requests'])
})

t.test('5xx from bkend says temporary, retry', async t => {
  const { pretty } = await hintsOf(t, bkendError(503, 'common/unavailable'), '/v1/data/posts?limit=5')
  t.match(pretty[0], /^bkend answered 503: a temporary server-side problem, not your request; retry with a backoff/)
})

t.test('a 2xx body is never read for an error code', async t => {
  const { pretty, json } = await hintsOf(t, bkendReply(200, { success: false, error: { code: 'auth/unauthorized' } }), '/v1/data/posts?limit=5')
  t.same(pretty, [])
  t.equal(json, undefined)
})

t.test("the app's Authorization without a space after Bearer", async t => {
  const { pretty } = await hintsOf(t, bkendError(401, 'auth/invalid-token-format'), '/v1/data/posts?limit=5', { headers: { authorization: 'BearereyJhbGciOiJIUzI1NiJ9.e30.c2ln' } })
  t.equal(pretty.length, 2)
  t.equal(pretty[1], 'the app\'s Authorization header has no space after Bearer ("Bearer<token>"): send "Authorization: Bearer <token>"')
})

t.test('an X-Environment that bkend does not know, or that conflicts with the configured one', async t => {
  const unknown = await hintsOf(t, bkendReply(200, {}), '/v1/data/posts?limit=5', { headers: { 'x-environment': 'production' } })
  t.match(unknown.pretty, [/^the app sent X-Environment: production, which bkend does not know: use dev, staging or prod/])
  const conflict = await hintsOf(t, bkendReply(200, {}), '/v1/data/posts?limit=5', { headers: { 'x-environment': 'prod' } })
  t.match(conflict.pretty, [/^the app sent X-Environment: prod but the proxy is configured for dev \(BKEND_ENVIRONMENT\)/])
})

t.test('a refused CORS origin', async t => {
  const { pretty, json } = await hintsOf(t, bkendReply(200, {}), '/v1/data/posts', { headers: { origin: 'https://app.example' } })
  t.same(pretty, ['the page https://app.example is not in CORS_ORIGINS, so the browser shows a CORS error: add it to CORS_ORIGINS in .env (comma-separated; http://localhost:* allows any port); a saved .env applies at once'])
  t.equal(json, pretty[0])
})

t.test('a path without /v1', async t => {
  const { pretty } = await hintsOf(t, bkendReply(200, {}), '/data/posts?limit=5')
  t.same(pretty, ["the path /data/posts has no /v1 prefix, so it was not forwarded: set the app's base URL to the proxy's address (no path) and keep /v1 in every request path"])
})

t.test('a large list read without limit names the limit parameter; with limit it is quiet', async t => {
  const big: FakeHandler = (_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ items: 'x'.repeat(300 * 1024) })) }
  const without = await hintsOf(t, big, '/v1/data/posts')
  t.match(without.pretty, [/^this list read took [\d.]+ s for 300 KB without a limit: page it with the limit parameter, e.g\. \/v1\/data\/posts\?limit=50/])
  const withLimit = await hintsOf(t, big, '/v1/data/posts?limit=500')
  t.same(withLimit.pretty, [])
})

t.test('a burst of the same failure gets one hint, then a count', async t => {
  const api = await startFakeApi(t, { handler: bkendError(401, 'auth/unauthorized') })
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'json' })
  for (let i = 0; i < 5; i++) await (await fetch(new URL('/v1/data/posts?limit=1', proxy.url))).text()
  const entries = (await proxy.logs()).trim().split('\n').map(line => JSON.parse(line) as LogLine)
  t.equal(entries.length, 5)
  t.same(entries.map(entry => entry.hint !== undefined), [true, false, false, false, false])
})

t.test('unit: slow list reads and upstream timeouts get the limit hint too', async t => {
  const facts: HintFacts = { method: 'GET', url: '/v1/data/posts?page=2', status: 200, answeredBy: 'upstream', durationMs: 3500, responseBytes: 2048, settings: builtInDefaults() }
  t.same(hintsFor(facts).map(hint => hint.cause), ['list-without-limit'])
  t.same(hintsFor({ ...facts, durationMs: 10 }).map(hint => hint.cause), [])
  t.same(hintsFor({ ...facts, status: 504, answeredBy: 'proxy', errorCode: 'proxy/upstream-timeout', durationMs: 10 }).map(hint => hint.text), ['this list read timed out without a limit: page it with the limit parameter, e.g. /v1/data/posts?limit=50 (and page=2, 3, …)'])
  t.same(hintsFor({ ...facts, method: 'POST' }).map(hint => hint.cause), [])
})

t.test('an app that sends its pk_ key in Authorization is told to use X-API-Key', async t => {
  const { pretty } = await hintsOf(t, bkendError(401, 'auth/invalid-access-token'), '/v1/data/posts?limit=5', { headers: { authorization: `Bearer ${PK}` } })
  t.same(pretty.slice(1), ["the app sends its pk_/sk_ key in Authorization: send it as X-API-Key: <key> (Authorization carries only the signed-in user's token), or leave it out and let BKEND_API_KEY fill X-API-Key"])
  t.notMatch(pretty.join('\n'), PK.slice(3), 'the key itself is never in a hint')
})

t.test('unit: the code is read from every body shape bkend documents, whole and cut', async t => {
  const shapes: Array<[string, string | undefined]> = [
    ['{"success":false,"error":{"code":"auth/unauthorized","message":"x"}}', 'auth/unauthorized'],
    ['{"error":{"code":"auth/invalid-credentials","message":"Invalid email or password"}}', 'auth/invalid-credentials'],
    ['{"statusCode":403,"error":"SCOPE_INSUFFICIENT","message":"API Key scope does not include posts:delete"}', 'SCOPE_INSUFFICIENT'],
    ['{"statusCode":401,"message":"X-API-Key header is required"}', 'MISSING_HEADER'],
    ['{"error":{"code":"NOT_FOUND","message":"Resource not found"}}', 'NOT_FOUND'],
    // Not codes: a numeric status, a reason phrase, a message nobody documented.
    ['{"error":{"code":401,"message":"Unauthorized: token missing"}}', undefined],
    ['{"statusCode":401,"error":"Unauthorized","message":"Unauthorized"}', undefined],
    ['{"statusCode":500,"message":"Internal server error"}', undefined],
    ['{"error":"plain"}', undefined],
    ['<html>502</html>', undefined],
    ['null', undefined],
    // Cut at the capture limit.
    ['{"success":false,"error":{"code":"data/table-not-found","message":"a very long mess', 'data/table-not-found'],
    ['{"statusCode":403,"error":"PROJECT_ACCESS_DENIED","message":"a very long mess', 'PROJECT_ACCESS_DENIED'],
    ['{"statusCode":401,"message":"X-API-Key header is required","detail":"a very long mess', 'MISSING_HEADER']
  ]
  for (const [body, code] of shapes) t.equal(bkendErrorCode(body), code, body)
})
