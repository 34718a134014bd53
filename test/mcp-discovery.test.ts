// Units of the MCP discovery rewrite (src/forward/mcp-discovery.ts) and of the whole-body
// rewrite it rides on (src/forward/rewritten-body.ts).
import t from 'tap'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { isProtectedResourcePath, mcpAddresses, proxiedAuthenticate, proxiedResourceMetadata } from '../src/forward/mcp-discovery.js'
import { rewrittenBody } from '../src/forward/rewritten-body.js'

const addresses = mcpAddresses({ mcpUrl: 'https://api.bkend.ai/mcp', mcpPrefix: '/mcp' }, 'localhost:8787')!

t.test('the 401\'s resource_metadata link moves to the proxy; other links and headers stay', async t => {
  t.equal(proxiedAuthenticate('Bearer resource_metadata="https://api.bkend.ai/.well-known/oauth-protected-resource/mcp", scope="project:read"', addresses),
    'Bearer resource_metadata="http://localhost:8787/.well-known/oauth-protected-resource/mcp", scope="project:read"')
  t.equal(proxiedAuthenticate('Bearer error="invalid_token", resource_metadata="https://api.bkend.ai/.well-known/oauth-protected-resource"', addresses),
    'Bearer error="invalid_token", resource_metadata="http://localhost:8787/.well-known/oauth-protected-resource"')
  t.equal(proxiedAuthenticate('Bearer resource_metadata="https://auth.example/.well-known/oauth-protected-resource"', addresses), undefined, 'another host')
  t.equal(proxiedAuthenticate('Bearer realm="mcp"', addresses), undefined, 'no link')
  t.equal(mcpAddresses({ mcpUrl: 'https://api.bkend.ai/mcp', mcpPrefix: '/mcp' }, undefined), undefined, 'no Host: nothing to name')
})

t.test('the protected-resource metadata names the proxy\'s /mcp; everything else in it is kept', async t => {
  const metadata = { resource: 'https://api.bkend.ai/mcp', authorization_servers: ['https://api.bkend.ai/mcp'], scopes_supported: ['project:read'] }
  t.same(JSON.parse(proxiedResourceMetadata(JSON.stringify(metadata), addresses)!), { ...metadata, resource: 'http://localhost:8787/mcp' })
  t.same(JSON.parse(proxiedResourceMetadata('{"resource":"https://api.bkend.ai"}', addresses)!), { resource: 'http://localhost:8787' }, 'the bare origin')
  t.same(JSON.parse(proxiedResourceMetadata('{"resource":"https://api.bkend.ai/mcp/v2"}', addresses)!), { resource: 'http://localhost:8787/mcp/v2' }, 'under the MCP URL')
  const proxiedPrefix = mcpAddresses({ mcpUrl: 'https://api.bkend.ai/mcp', mcpPrefix: '/bkend-mcp' }, '127.0.0.1:9000')!
  t.same(JSON.parse(proxiedResourceMetadata('{"resource":"https://api.bkend.ai/mcp"}', proxiedPrefix)!), { resource: 'http://127.0.0.1:9000/bkend-mcp' }, 'MCP_PREFIX and the Host the client used')
  for (const other of ['{"resource":"https://api.bkend.ai/mcpx"}', '{"resource":"https://other.example/mcp"}', '{"resource":5}', '[1]', 'null', '{"resource":', '<html>']) {
    t.equal(proxiedResourceMetadata(other, addresses), undefined, other)
  }
})

t.test('only protected-resource paths are rewritten', async t => {
  t.same(['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource?x=1', '/.well-known/oauth-authorization-server', '/.well-known/oauth-protected-resourcex'].map(isProtectedResourcePath), [true, true, true, false, false])
})

t.test('a body is read whole and sent changed; past the cap it goes on unchanged', async t => {
  const small = await buffer(rewrittenBody(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), text => text.replace('1', '2')))
  t.equal(small.toString(), '{"a":2}')
  const large = await buffer(rewrittenBody(Readable.from([Buffer.from('x'.repeat(10)), Buffer.from('y'.repeat(10)), Buffer.from('z')]), () => 'changed', 15))
  t.equal(large.toString(), 'x'.repeat(10) + 'y'.repeat(10) + 'z')
})
