// The signed-in user's token through the real proxy: every log format, the inspector's
// list, detail and HAR, and copy-as-curl show its fingerprint and unverified claims, never
// the token or its signature; curl names it $BKEND_USER_TOKEN. An expired one's 401
// gets the hint that says when it expired.
import t from 'tap'
import { bkendReply, startFakeApi, type FakeHandler } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { documentedKey, minutesFromNow, userJwt } from './helpers/bkend-credentials.js'

const PK = documentedKey('pk', 'a001')
const TOKEN = userJwt({ sub: 'u_42', role: 'authenticated', iat: minutesFromNow(-18), exp: minutesFromNow(42.5) })
const EXPIRED = userJwt({ sub: 'u_42', exp: minutesFromNow(-3.1) })
const [, PAYLOAD, SIGNATURE] = TOKEN.split('.') as [string, string, string]

/** Any sign of a token in a text: either whole token, its encoded payload or its signature. */
function tokenTraces (text: string): string[] {
  return [TOKEN, EXPIRED, PAYLOAD, SIGNATURE, EXPIRED.split('.')[1]!].filter(piece => text.includes(piece))
}

const upstream: FakeHandler = (req, res, body) => {
  if (req.url!.startsWith('/v1/auth/me')) bkendReply(401, { success: false, error: { code: 'auth/access-token-expired', message: 'Access token expired' } })(req, res, body)
  else bkendReply(200, { success: true, data: { items: [] } })(req, res, body)
}

async function traffic (t: typeof import('tap'), logFormat: 'pretty' | 'compact' | 'json') {
  const api = await startFakeApi(t, { handler: upstream })
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: PK, logFormat, logCurl: true })
  const ok = await fetch(new URL('/v1/data/posts?limit=1', proxy.url), { headers: { authorization: `Bearer ${TOKEN}` } })
  const expired = await fetch(new URL('/v1/auth/me', proxy.url), { headers: { authorization: `Bearer ${EXPIRED}` } })
  t.same([ok.status, expired.status], [200, 401])
  await Promise.all([ok.text(), expired.text()])
  t.same(api.received.map(request => request.headers.authorization), [`Bearer ${TOKEN}`, `Bearer ${EXPIRED}`], 'the tokens went upstream untouched')
  return { proxy, logs: await proxy.logs() }
}

t.test('pretty: the claims line, the fingerprint in the header, the hint; never the token', async t => {
  const { logs } = await traffic(t, 'pretty')
  t.match(logs, /\* #1 user token JWT sha256:[0-9a-f]{8} \(\d+ chars\): sub u_42, role authenticated, issued 18 min ago, expires in 42 min \(claims not verified\)\n/)
  t.match(logs, /> authorization: Bearer JWT sha256:[0-9a-f]{8} \(\d+ chars\)\n/)
  t.match(logs, /\* hint: the token expired 3 min ago \(JWT sha256:[0-9a-f]{8} \(\d+ chars\), exp claim not verified\): refresh with POST \/v1\/auth\/refresh and retry once/)
  t.match(logs, /^curl -v 'http[^\n]*-H "Authorization: Bearer \$BKEND_USER_TOKEN"[^\n]*-H "X-Api-Key: \$BKEND_API_KEY"/m)
  t.same(tokenTraces(logs), [])
})

t.test('compact: the expired token\'s hint in short; never the token', async t => {
  const { logs } = await traffic(t, 'compact')
  t.match(logs, /#2 GET \/v1\/auth\/me 401 .* auth\/access-token-expired {2}hint: refresh with POST \/v1\/auth\/refresh and retry once/)
  t.same(tokenTraces(logs), [])
})

t.test('json: userToken in the record with its claims; never the token', async t => {
  const { logs } = await traffic(t, 'json')
  const lines = logs.trim().split('\n').map(line => JSON.parse(line) as { id?: number, exchange?: { userToken?: Record<string, unknown> }, curl?: string, hint?: string })
  const first = lines.find(line => line.id === 1)!
  t.match(first.exchange?.userToken, { fingerprint: /^JWT sha256:[0-9a-f]{8} \(\d+ chars\)$/, sub: 'u_42', role: 'authenticated', issued: 'issued 18 min ago', expiry: 'expires in 42 min', verified: false })
  t.match(first.curl, '"Authorization: Bearer $BKEND_USER_TOKEN"')
  t.match(lines.find(line => line.id === 2)?.hint, /^the token expired 3 min ago/)
  t.same(tokenTraces(logs), [])
})

t.test('inspector: the detail carries the claims, the list, detail and HAR never the token', async t => {
  const { proxy } = await traffic(t, 'pretty')
  const api = (path: string): Promise<string> => fetch(new URL(`/__proxy/api/${path}`, proxy.inspectorUrl)).then(res => res.text())
  const detail = JSON.parse(await api('exchanges/1')) as { userToken: Record<string, unknown>, curlVerbose: string, curl: string, request: { headers: Array<{ name: string, value: string }> } }
  t.match(detail.userToken, { sub: 'u_42', expiry: 'expires in 42 min', verified: false })
  t.match(detail.curlVerbose, /\* #1 user token JWT sha256:[0-9a-f]{8} \(\d+ chars\): sub u_42/)
  t.match(detail.curl, '"Authorization: Bearer $BKEND_USER_TOKEN"')
  t.match(detail.request.headers.find(header => header.name === 'authorization')?.value, /^Bearer JWT sha256:[0-9a-f]{8} \(\d+ chars\)$/)
  const everything = [await api('exchanges'), await api('exchanges/1'), await api('exchanges/2'), await api('har')].join('\n')
  t.match(everything, /the token expired 3 min ago/, 'the hint is in the inspector too')
  t.same(tokenTraces(everything), [])
})
