// Pure: MCP sign-in through the proxy. bkend serves the OAuth metadata (RFC 9728, RFC 8414) at the
// MCP host's root; the proxy forwards it and makes the `resource_metadata` link of a 401 and the
// metadata's `resource` name the proxy, since a client checks `resource` against the URL it was
// given (the MCP SDK refuses the sign-in otherwise). docs/mcp.md covers the token's RFC 8707 `resource`.
import type { Config } from '../config/settings.js'

/** The discovery documents' paths (each also with a path suffix, e.g. .../mcp). */
export const MCP_DISCOVERY_PREFIXES = ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server'] as const

const PROTECTED_RESOURCE = MCP_DISCOVERY_PREFIXES[0]

export interface McpAddresses {
  mcpUrl: string
  proxyOrigin: string
  mcpPrefix: string
}

export function mcpAddresses (config: Pick<Config, 'mcpUrl' | 'mcpPrefix'>, host: string | undefined): McpAddresses | undefined {
  return host === undefined || host === '' ? undefined : { mcpUrl: config.mcpUrl, proxyOrigin: `http://${host}`, mcpPrefix: config.mcpPrefix }
}

/** A 401's WWW-Authenticate with its resource_metadata link moved from the MCP host to the proxy; undefined when there is none to move. */
export function proxiedAuthenticate (value: string, addresses: McpAddresses): string | undefined {
  const origin = new URL(addresses.mcpUrl).origin
  let moved = false
  const rewritten = value.replace(/(resource_metadata\s*=\s*")([^"]*)(")/gi, (whole, open: string, link: string, close: string) => {
    if (!link.startsWith(origin + PROTECTED_RESOURCE)) return whole
    moved = true
    return `${open}${addresses.proxyOrigin}${link.slice(origin.length)}${close}`
  })
  return moved ? rewritten : undefined
}

/** Protected-resource metadata with its `resource` naming the proxy; undefined when it names something else or is not such a document. */
export function proxiedResourceMetadata (text: string, addresses: McpAddresses): string | undefined {
  let metadata: unknown
  try {
    metadata = JSON.parse(text)
  } catch {
    return undefined
  }
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return undefined
  const resource = (metadata as { resource?: unknown }).resource
  if (typeof resource !== 'string') return undefined
  const proxied = proxiedResource(resource, addresses)
  return proxied === undefined ? undefined : JSON.stringify({ ...metadata, resource: proxied })
}

function proxiedResource (resource: string, { mcpUrl, proxyOrigin, mcpPrefix }: McpAddresses): string | undefined {
  const origin = new URL(mcpUrl).origin
  if (resource === mcpUrl || resource.startsWith(mcpUrl + '/')) return proxyOrigin + mcpPrefix + resource.slice(mcpUrl.length)
  if (resource === origin || resource === origin + '/') return proxyOrigin + resource.slice(origin.length)
  return undefined
}

export function isProtectedResourcePath (path: string): boolean {
  return path === PROTECTED_RESOURCE || path.startsWith(PROTECTED_RESOURCE + '/') || path.startsWith(PROTECTED_RESOURCE + '?')
}
