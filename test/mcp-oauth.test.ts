// MCP sign-in through the proxy with the official MCP TypeScript SDK's client and its
// OAuth flow (discovery, dynamic registration, PKCE, code exchange), against a fake
// OAuth-protected MCP server on loopback whose metadata names its own URL.
import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { startFakeMcpOAuth } from './helpers/fake-mcp-oauth.js'
import { startProxy } from './helpers/proxy.js'

// Never fetched: the test reads the code off the authorization server's redirect.
const REDIRECT_URL = 'http://127.0.0.1:9/oauth/callback'

/** An MCP client's OAuth state, kept in memory; the browser's part is the test's. */
class AutoApprovingProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined
  private client: OAuthClientInformationMixed | undefined
  private saved: OAuthTokens | undefined
  private verifier = ''
  get redirectUrl (): string { return REDIRECT_URL }
  get clientMetadata (): OAuthClientMetadata {
    return { client_name: 'bkend-dev-proxy test', redirect_uris: [REDIRECT_URL], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' }
  }
  clientInformation (): OAuthClientInformationMixed | undefined { return this.client }
  saveClientInformation (client: OAuthClientInformationMixed): void { this.client = client }
  tokens (): OAuthTokens | undefined { return this.saved }
  saveTokens (tokens: OAuthTokens): void { this.saved = tokens }
  redirectToAuthorization (url: URL): void { this.authorizationUrl = url }
  saveCodeVerifier (verifier: string): void { this.verifier = verifier }
  codeVerifier (): string { return this.verifier }
}

/** The browser's part of the sign-in: open the authorization URL, come back with its redirect. */
async function approve (provider: AutoApprovingProvider): Promise<URL> {
  const answer = await fetch(provider.authorizationUrl!, { redirect: 'manual' })
  await answer.text()
  return new URL(answer.headers.get('location')!)
}

/** Connects, signs in when told to, connects again and lists the tools. */
async function signInAndListTools (mcpUrl: string): Promise<{ tools: string[], provider: AutoApprovingProvider }> {
  const provider = new AutoApprovingProvider()
  const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider })
  await new Client({ name: 'test', version: '1.0.0' }).connect(first).then(
    () => { throw new Error('connected without signing in') },
    (error: unknown) => { if (!(error instanceof UnauthorizedError)) throw error }
  )
  const callback = await approve(provider)
  const code = callback.searchParams.get('code')
  if (code === null) throw new Error(`the authorization server refused: ${callback.searchParams.get('error')} (${callback.searchParams.get('error_description')})`)
  await first.finishAuth(code)
  const client = new Client({ name: 'test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }))
  const { tools } = await client.listTools()
  await client.close()
  return { tools: tools.map(tool => tool.name), provider }
}

t.test('a client pointed at the proxy\'s /mcp signs in through it and lists the tools', async t => {
  const mcp = await startFakeMcpOAuth(t)
  const proxy = await startProxy(t, { mcpUrl: mcp.mcpUrl, apiKey: '' })
  const proxyMcpUrl = `${proxy.url}/mcp`

  const { tools } = await signInAndListTools(proxyMcpUrl)
  t.same(tools, ['get_context'])
  // Discovery went through the proxy to the MCP host's root; the sign-in itself goes to
  // the authorization server the metadata names, as a browser's would.
  t.ok(mcp.requests.includes('GET /.well-known/oauth-protected-resource/mcp'), 'protected-resource metadata fetched through the proxy')
  t.match(await proxy.logs(), /→ http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp/, 'and logged as a forwarded exchange')
  t.same(mcp.authorizations.map(call => call.resource), [proxyMcpUrl], 'the authorization server was asked for a token for the proxy\'s URL')
  t.same([...mcp.tokens.values()], [proxyMcpUrl])
  // The SDK leaves a connection that never sends a request; the proxy would wait for Node's
  // header timeout (a minute) before closing.
  proxy.app.server.closeAllConnections()
})

t.test('an authorization server that accepts only its own URL as the resource refuses the sign-in through the proxy; direct, it works', async t => {
  const mcp = await startFakeMcpOAuth(t, { strictResource: true })
  const proxy = await startProxy(t, { mcpUrl: mcp.mcpUrl, apiKey: '' })
  await t.rejects(signInAndListTools(`${proxy.url}/mcp`), /the authorization server refused: invalid_target/)
  const direct = await signInAndListTools(mcp.mcpUrl)
  t.same(direct.tools, ['get_context'])
})

t.test('the discovery documents go to the MCP host\'s root without the key; the 401\'s link and the resource name the proxy, and the log says so', async t => {
  const mcp = await startFakeMcpOAuth(t)
  const ak = 'ak_' + 'd4'.repeat(32)
  const proxy = await startProxy(t, { mcpUrl: mcp.mcpUrl, apiKey: ak })
  const mcpOrigin = new URL(mcp.mcpUrl).origin

  const refused = await fetch(new URL('/mcp', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' })
  await refused.text()
  t.same([refused.status, refused.headers.get('www-authenticate')], [401, `Bearer resource_metadata="${proxy.url}/.well-known/oauth-protected-resource/mcp"`])

  for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
    const metadata = await (await fetch(new URL(path, proxy.url), { headers: { 'accept-encoding': 'gzip' } })).json() as Record<string, unknown>
    t.same(metadata, { resource: `${proxy.url}/mcp`, authorization_servers: [mcp.mcpUrl], bearer_methods_supported: ['header'], scopes_supported: ['project:read'] }, `${path}: only the resource changed`)
  }
  const server = await (await fetch(new URL('/.well-known/oauth-authorization-server', proxy.url))).json() as Record<string, unknown>
  t.same([server.issuer, server.authorization_endpoint], [mcp.mcpUrl, `${mcp.mcpUrl}/oauth/authorize`], 'the authorization server\'s own metadata passes unchanged')

  const discovery = mcp.headers.filter((_headers, index) => mcp.requests[index]!.startsWith('GET /.well-known/'))
  t.equal(discovery.length, 3)
  t.same(discovery.map(headers => [headers.authorization, headers['x-environment'], headers['accept-encoding']]), Array(3).fill([undefined, undefined, undefined]), 'no key, no environment, nothing encoded')

  const logs = await proxy.logs()
  t.match(logs, `* #1 note: WWW-Authenticate's resource_metadata now names ${proxy.url}, so the MCP client reads the sign-in metadata through the proxy`)
  t.match(logs, `* #2 note: the metadata's resource now names ${proxy.url}/mcp, the URL the MCP client was given`)
  t.match(logs, `< www-authenticate: Bearer resource_metadata="${mcpOrigin}/.well-known/oauth-protected-resource/mcp"`, 'the log shows what the upstream sent')
  t.notMatch(logs, ak.slice(3, 40), 'the key stays out of the log')
})
