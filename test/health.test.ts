// The health route: what it reports about the configuration, and that it never shows the key.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { VERSION } from '../src/config/version.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'

t.test('health reports the configuration and never the key', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, mcpUrl: `${api.url}/mcp`, apiKey: KEY, projectId: 'p1', environment: 'staging', allowedHosts: ['bkend-proxy'] })
  const res = await fetch(new URL('/__proxy/health', proxy.url))
  const text = await res.text()
  t.equal(res.status, 200)
  const body = JSON.parse(text) as Record<string, unknown>
  t.same(Object.keys(body).sort(), ['allowedHosts', 'allowedOrigins', 'authScheme', 'droppedLogLines', 'environment', 'environments', 'inspectorUrl', 'keySet', 'mcpUpstream', 'prodReadOnly', 'projectId', 'status', 'upstream', 'version'])
  t.equal(body.inspectorUrl, `${proxy.inspectorUrl}/__proxy/`, 'the inspector\'s page, on its own port')
  t.same(
    [body.status, body.version, body.upstream, body.mcpUpstream, body.environment, body.projectId, body.keySet, body.authScheme],
    ['ok', VERSION, api.url, `${api.url}/mcp`, 'staging', 'p1', true, 'bearer']
  )
  t.same(body.allowedOrigins, proxy.config.corsOrigins)
  t.ok((body.allowedHosts as string[]).includes('bkend-proxy'), 'lists the configured extra host')
  t.notMatch(text, KEY)
  t.notMatch(text, KEY.slice(-12), 'not even the end of the key')
  t.equal(api.started, 0, 'health never reaches the upstream')
})
