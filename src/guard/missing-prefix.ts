// The 404 for paths outside the forwarded prefixes names the path the user probably meant,
// and the address to point the frontend at (the port this request came in on).
import type { Config } from '../config/settings.js'

export function missingPrefixMessage (url: string, config: Pick<Config, 'apiPrefix' | 'mcpPrefix'>, listeningPort: number): string {
  const path = url.split('?', 1)[0] ?? '/'
  if (path === '/' || path === '') {
    return `this is bkend-dev-proxy: API requests go under ${config.apiPrefix} (e.g. ${config.apiPrefix}/data/posts), MCP under ${config.mcpPrefix}; health at /__proxy/health`
  }
  const query = url.slice(path.length)
  return `${path} is not forwarded: bkend API paths start with ${config.apiPrefix}. Did you mean ${config.apiPrefix}${path}${query}? Set your frontend's base URL to http://localhost:${listeningPort} and keep ${config.apiPrefix} in the request paths.`
}

export function isForwardedPath (url: string, config: Pick<Config, 'apiPrefix' | 'mcpPrefix'>): boolean {
  const path = url.split('?', 1)[0] ?? '/'
  return [config.apiPrefix, config.mcpPrefix].some(prefix => path === prefix || path.startsWith(prefix + '/'))
}
