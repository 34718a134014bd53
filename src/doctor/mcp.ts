// MCP: a Node version MCP clients run on, and an MCP URL that answers the way an
// OAuth-protected MCP endpoint does (401 with WWW-Authenticate, before any sign-in).
import { isTlsErrorCode, rootErrorCode } from '../forward/upstream-failure.js'
import { httpGet, type HttpOutcome } from './http-get.js'
import { SETTINGS } from '../config/settings.js'
import { connectionFix, explainTlsError } from './connection.js'
import { fail, pass, type DoctorContext, type StepResult } from './step.js'

export const MIN_NODE_MAJOR = 20

export function checkNode (version: string): StepResult {
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? 0)
  if (major >= MIN_NODE_MAJOR) return pass('node', `Node ${version} (${MIN_NODE_MAJOR}+ needed by the proxy and MCP clients)`)
  return fail('node', `Node ${version} is too old`, `install Node ${MIN_NODE_MAJOR} or newer (e.g. nvm install ${MIN_NODE_MAJOR})`)
}

export async function checkMcp (context: DoctorContext): Promise<StepResult> {
  const outcome = await httpGet(context.dispatcher, context.config.mcpUrl, { accept: 'application/json, text/event-stream' }, context.stepTimeoutMs, { readBody: false })
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
