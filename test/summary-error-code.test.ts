// The pretty summary line names bkend's error.code whenever the body carries one, hint or
// no hint: a code bkend adds tomorrow is still read off the line.
import t from 'tap'
import { startProxy } from './helpers/proxy.js'
import { bkendReply, startFakeApi } from './helpers/fake-upstream.js'

t.test('a code with no hint of its own is on the summary line', async t => {
  const api = await startFakeApi(t, { handler: bkendReply(401, { success: false, error: { code: 'auth/brand-new-code', message: 'new' } }) })
  const proxy = await startProxy(t, { apiUrl: api.url })
  await (await fetch(new URL('/v1/data/posts', proxy.url))).text()
  t.match(await proxy.logs(), /^\* #1 401 Unauthorized auth\/brand-new-code in [\d.]+ ms, \d+ bytes$/m)
})

t.test('a success has no code, and a proxy error keeps its own form', async t => {
  const proxy = await startProxy(t, { apiUrl: 'http://127.0.0.1:9' })
  await (await fetch(new URL('/v1/data/posts', proxy.url))).text()
  t.match(await proxy.logs(), /^\* #1 502 Bad Gateway proxy\/upstream-unreachable in [\d.]+ ms: /m)
})
