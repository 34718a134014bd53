// Headers a client could use to lie about where a request came from, or which URL it
// asked for, never reach the upstream: the forwarding families, the client-address
// headers of CDNs and load balancers, the URL-override headers, and their underscore
// spellings (CGI-style stacks read X_Forwarded_For as HTTP_X_FORWARDED_FOR, the same as
// X-Forwarded-For). Sent over a raw socket, as Node accepts underscores in header names;
// the recording upstream says what arrived.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { WireClient } from './helpers/raw-client.js'
import { startProxy } from './helpers/proxy.js'

const KEY = 'sk_test_CANARY0123456789abcdefghij'

const STRIPPED = [
  'True-Client-IP: 203.0.113.1',
  'X-Client-IP: 203.0.113.2',
  'CF-Connecting-IP: 203.0.113.3',
  'X-Original-URL: /v1/admin',
  'X-Rewrite-URL: /v1/admin',
  'X_Forwarded_For: 203.0.113.4',
  'x_real_ip: 203.0.113.5',
  'Proxy_Foo: bar',
  'X_FORWARDED_HOST: evil.example',
  'X-Forwarded_Proto: https',
  'true_client_ip: 203.0.113.6',
  'X_Original_URL: /v1/admin',
  'cf_connecting_ip: 203.0.113.7',
  'X_Project_Id: someone-elses-project',
  'X_Environment: prod'
]

const KEPT = ['X-Custom-Trace: kept-1', 'x_custom_thing: kept-2', 'X-Request-Id: kept-3']

t.test('client-address and URL-override headers, in any spelling with _ for -, are not forwarded', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, apiKey: KEY, projectId: 'p-mine' })
  const client = await WireClient.connect(proxy.port)
  client.send(`GET /v1/data/posts HTTP/1.1\r\nHost: localhost:${proxy.port}\r\n${[...STRIPPED, ...KEPT].map(line => line + '\r\n').join('')}\r\n`)
  const response = await client.read()
  client.destroy()
  t.equal(response?.status, 200)
  const received = api.received[0]!.headers
  const names = Object.keys(received)
  for (const line of STRIPPED) {
    const name = line.slice(0, line.indexOf(':')).toLowerCase()
    t.notOk(names.includes(name), `${name} is not forwarded`)
  }
  t.same(KEPT.map(line => received[line.slice(0, line.indexOf(':')).toLowerCase()]), ['kept-1', 'kept-2', 'kept-3'], 'other headers, underscores or not, are')
  t.same([received['x-project-id'], received['x-environment'], received.authorization], ['p-mine', 'dev', `Bearer ${KEY}`], 'the configured values go alone')
  t.notOk(names.some(name => /forwarded|real.ip|client.ip|connecting.ip|original.url|rewrite.url/.test(name)), 'nothing of those families is left')
  t.match(await proxy.logs(), /note: dropped the client's x_project_id: servers that read _ as - would take it for x-project-id, which the proxy sets/)
})
