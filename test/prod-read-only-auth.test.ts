// Prod read-only stops writes, not sign-in: while prod is active with PROD_READ_ONLY on,
// POST to bkend's sign-in, magic-link and social callbacks, refresh and sign-out reaches the
// upstream; every other auth call (sign-up, password, MFA, withdrawal, invitations, an
// organization switch) gets 403 proxy/prod-read-only naming the call and the switch, and
// nothing goes upstream, however the path is spelt.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { READ_ONLY_AUTH_POSTS } from '../src/guard/auth-read-only.js'
import { READ_ONLY_MCP_METHODS } from '../src/guard/mcp-read-only.js'
import { startFakeApi } from './helpers/fake-upstream.js'
import { WireClient, errorOf } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'

const PROD_KEY = 'sk_live_PRDKEY0123456789abcdefghijprd3'

async function post (port: number, target: string, headers: string[] = []): Promise<{ status: number, code?: string, message?: string }> {
  const client = await WireClient.connect(port)
  try {
    const body = '{"refreshToken":"r1"}'
    client.send(`POST ${target} HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${headers.map(line => line + '\r\n').join('')}\r\n${body}`)
    const response = await client.read()
    return { status: response?.status ?? 0, ...errorOf(response) }
  } finally {
    client.destroy()
  }
}

t.test('in prod read-only, sign-in, magic-link and social callbacks, refresh and sign-out reach the upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: PROD_KEY, environment: 'prod' })
  const passing = ['/v1/auth/email/signin', '/v1/auth/email/callback', '/v1/auth/google/callback', '/v1/auth/github/callback', '/v1/auth/refresh', '/v1/auth/signout', '/v1/auth/refresh?from=app', '/v1/auth/%72efresh']
  for (const target of passing) t.equal((await post(proxy.port, target)).status, 200, target)
  t.same(api.received.map(request => `${request.method} ${request.url}`), passing.map(target => `POST ${target.replace('%72', 'r')}`), 'each reached the upstream once, as POST')
  t.equal(api.received[0]!.body, '{"refreshToken":"r1"}', 'with its body')
  t.equal((await fetch(new URL('/v1/auth/me', proxy.url))).status, 200, 'GET /v1/auth/me is a read')
})

t.test('in prod read-only, auth calls that create or change an account or user are refused, naming the call and the switch', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: PROD_KEY, environment: 'prod' })
  const refused = [
    '/v1/auth/email/signup', '/v1/auth/password/change', '/v1/auth/password/reset/request', '/v1/auth/password/reset/confirm',
    '/v1/auth/withdraw', '/v1/auth/switch-organization', '/v1/auth/mfa/enable', '/v1/auth/mfa/disable', '/v1/auth/accounts',
    '/v1/auth/invitations/accept', '/v1/auth/email/verify/confirm', '/v1/auth/signup/email/resend',
    // spelt to look like an allowed call
    '/v1/auth/email/sign%75p', '/v1/auth/email/signin%2F..%2Fsignup', '/v1/auth/refresh/', '/v1/auth/REFRESH', '/v1/auth/refresh;x',
    '/v1/auth/signout/withdraw', '/v1/auth/facebook/callback', '/v1/data/auth/refresh'
  ]
  for (const target of refused) {
    const answer = await post(proxy.port, target)
    t.same([answer.status, answer.code], [403, 'proxy/prod-read-only'], target)
    t.match(answer.message, /PROD_READ_ONLY=false/, 'the message names the switch')
  }
  const signup = await post(proxy.port, '/v1/auth/email/signup')
  t.match(signup.message, /POST \/v1\/auth\/email\/signup \(an auth call that creates or changes an account or user; only sign-in, token refresh and sign-out go through\) is refused/, 'and what was refused')
  const overridden = await post(proxy.port, '/v1/auth/signout', ['X-HTTP-Method-Override: DELETE'])
  t.same([overridden.status, overridden.code], [403, 'proxy/prod-read-only'], 'an allowed path with a method override naming another write')
  t.match(overridden.message, /X-HTTP-Method-Override: DELETE/)
  const dotted = await post(proxy.port, '/v1/auth/refresh/%2e%2e/withdraw')
  t.same([dotted.status, dotted.code], [400, 'proxy/non-canonical-path'], 'a dot segment is refused before')
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    const res = await fetch(new URL('/v1/auth/signout', proxy.url), { method })
    t.equal(res.status, 403, `${method} to an allowed path is still a write`)
  }
  t.equal(api.started, 0, 'zero upstream requests')
})

t.test('the README lists exactly the auth calls and MCP methods prod read-only lets through', async t => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('### What prod read-only lets through'), readme.indexOf('\n## ', readme.indexOf('### What prod read-only lets through')))
  const tableRows = section.split('\n').filter(line => line.startsWith('| `/v1/auth/'))
  const listed = tableRows.flatMap(row => [...row.split(' | ')[0]!.matchAll(/`(\/v1\/auth\/[^`]+)`/g)].map(match => match[1]))
  t.same(listed.sort(), READ_ONLY_AUTH_POSTS.map(path => `/v1${path}`).sort())
  for (const method of READ_ONLY_MCP_METHODS) t.match(section, `\`${method}\``, method)
})
