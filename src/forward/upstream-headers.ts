// Pure: the headers a request carries upstream, as a server-side call would send them, with the
// key as X-API-Key (the app's own Authorization passes untouched) or as Authorization: Bearer.
import type { IncomingHttpHeaders } from 'node:http'
import { DEFAULT_HEADER_POLICY, type Config } from '../config/settings.js'
import { HOP_BY_HOP } from './hop-by-hop.js'
import { redactHeaderValue } from '../redact/redact.js'
import { chooseAuthScheme } from '../config/auth-scheme.js'

export type OutboundHeaders = Record<string, string | string[] | undefined>

export interface OutboundResult {
  headers: OutboundHeaders
  injected: string[]
  notes: string[]
}

// Headers a browser adds that a server-side call would not send, or that let a client lie about
// its address or the URL it asked for (CDN client-IP headers, IIS URL overrides). X-Forwarded-*
// and Proxy-* go by prefix, and Proxy itself: CGI-style stacks turn it into HTTP_PROXY (httpoxy).
const CLIENT_ONLY = new Set([
  'expect', 'forwarded', 'x-real-ip', 'via', 'proxy',
  'true-client-ip', 'x-client-ip', 'cf-connecting-ip', 'x-original-url', 'x-rewrite-url'
])

function isClientOnly (name: string): boolean {
  return CLIENT_ONLY.has(name) || name.startsWith('x-forwarded-') || name.startsWith('proxy-')
}

// CGI-style stacks (and nginx with underscores_in_headers) read X_Forwarded_For as
// HTTP_X_FORWARDED_FOR, the same variable as X-Forwarded-For: every rule reads _ as -.
function dashed (name: string): string {
  return name.includes('_') ? name.replaceAll('_', '-') : name
}

/** The headers the proxy injects, in order, before policies. No key on MCP routes in the api-key
 * scheme: the MCP server signs its clients in with OAuth, and their own Bearer token passes. */
export function configuredHeaders (config: Config, route: 'api' | 'mcp' = 'api'): Array<[string, string]> {
  const headers: Array<[string, string]> = []
  const { scheme } = chooseAuthScheme(config.apiKey, config.authScheme)
  if (scheme === 'api-key') {
    // The key carries its project and environment: X-Project-Id and X-Environment only if set in `headers`.
    if (config.apiKey && route === 'api') headers.push(['x-api-key', config.apiKey.replace(/^bearer\s+/i, '')])
  } else {
    if (config.apiKey) headers.push(['authorization', /^bearer /i.test(config.apiKey) ? config.apiKey : `Bearer ${config.apiKey}`])
    if (config.projectId) headers.push(['x-project-id', config.projectId])
    headers.push(['x-environment', config.environment])
  }
  for (const [name, value] of Object.entries(config.headers)) headers.push([name, value])
  return headers
}

/** `incoming`: as @fastify/reply-from hands them over, the names the client's Connection lists already gone. */
export function buildUpstreamHeaders (incoming: IncomingHttpHeaders, context: { config: Config, injectable: Array<[string, string]> }): OutboundResult {
  const { config, injectable } = context
  const headers: OutboundHeaders = {}
  const notes: string[] = []
  for (const [name, value] of Object.entries(incoming)) {
    const rule = dashed(name)
    if (value === undefined || HOP_BY_HOP.has(rule) || isClientOnly(rule)) continue
    if (rule === 'origin' && !config.forwardOrigin) continue
    // An underscore spelling of a header the proxy sets would reach such a server beside ours.
    if (rule !== name && injectable.some(([injectedName]) => injectedName === rule)) {
      notes.push(`dropped the client's ${name}: servers that read _ as - would take it for ${rule}, which the proxy sets`)
      continue
    }
    headers[name] = value
  }

  const injected: string[] = []
  for (const [name, value] of injectable) {
    const clientValue = headers[name]
    const policy = config.headerPolicy[name] ?? DEFAULT_HEADER_POLICY[name] ?? 'set'
    if (clientValue !== undefined && policy === 'ifAbsent') continue
    if (clientValue !== undefined && String(clientValue) !== value) {
      notes.push(`client sent ${name}: ${redactHeaderValue(name, String(clientValue))}; replaced with the configured ${redactHeaderValue(name, value)} (headerPolicy "${name}": "ifAbsent" would keep the client's)`)
    }
    headers[name] = value
    injected.push(name)
  }
  return { headers, injected, notes }
}
