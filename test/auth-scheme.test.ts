// Both of bkend's auth schemes, chosen by the key's format or forced by BKEND_AUTH_SCHEME,
// as a recording upstream on loopback receives them: today's X-API-Key (pk_/sk_), where
// the app's own Authorization is the signed-in user's and always passes untouched, and
// the original Authorization: Bearer with X-Project-Id and X-Environment (ak_ and others).
// A frontend written from today's docs and one written from the old page both work.
import t from 'tap'
import { startFakeApi, type ReceivedRequest } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { documentedKey, userJwt } from './helpers/bkend-credentials.js'
import { chooseAuthScheme, keyKind } from '../src/config/auth-scheme.js'
import type { Config } from '../src/config/settings.js'

const PK = documentedKey('pk', 'a001')
const SK = documentedKey('sk', 'b002')
const AK = documentedKey('ak', 'c003')
const OTHER = 'sk_test_0123456789abcdefghijklmnopqr9f2c'
const USER_TOKEN = userJwt({ sub: 'u_42', role: 'user', exp: 4102444800 })

const AUTH_HEADERS = ['x-api-key', 'authorization', 'x-project-id', 'x-environment'] as const

/** The auth headers the upstream received for one request, absent ones left out. */
function authOf (request: ReceivedRequest | undefined): Record<string, string> {
  const seen: Record<string, string> = {}
  for (const name of AUTH_HEADERS) {
    const value = request?.headers[name]
    if (value !== undefined) seen[name] = String(value)
  }
  return seen
}

async function sentUpstream (t: typeof import('tap'), overrides: Partial<Config>, request: { path?: string, headers?: Record<string, string> } = {}): Promise<{ auth: Record<string, string>, logs: () => Promise<string> }> {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, mcpUrl: `${api.url}/mcp`, projectId: 'p1', ...overrides })
  const res = await fetch(new URL(request.path ?? '/v1/data/posts?limit=1', proxy.url), { headers: request.headers })
  t.equal(res.status, 200)
  await res.text()
  return { auth: authOf(api.received[0]), logs: proxy.logs }
}

t.test('the documented formats, and what auto makes of each', async t => {
  t.same([PK, SK, AK, OTHER, ''].map(keyKind), ['publishable', 'secret', 'original', 'other', 'none'])
  t.same([PK, SK, AK, OTHER, ''].map(key => chooseAuthScheme(key, 'auto').scheme), ['api-key', 'api-key', 'bearer', 'bearer', 'bearer'])
  t.equal(keyKind(`pk_${'g'.repeat(64)}`), 'other', 'hex only')
  t.equal(keyKind(`${PK}0`), 'other', '64 hex characters, not 65')
  t.same(chooseAuthScheme(AK, 'api-key'), { scheme: 'api-key', kind: 'original', auto: false })
})

t.test('auto, chosen by the key: each kind as the upstream receives it', async t => {
  const cases: Array<[string, string, Record<string, string>]> = [
    ['pk_ → X-API-Key, no project or environment header', PK, { 'x-api-key': PK }],
    ['sk_ → X-API-Key', SK, { 'x-api-key': SK }],
    ['ak_ → the original scheme exactly as before', AK, { authorization: `Bearer ${AK}`, 'x-project-id': 'p1', 'x-environment': 'dev' }],
    ['another format → the original scheme', OTHER, { authorization: `Bearer ${OTHER}`, 'x-project-id': 'p1', 'x-environment': 'dev' }],
    ['no key → the original scheme\'s project and environment', '', { 'x-project-id': 'p1', 'x-environment': 'dev' }]
  ]
  for (const [name, apiKey, expected] of cases) {
    const { auth } = await sentUpstream(t, { apiKey })
    t.same(auth, expected, name)
  }
})

t.test('BKEND_AUTH_SCHEME forces the scheme whatever the key', async t => {
  t.same((await sentUpstream(t, { apiKey: PK, authScheme: 'bearer' })).auth, { authorization: `Bearer ${PK}`, 'x-project-id': 'p1', 'x-environment': 'dev' }, 'bearer with a pk_ key')
  t.same((await sentUpstream(t, { apiKey: AK, authScheme: 'api-key' })).auth, { 'x-api-key': AK }, 'api-key with an ak_ key')
  t.same((await sentUpstream(t, { apiKey: OTHER, authScheme: 'api-key' })).auth, { 'x-api-key': OTHER }, 'api-key with another format')
  t.same((await sentUpstream(t, { apiKey: `Bearer ${PK}`, authScheme: 'api-key' })).auth, { 'x-api-key': PK }, 'a "Bearer " written before the key is not part of X-API-Key')
  t.same((await sentUpstream(t, { apiKey: '', authScheme: 'api-key' })).auth, {}, 'api-key without a key: nothing injected')
})

