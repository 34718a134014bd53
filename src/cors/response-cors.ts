// The CORS headers of a forwarded response for a page. The upstream's own Access-Control-*
// never pass: a leaked "*" would break credentialed fetches and open the reply to every origin.

// Readable by a page without being exposed (Fetch standard's safelist).
const SAFELISTED = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'])

type Headers = Record<string, string | string[] | undefined>

export function isUpstreamCorsHeader (name: string): boolean {
  return name.startsWith('access-control-')
}

/** In place: Vary: Origin, and every non-safelisted header exposed. */
export function addResponseCorsHeaders (headers: Headers): void {
  const exposed = Object.keys(headers).filter(name => headers[name] !== undefined && !SAFELISTED.has(name) && name !== 'set-cookie' && name !== 'vary')
  headers.vary = mergeVary(headers.vary, 'Origin')
  if (exposed.length > 0) headers['access-control-expose-headers'] = exposed.join(', ')
}

function mergeVary (vary: string | string[] | undefined, name: string): string {
  const values = vary === undefined ? [] : (Array.isArray(vary) ? vary : [vary]).flatMap(value => value.split(',')).map(value => value.trim()).filter(Boolean)
  if (values.includes('*') || values.some(value => value.toLowerCase() === name.toLowerCase())) return values.join(', ')
  return [...values, name].join(', ')
}
