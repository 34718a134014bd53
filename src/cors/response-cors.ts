// Pure: the CORS headers of a forwarded response for a page (a request with an Origin).
// The upstream's own Access-Control-* headers never pass (a leaked "*" would break
// credentialed fetches and open the reply to every origin); the proxy exposes the
// upstream's headers itself and marks the answer as varying by Origin.

// Readable by a page without being exposed (Fetch standard's safelist).
const SAFELISTED = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'])

type Headers = Record<string, string | string[] | undefined>

/** Whether an upstream response header is CORS business, which the proxy decides alone. */
export function isUpstreamCorsHeader (name: string): boolean {
  return name.startsWith('access-control-')
}

/** Adds Vary: Origin and Access-Control-Expose-Headers (every non-safelisted header) to a response for a page; in place. */
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