t.test('in the api-key scheme X-Project-Id and X-Environment go only when set in headers', async t => {
  const { auth } = await sentUpstream(t, { apiKey: PK, headers: { 'x-environment': 'dev', 'x-project-id': 'p9' } })
  t.same(auth, { 'x-api-key': PK, 'x-project-id': 'p9', 'x-environment': 'dev' })
})

t.test("a frontend written from today's docs works unchanged: its X-API-Key is replaced by the configured one, its user token passes", async t => {
  const today = { 'x-api-key': documentedKey('pk', 'ffff'), authorization: `Bearer ${USER_TOKEN}` }
  const { auth, logs } = await sentUpstream(t, { apiKey: PK }, { headers: today })
  t.same(auth, { 'x-api-key': PK, authorization: `Bearer ${USER_TOKEN}` }, 'pk_ configured')
  t.match(await logs(), /note: client sent x-api-key: pk_••••ffff \(67 chars\); replaced with the configured pk_••••a001 \(67 chars\) \(headerPolicy "x-api-key": "ifAbsent" would keep the client's\)/)
  t.same((await sentUpstream(t, { apiKey: PK, headerPolicy: { 'x-api-key': 'ifAbsent' } }, { headers: today })).auth, today, 'headerPolicy ifAbsent keeps the app\'s key')
  t.same((await sentUpstream(t, { apiKey: '' }, { headers: today })).auth, { ...today, 'x-project-id': 'p1', 'x-environment': 'dev' }, 'no key configured: the app\'s X-API-Key passes')
  t.same((await sentUpstream(t, { apiKey: AK }, { headers: today })).auth, { ...today, 'x-project-id': 'p1', 'x-environment': 'dev' }, 'ak_ configured: the app\'s X-API-Key passes, its token wins over the key as before')
})

t.test('a frontend written from the old page works unchanged, in either scheme', async t => {
  const old = { authorization: `Bearer ${USER_TOKEN}` }
  t.same((await sentUpstream(t, { apiKey: AK }, { headers: old })).auth, { authorization: `Bearer ${USER_TOKEN}`, 'x-project-id': 'p1', 'x-environment': 'dev' }, 'ak_ configured')
  t.same((await sentUpstream(t, { apiKey: PK }, { headers: old })).auth, { 'x-api-key': PK, authorization: `Bearer ${USER_TOKEN}` }, 'pk_ configured')
  const withContext = { ...old, 'x-project-id': 'p1', 'x-environment': 'dev' }
  t.same((await sentUpstream(t, { apiKey: PK }, { headers: withContext })).auth, { 'x-api-key': PK, ...withContext }, 'its own X-Project-Id and X-Environment pass as sent')
  t.same((await sentUpstream(t, { apiKey: PK }, { headers: {} })).auth, { 'x-api-key': PK }, 'without a signed-in user, Authorization stays empty: the key never takes its slot')
})

t.test("in the api-key scheme the app's Authorization is never the key's slot, whatever headerPolicy says", async t => {
  const { auth } = await sentUpstream(t, { apiKey: PK, headerPolicy: { authorization: 'set' } }, { headers: { authorization: `Bearer ${USER_TOKEN}` } })
  t.same(auth, { 'x-api-key': PK, authorization: `Bearer ${USER_TOKEN}` })
})

t.test('MCP routes get no key in the api-key scheme: the MCP client\'s own Bearer passes', async t => {
  const mcpClient = { authorization: 'Bearer mcp-oauth-access-token' }
  t.same((await sentUpstream(t, { apiKey: PK }, { path: '/mcp', headers: mcpClient })).auth, mcpClient, 'api-key scheme')
  t.same((await sentUpstream(t, { apiKey: PK }, { path: '/mcp' })).auth, {}, 'api-key scheme, no token: nothing added')
  t.same((await sentUpstream(t, { apiKey: AK }, { path: '/mcp' })).auth, { authorization: `Bearer ${AK}`, 'x-project-id': 'p1', 'x-environment': 'dev' }, 'bearer scheme: as before')
})
