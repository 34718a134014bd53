// The signed-in user's token as the log shows it: a fingerprint and decoded, unverified
// claims with times relative to the request, and the expired-token hint built from them.
// Pure, with the clock pinned.
import t from 'tap'
import { createHash } from 'node:crypto'
import { describeUserToken, userTokenOf } from '../src/log/user-token.js'
import { expiredTokenHint } from '../src/diagnose/token-expiry-hint.js'
import { hintsFor } from '../src/diagnose/hints.js'
import { formatExchange } from '../src/log/curl-format.js'
import type { ExchangeRecord } from '../src/log/exchange.js'
import { userJwt } from './helpers/bkend-credentials.js'

const NOW_MS = Date.UTC(2026, 2, 1, 12, 0, 0)
const NOW_S = NOW_MS / 1000
const TOKEN = userJwt({ sub: 'u_42', role: 'authenticated', iat: NOW_S - 18 * 60, exp: NOW_S + 42 * 60 + 30 })
const FINGERPRINT = `JWT sha256:${createHash('sha256').update(TOKEN).digest('hex').slice(0, 8)} (${TOKEN.length} chars)`

t.test('a Bearer JWT: fingerprint, subject, role, issued and expiry relative to the request, marked unverified', async t => {
  const token = userTokenOf(`Bearer ${TOKEN}`, NOW_MS)
  t.same(token, { fingerprint: FINGERPRINT, sub: 'u_42', role: 'authenticated', iat: NOW_S - 1080, exp: NOW_S + 2550, issued: 'issued 18 min ago', expiry: 'expires in 42 min', verified: false })
  t.equal(describeUserToken(token!), 'sub u_42, role authenticated, issued 18 min ago, expires in 42 min (claims not verified)')
  t.notMatch(JSON.stringify(token), TOKEN.split('.')[2]!, 'no part of the signature')
  t.notMatch(JSON.stringify(token), TOKEN.split('.')[1]!, 'nor the encoded payload')
})

t.test('expired, a group instead of a role, long and listed claims', async t => {
  const expired = userTokenOf(`bearer ${userJwt({ sub: 'u_1', groups: ['user', 'beta'], exp: NOW_S - 3 * 60 - 5 })}`, NOW_MS)!
  t.same([expired.group, expired.expiry, expired.role, expired.issued], ['user,beta', 'expired 3 min ago', undefined, undefined])
  t.equal(describeUserToken(expired), 'sub u_1, group user,beta, expired 3 min ago (claims not verified)')
  const far = userTokenOf(`Bearer ${userJwt({ sub: 'x'.repeat(200), exp: NOW_S + 3 * 86400 })}`, NOW_MS)!
  t.same([far.sub, far.expiry], [`${'x'.repeat(80)}…`, 'expires in 3 days'])
  t.equal(describeUserToken(userTokenOf(`Bearer ${userJwt({})}`, NOW_MS)!), 'no expiry claim (claims not verified)')
})

t.test('what is not a user JWT gives nothing', async t => {
  for (const value of [undefined, '', 'Bearer pk_0123', `Basic ${TOKEN}`, 'Bearer eyJ.bm90IGpzb24.sig', `Bearer ${TOKEN} extra`, `Bearer ${Buffer.from('{"a":1}').toString('base64url')}.W10.sig`]) {
    t.equal(userTokenOf(value, NOW_MS), undefined, String(value))
  }
})

t.test('the curl -v block shows the fingerprint on the header line and the claims on a line of their own', async t => {
  const record = {
    id: 3, method: 'GET', url: '/v1/auth/me', target: 'https://api.test/v1/auth/me', answeredBy: 'upstream', notes: [],
    request: { line: 'GET /v1/auth/me HTTP/1.1', headers: [['authorization', `Bearer ${FINGERPRINT}`]] },
    response: { line: 'HTTP/1.1 200 OK', status: 200, headers: [] },
    userToken: userTokenOf(`Bearer ${TOKEN}`, NOW_MS), durationMs: 5, bytes: 2, completed: true
  } as unknown as ExchangeRecord
  t.equal(formatExchange(record).split('\n').slice(0, 3).join('\n'), [
    '* #3 GET /v1/auth/me → https://api.test/v1/auth/me',
    `* #3 user token ${FINGERPRINT}: sub u_42, role authenticated, issued 18 min ago, expires in 42 min (claims not verified)`,
    '> GET /v1/auth/me HTTP/1.1'
  ].join('\n'))
})

t.test('401 auth/access-token-expired: the hint says when the token expired and to refresh once', async t => {
  const expired = `Bearer ${userJwt({ sub: 'u_1', exp: NOW_S - 185 })}`
  const facts = { status: 401, errorCode: 'auth/access-token-expired', clientAuthorization: expired }
  t.match(expiredTokenHint(facts, NOW_MS), { cause: '401 auth/access-token-expired', text: /^the token expired 3 min ago \(JWT sha256:[0-9a-f]{8} \(\d+ chars\), exp claim not verified\): refresh with POST \/v1\/auth\/refresh and retry once \(refresh tokens rotate: send each one only once, or bkend ends every session of the user\)$/ })
  t.match(expiredTokenHint({ ...facts, clientAuthorization: `Bearer ${userJwt({ exp: NOW_S + 120 })}` }, NOW_MS)?.text, /^bkend says the token expired, but its exp claim says it expires in 2 min .*: this machine's clock may be off, or the session was ended; refresh with POST \/v1\/auth\/refresh and retry once/)
  t.equal(expiredTokenHint({ ...facts, clientAuthorization: undefined }, NOW_MS), undefined, 'no token: the table\'s row speaks')
  t.equal(expiredTokenHint({ ...facts, errorCode: 'auth/unauthorized' }, NOW_MS), undefined)
  // hintsFor reads the real clock: a token that expired 3 minutes before it.
  const justExpired = `Bearer ${userJwt({ sub: 'u_1', exp: Math.floor(Date.now() / 1000) - 185 })}`
  const hints = hintsFor({ method: 'GET', url: '/v1/auth/me', status: 401, answeredBy: 'upstream', errorCode: 'auth/access-token-expired', clientAuthorization: justExpired, durationMs: 1, responseBytes: 0 })
  t.equal(hints.length, 1, 'it takes the place of the table\'s general row')
  t.match(hints[0]!.text, /^the token expired 3 min ago/)
})
