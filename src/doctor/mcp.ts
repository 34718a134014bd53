// MCP: a Node version MCP clients run on, an MCP URL that answers the way an
// OAuth-protected MCP endpoint does (401 with WWW-Authenticate, before any sign-in), and the
// OAuth discovery documents MCP clients sign in with, at the MCP host's root.
import { isTlsErrorCode, rootErrorCode } from '../forward/upstream-failure.js'
import { httpGet, type HttpOutcome } from './http-get.js'
import { SETTINGS } from '../config/settings.js'
import { connectionFix, explainTlsError } from './connection.js'
import { fail, pass, skip, type DoctorContext, type StepResult } from './step.js'

export const MIN_NODE_MAJOR = 20

export function checkNode (version: string): StepResult {
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? 0)
  if (major >= MIN_NODE_MAJOR) return pass('node', `Node ${version} (${MIN_NODE_MAJOR}+ needed by the proxy and MCP clients)`)
  return fail('node', `Node ${version} is too old`, `install Node ${MIN_NODE_MAJOR} or newer (e.g. nvm install ${MIN_NODE_MAJOR})`)
}

export async function checkMcp (context: DoctorContext): Promise<StepResult> {
  const outcome = context.mcpProbe = await httpGet(context.dispatcher, context.config.mcpUrl, { accept: 'application/json, text/event-stream' }, context.stepTimeoutMs, { readBody: false })
  return interpretMcp(outcome, context.config.mcpUrl)
}

/** Pure: the unauthenticated GET's outcome → the mcp step. */
export function interpretMcp (outcome: HttpOutcome, mcpUrl: string): StepResult {
  const host = new URL(mcpUrl).host
  if (outcome.kind === 'error') {
    const { code, message } = rootErrorCode(outcome.error)
    if (isTlsErrorCode(code)) {
      const { detail, fix } = explainTlsError(code, host)
      return fail('mcp', detail, fix)
    }
    return fail('mcp', `${mcpUrl} is not reachable (${code || message})`, connectionFix(code).replace('BKEND_API_URL', 'BKEND_MCP_URL'))
  }
  const status = outcome.status
  if (status === 401 && outcome.headers['www-authenticate'] !== undefined) {
    return pass('mcp', `${mcpUrl} answers 401 with WWW-Authenticate, as an OAuth-protected MCP endpoint does`)
  }
  if (status === 401) return fail('mcp', `${mcpUrl} answers 401 without WWW-Authenticate, so MCP clients cannot find where to sign in`, `check BKEND_MCP_URL (default ${SETTINGS.mcpUrl.default})`)
  if (status === 404) return fail('mcp', `${mcpUrl} answers 404: no MCP endpoint at that path`, `check BKEND_MCP_URL (default ${SETTINGS.mcpUrl.default})`)
  if (status >= 500) return fail('mcp', `${mcpUrl} answers ${status}: the MCP server has a problem`, 'retry in a moment; if it persists, the MCP server is down')
  return pass('mcp', `${mcpUrl} is reachable (answered ${status})`)
}

const DISCOVERY = {
  resource: '/.well-known/oauth-protected-resource',
  server: '/.well-known/oauth-authorization-server'
} as const

export async function checkMcpOAuth (context: DoctorContext): Promise<StepResult> {
  if (context.mcpProbe?.kind === 'error') return skip('mcp-oauth', 'not checked: the MCP host is not reachable')
  const url = new URL(context.config.mcpUrl)
  const fetchDocument = async (root: string): Promise<HttpOutcome> => {
    const headers = { accept: 'application/json' }
    const outcome = await httpGet(context.dispatcher, url.origin + root, headers, context.stepTimeoutMs)
    // RFC 9728/8414 also place the document after the well-known path, with the resource's path.
    if (outcome.kind === 'answer' && outcome.status === 404 && url.pathname !== '/') return await httpGet(context.dispatcher, url.origin + root + url.pathname, headers, context.stepTimeoutMs)
    return outcome
  }
  const [resource, server] = await Promise.all([fetchDocument(DISCOVERY.resource), fetchDocument(DISCOVERY.server)])
  return interpretMcpOAuth(resource, server, context.config.mcpUrl)
}

/** Pure: the two discovery answers → the mcp-oauth step. */
export function interpretMcpOAuth (resource: HttpOutcome, server: HttpOutcome, mcpUrl: string): StepResult {
  const origin = new URL(mcpUrl).origin
  const problems: string[] = []
  const resourceDocument = documentOf(resource, `${DISCOVERY.resource}`, problems)
  const authorizationServers = resourceDocument?.authorization_servers
  if (resourceDocument !== undefined && !(Array.isArray(authorizationServers) && authorizationServers.length > 0 && authorizationServers.every(entry => typeof entry === 'string'))) {
    problems.push(`${DISCOVERY.resource} names no authorization_servers`)
  }
  const serverDocument = documentOf(server, DISCOVERY.server, problems)
  if (serverDocument !== undefined) {
    const missing = ['authorization_endpoint', 'token_endpoint'].filter(name => typeof serverDocument[name] !== 'string')
    if (missing.length > 0) problems.push(`${DISCOVERY.server} has no ${missing.join(' or ')}`)
    const methods = serverDocument.code_challenge_methods_supported
    if (!(Array.isArray(methods) && methods.includes('S256'))) problems.push(`${DISCOVERY.server} does not offer PKCE with S256 (code_challenge_methods_supported)`)
  }
  if (problems.length > 0) {
    return fail('mcp-oauth', `OAuth discovery at ${origin}: ${problems.join('; ')}`, `MCP clients find where to sign in there: check BKEND_MCP_URL (default ${SETTINGS.mcpUrl.default}); its host must serve both documents at its root`)
  }
  const servers = (authorizationServers as string[]).join(', ')
  const registration = typeof serverDocument!.registration_endpoint === 'string' ? ', dynamic client registration' : ''
  return pass('mcp-oauth', `OAuth discovery answers at ${origin}: authorization server ${servers}, PKCE (S256)${registration}`)
}

function documentOf (outcome: HttpOutcome, path: string, problems: string[]): Record<string, unknown> | undefined {
  if (outcome.kind === 'error') {
    const { code, message } = rootErrorCode(outcome.error)
    problems.push(`${path} got no answer (${code || message})`)
    return undefined
  }
  if (outcome.status !== 200) {
    problems.push(`${path} answered ${outcome.status}`)
    return undefined
  }
  try {
    const parsed: unknown = JSON.parse(outcome.body)
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch { /* reported below */ }
  problems.push(`${path} is not a JSON object`)
  return undefined
}
