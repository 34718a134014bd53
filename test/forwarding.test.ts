import t from 'tap'
import { startFakeApi } from './helpers/fake-api.js'
import { startProxy } from './helpers/proxy.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

t.test('adds the key, project and environment headers', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p1', environment: 'staging' })
  const res = await fetch(new URL('/v1/data/posts', proxy.url))
  t.equal(res.status, 200)
  t.equal(api.received.length, 1)
  const headers = api.received[0]!.headers
  t.same([headers.authorization, headers['x-project-id'], headers['x-environment']], [`Bearer ${KEY}`, 'p1', 'staging'])
})
