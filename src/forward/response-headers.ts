// Pure: upstream response headers → the headers the browser gets. The proxy owns CORS,
// so the upstream's Access-Control-* headers never pass (a leaked "*" would break
// credentialed fetches and open the reply to every origin).
import { hopByHopNames } from './hop-by-hop.js'

export type ResponseHeaders = Record<string, string | string[] | undefined>

// Readable by a page without being exposed (Fetch standard's safelist).
const SAFELISTED = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'])

export function buildClientResponseHeaders (upstream: ResponseHeaders, context: { cors: boolean }): ResponseHeaders {
  const drop = hopByHopNames(upstream.connection)
  const headers: ResponseHeaders = {}
  const exposed: string[] = []
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || drop.has(name) || name.startsWith('access-control-')) continue
    headers[name] = value
    if (!SAFELISTED.has(name) && name !== 'set-cookie' && name !== 'vary') exposed.push(name)
  }
  if (context.cors) {
    headers.vary = mergeVary(headers.vary, 'Origin')
    if (exposed.length > 0) headers['access-control-expose-headers'] = exposed.join(', ')
  }
  return headers
}

function mergeVary (vary: string | string[] | undefined, name: string): string {
  const values = vary === undefined ? [] : (Array.isArray(vary) ? vary : [vary]).flatMap(value => value.split(',')).map(value => value.trim()).filter(Boolean)
  if (values.includes('*') || values.some(value => value.toLowerCase() === name.toLowerCase())) return values.join(', ')
  return [...values, name].join(', ')
}
