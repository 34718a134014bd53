// canonicalTarget, pure: which request targets are read as which path, and which are refused.
import t from 'tap'
import { canonicalTarget, shownTarget } from '../src/guard/canonical-path.js'

const HOST = 'localhost:8787'

t.test('escapes of letters, digits and -._~ are decoded in the path, in either case of hex; nothing else changes', async t => {
  const cases: Array<[string, string]> = [
    ['/v1/data/posts?limit=2', '/v1/data/posts?limit=2'],
    ['/%761/data/posts', '/v1/data/posts'],
    ['/v%31/data/posts/1', '/v1/data/posts/1'],
    ['/%6D%63%70/sub', '/mcp/sub'],
    ['/%6d%63%70/sub', '/mcp/sub'],
    ['/%5F_proxy/api/environment', '/__proxy/api/environment'],
    ['/%5f%5Fproxy/api/exchanges', '/__proxy/api/exchanges'],
    ['/v1/a%2Db%2E%5Fc%7E', '/v1/a-b._c~'],
    ['/v1/a%2Fb%2fc%20d%E2%82%AC%25', '/v1/a%2Fb%2fc%20d%E2%82%AC%25'],
    ['/v1/%2541', '/v1/%2541'],
    ['/v1/%zz%4', '/v1/%zz%4'],
    ['/v1/data?q=%76%31&p=/../x#y', '/v1/data?q=%76%31&p=/../x#y'],
    ['/v1/..data/.hidden/a..', '/v1/..data/.hidden/a..'],
    ['*', '*'],
    ['localhost:8787', 'localhost:8787']
  ]
  for (const [target, url] of cases) t.same(canonicalTarget(target, HOST), { url }, target)
})

t.test('an absolute-form target for this Host is read as its origin-form', async t => {
  t.same(canonicalTarget('http://localhost:8787/v1/data/posts?x=1', HOST), { url: '/v1/data/posts?x=1' })
  t.same(canonicalTarget('HTTP://LocalHost:8787/%761/x', HOST), { url: '/v1/x' })
  t.same(canonicalTarget('http://localhost:8787', HOST), { url: '/' })
  t.same(canonicalTarget('http://localhost:8787?x=1', HOST), { url: '/?x=1' })
})

t.test('dot segments, fragments and absolute-form targets for another server are refused', async t => {
  const dot = /dot segment/
  const cases: Array<[string, RegExp]> = [
    ['/v1/../mcp', dot],
    ['/v1/%2e%2e/mcp', dot],
    ['/v1/.%2E/mcp', dot],
    ['/v1/./x', dot],
    ['/v1/%2e/x', dot],
    ['/v1/x/.', dot],
    ['/v1/x/..', dot],
    ['/v1/x/..?a=1', dot],
    ['/v1/x\\..\\..\\mcp', dot],
    ['/v1#frag', /fragment/],
    ['/v1/x/#/../mcp', /fragment/],
    ['http://127.0.0.1:8787/v1/x', /another scheme or server/],
    ['https://localhost:8787/v1/x', /another scheme or server/],
    ['http://user@localhost:8787/v1/x', /another scheme or server/],
    ['http://localhost:8787/v1/../mcp', dot]
  ]
  for (const [target, reason] of cases) {
    const verdict = canonicalTarget(target, HOST)
    t.match('refusal' in verdict ? verdict.refusal : `read as ${verdict.url}`, reason, target)
  }
  t.match(canonicalTarget('http://localhost:8787/v1', undefined), { refusal: /another scheme or server/ }, 'no Host to compare with')
})

t.test('notes show a target without its query or userinfo', async t => {
  t.equal(shownTarget('/%761/data?api_key=sk_live_x'), '/%761/data')
  t.equal(shownTarget('http://user:secret@localhost/v1/x?k=v'), 'http://…@localhost/v1/x')
})
