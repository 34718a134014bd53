// A fake OAuth-protected MCP server on 127.0.0.1:0, laid out as bkend documents its own
// (mcp/05-oauth): discovery at the host root, the authorization server's endpoints under
// /mcp/oauth/*, OAuth 2.1 with PKCE (S256) and dynamic client registration, and the MCP
// endpoint at /mcp answering 401 with WWW-Authenticate until a token it issued comes.
// Its metadata names its own URL. The authorization endpoint approves at once: it
// redirects to the client's redirect_uri with a code, as a browser sign-in would end.
// The MCP endpoint is the SDK's own server (stateless Streamable HTTP) with one tool.
import http from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'

export interface OAuthCall {
  path: string
  /** The RFC 8707 resource indicator the client asked for. */
  resource: string | undefined
}

export interface FakeMcpOAuth {
  /** The MCP endpoint's own URL, e.g. http://127.0.0.1:4321/mcp. */
  mcpUrl: string
  /** Every request's method and path, in order. */
  requests: string[]
  /** Every request's headers, in the same order. */
  headers: http.IncomingHttpHeaders[]
  authorizations: OAuthCall[]
  tokenRequests: OAuthCall[]
  /** The resource each issued token was asked for. */
  tokens: Map<string, string | undefined>
}

interface Teardown { teardown: (fn: () => unknown) => void }

export interface FakeMcpOAuthOptions {
  /** Refuse a resource indicator other than the server's own URL (invalid_target, RFC 8707). */
  strictResource?: boolean
}

export async function startFakeMcpOAuth (t: Teardown, options: FakeMcpOAuthOptions = {}): Promise<FakeMcpOAuth> {
  const codes = new Map<string, { challenge: string, redirectUri: string, resource: string | undefined }>()
  const fake: FakeMcpOAuth = { mcpUrl: '', requests: [], headers: [], authorizations: [], tokenRequests: [], tokens: new Map() }
  let base = ''

  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const protectedResource = (): unknown => ({ resource: fake.mcpUrl, authorization_servers: [fake.mcpUrl], bearer_methods_supported: ['header'], scopes_supported: ['project:read'] })
  const authorizationServer = (): unknown => ({
    issuer: fake.mcpUrl,
    authorization_endpoint: `${fake.mcpUrl}/oauth/authorize`,
    token_endpoint: `${fake.mcpUrl}/oauth/token`,
    registration_endpoint: `${fake.mcpUrl}/oauth/register`,
    revocation_endpoint: `${fake.mcpUrl}/oauth/revoke`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none']
  })

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url!, base)
      const body = Buffer.concat(chunks).toString('utf8')
      fake.requests.push(`${req.method} ${url.pathname}`)
      fake.headers.push(req.headers)
      if (url.pathname === '/.well-known/oauth-protected-resource' || url.pathname === '/.well-known/oauth-protected-resource/mcp') return json(res, 200, protectedResource())
      if (url.pathname === '/.well-known/oauth-authorization-server' || url.pathname === '/.well-known/oauth-authorization-server/mcp') return json(res, 200, authorizationServer())
      if (url.pathname === '/mcp/oauth/register' && req.method === 'POST') {
        return json(res, 201, { ...JSON.parse(body), client_id: `dyn-${randomBytes(4).toString('hex')}`, client_id_issued_at: Math.floor(Date.now() / 1000) })
      }
      if (url.pathname === '/mcp/oauth/authorize') {
        const query = url.searchParams
        const resource = query.get('resource') ?? undefined
        const redirect = new URL(query.get('redirect_uri')!)
        fake.authorizations.push({ path: url.pathname, resource })
        if (options.strictResource === true && resource !== undefined && resource !== fake.mcpUrl) {
          redirect.searchParams.set('error', 'invalid_target')
          redirect.searchParams.set('error_description', `unknown resource ${resource}`)
        } else {
          const code = randomBytes(12).toString('hex')
          codes.set(code, { challenge: query.get('code_challenge')!, redirectUri: query.get('redirect_uri')!, resource })
          redirect.searchParams.set('code', code)
        }
        if (query.has('state')) redirect.searchParams.set('state', query.get('state')!)
        res.writeHead(302, { location: redirect.href })
        return res.end()
      }
      if (url.pathname === '/mcp/oauth/token' && req.method === 'POST') {
        const form = new URLSearchParams(body)
        const resource = form.get('resource') ?? undefined
        fake.tokenRequests.push({ path: url.pathname, resource })
        const issued = codes.get(form.get('code') ?? '')
        codes.delete(form.get('code') ?? '')
        const verifier = form.get('code_verifier') ?? ''
        if (issued === undefined || issued.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
          return json(res, 400, { error: 'invalid_grant' })
        }
        const token = randomBytes(16).toString('hex')
        fake.tokens.set(token, issued.resource)
        return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600, refresh_token: randomBytes(16).toString('hex') })
      }
      if (url.pathname === '/mcp') {
        const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
        if (token === undefined || !fake.tokens.has(token)) {
          res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`, 'content-type': 'application/json' })
          return res.end(JSON.stringify({ error: 'invalid_token' }))
        }
        void serveMcp(req, res, body.length > 0 ? JSON.parse(body) : undefined)
        return
      }
      json(res, 404, { error: { code: 'NOT_FOUND', message: 'Resource not found' } })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.mcpUrl = `${base}/mcp`
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  return fake
}

async function serveMcp (req: http.IncomingMessage, res: http.ServerResponse, body: unknown): Promise<void> {
  const mcp = new McpServer({ name: 'fake-bkend-mcp', version: '1.0.0' })
  mcp.registerTool('get_context', { description: 'Organization and REST base URL' }, async () => ({ content: [{ type: 'text', text: '{"organizationId":"org-1"}' }] }))
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
  res.on('close', () => { void transport.close(); void mcp.close() })
  await mcp.connect(transport)
  await transport.handleRequest(req, res, body)
}
