// A CORS_ORIGINS entry: a scheme, a host and a port or :*, nothing more.
import { list, SettingError } from './parse-values.js'

const ORIGIN_PATTERN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:(\d{1,5}|\*))?$/i

export function originList (raw: unknown): string[] {
  const origins = list(raw).map(origin => origin.replace(/\/+$/, ''))
  for (const origin of origins) {
    if (origin === '*' || !ORIGIN_PATTERN.test(origin)) {
      const repaired = origins.map(originLike)
      const fix = repaired.every(item => item !== undefined) ? repaired.join(',') : ''
      throw new SettingError(`has "${origin}", which is not an origin like http://localhost:3000 (use :* for any port; "*" is not allowed because the proxy sends credentials)`, fix || 'http://localhost:3000,http://localhost:*')
    }
  }
  return origins
}

/** The origin someone most likely meant: "localhost:5173" → http://localhost:5173, a path dropped. */
function originLike (item: string): string | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(item) ? item : `http://${item}`
  const origin = /^[^/]+:\/\/[^/?#]+/.exec(withScheme)?.[0]
  return origin !== undefined && ORIGIN_PATTERN.test(origin) ? origin : undefined
}

// CORS_ORIGINS replaces the default list, so the suggestion keeps what is allowed now.
// "null" and look-alikes that are not plain origins cannot be configured at all.
export function originAdvice (origin: string, allowed: readonly string[]): string {
  try {
    originList(origin)
  } catch {
    return ' (and it is not an origin that can be allowed)'
  }
  return `; to allow it, set CORS_ORIGINS=${[...allowed, origin].join(',')}`
}
