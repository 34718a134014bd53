import t from 'tap'
import { buildUpstreamHeaders, configuredHeaders } from '../src/forward/upstream-headers.js'
import { testConfig } from './helpers/proxy.js'
import type { Config } from '../src/config/settings.js'

function outbound (incoming: Record<string, string>, overrides: Partial<Config> = {}): ReturnType<typeof buildUpstreamHeaders> {
  const config = testConfig({ apiKey: 'sk_test_0123456789abcdefghijklmn', projectId: 'p1', ...overrides })
  return buildUpstreamHeaders(incoming, { config, injectable: configuredHeaders(config) })
}

t.test('injects Authorization, X-Project-Id and X-Environment', async t => {
  const result = outbound({ host: 'api.test', accept: '*/*' })
  t.same(result.headers, { host: 'api.test', accept: '*/*', authorization: 'Bearer sk_test_0123456789abcdefghijklmn', 'x-project-id': 'p1', 'x-environment': 'dev' })
  t.same(result.injected, ['authorization', 'x-project-id', 'x-environment'])
  t.same(result.notes, [])
})

t.test('a key that already starts with "Bearer " is not doubled', async t => {
  t.equal(outbound({}, { apiKey: 'Bearer eyJhbGciOi.payload.sig' }).headers.authorization, 'Bearer eyJhbGciOi.payload.sig')
})

t.test('without a key no Authorization is added', async t => {
  const result = outbound({}, { apiKey: '' })
  t.equal(result.headers.authorization, undefined)
  t.notOk(result.injected.includes('authorization'))
})

t.test("the client's own Authorization is kept by default, silently", async t => {
  const result = outbound({ authorization: 'Bearer user.jwt.sig' })
  t.equal(result.headers.authorization, 'Bearer user.jwt.sig')
  t.notOk(result.injected.includes('authorization'))
  t.same(result.notes, [])
})

t.test('configured project and environment win, and the conflict is reported', async t => {
  const result = outbound({ 'x-environment': 'prod', 'x-project-id': 'p1' })
  t.equal(result.headers['x-environment'], 'dev')
  t.equal(result.notes.length, 1)
  t.match(result.notes[0], /client sent x-environment: prod; replaced with the configured dev/)
})

t.test('each header policy is configurable', async t => {
  const always = outbound({ authorization: 'Bearer user.jwt.sig' }, { headerPolicy: { authorization: 'set' } })
  t.equal(always.headers.authorization, 'Bearer sk_test_0123456789abcdefghijklmn')
  t.match(always.notes[0], /client sent authorization: Bearer •••• \(12 chars\); replaced with the configured Bearer sk_t/)
  t.notMatch(always.notes[0], 'sk_test_0123456789abcdefghijklmn', 'the conflict note never shows the key')
  const keepClient = outbound({ 'x-environment': 'staging' }, { headerPolicy: { 'x-environment': 'ifAbsent' } })
  t.equal(keepClient.headers['x-environment'], 'staging')
})

t.test('extra configured headers are injected with policy set by default', async t => {
  const result = outbound({ 'x-client': 'browser' }, { headers: { 'x-client': 'dev-proxy', 'x-trace': 'on' } })
  t.same([result.headers['x-client'], result.headers['x-trace']], ['dev-proxy', 'on'])
})

t.test('hop-by-hop, forwarding and browser-only headers are not forwarded', async t => {
  const result = outbound({
    connection: 'keep-alive', 'keep-alive': 'timeout=5', upgrade: 'h2c', te: 'trailers',
    'proxy-authorization': 'Basic abc', 'proxy-connection': 'keep-alive', expect: '100-continue',
    'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.example', forwarded: 'for=6.6.6.6', 'x-real-ip': '6.6.6.6',
    'x-forwarded-prefix': '/admin', 'x-forwarded-ssl': 'on', proxy: 'http://evil.example:8080', 'proxy-foo': 'bar',
    origin: 'http://localhost:3000', 'content-type': 'application/json'
  })
  t.same(Object.keys(result.headers).sort(), ['authorization', 'content-type', 'x-environment', 'x-project-id'])
})

t.test('the browser Origin is forwarded when asked to', async t => {
  t.equal(outbound({ origin: 'http://localhost:3000' }, { forwardOrigin: true }).headers.origin, 'http://localhost:3000')
})

t.test('the incoming headers object is left untouched', async t => {
  const incoming = Object.freeze({ 'x-environment': 'prod', connection: 'close' })
  outbound(incoming)
  t.same(incoming, { 'x-environment': 'prod', connection: 'close' })
})
