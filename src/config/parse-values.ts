// Parsers for setting values from any source (a string, or a JSON value from the config file).
import { closestName } from './did-you-mean.js'

export class SettingError extends Error {
  /** `fix` is an example value, or with `advice` a sentence to print as it is. */
  constructor (message: string, readonly fix: string, readonly advice = false) {
    super(message)
  }
}

export type Parse<T> = (raw: unknown) => T

const HEADER_POLICIES = ['set', 'ifAbsent'] as const
export type HeaderPolicy = typeof HEADER_POLICIES[number]

// Header values travel on the wire: a CR, LF or other control character would
// split or corrupt the request (CRLF injection), so they are refused up front.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export function text (raw: unknown): string {
  if (typeof raw === 'string') return raw.trim()
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw)
  throw new SettingError('must be a string', '"some text"')
}

export function headerValue (raw: unknown): string {
  const value = text(raw)
  if (CONTROL_CHARACTERS.test(value)) {
    throw new SettingError('contains a control character (line break?), which would corrupt the HTTP header', 'remove the line break or control character from the value', true)
  }
  return value
}

export function integer (min: number, max: number): Parse<number> {
  return raw => {
    const value = typeof raw === 'number' ? raw : Number(text(raw))
    if (!Number.isInteger(value) || value < min || value > max || (typeof raw === 'string' && raw.trim() === '')) {
      throw new SettingError(`must be a whole number from ${min} to ${max}`, '')
    }
    return value
  }
}

/** A parser that accepts only `choices`; `meanings` maps other words people use to the choice they mean. */
export function oneOf<const T extends readonly string[]> (choices: T, meanings: Readonly<Record<string, T[number]>> = {}): Parse<T[number]> {
  return raw => {
    const value = text(raw)
    const match = choices.find(choice => choice === value)
    if (match === undefined) {
      const listed = choices.slice(0, -1).join(', ') + ' or ' + choices[choices.length - 1]
      // "production" → prod, "development" → dev, "Debug" → debug, then "verbose" → debug, then typos
      const lower = value.toLowerCase()
      const near = choices.find(choice => lower.startsWith(choice.toLowerCase()) || choice.toLowerCase().startsWith(lower)) ??
        (Object.hasOwn(meanings, lower) ? meanings[lower] : undefined) ??
        closestName(value, choices)
      throw new SettingError(`must be ${listed}`, near ?? '')
    }
    return match
  }
}

export function flag (raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw
  const value = text(raw).toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false
  throw new SettingError('must be true or false', 'true')
}

export function upstreamUrl (raw: unknown): string {
  const value = text(raw)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new SettingError('is not an absolute URL (it needs the https:// in front)', upstreamFix(value))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SettingError(`must use http: or https:, not ${url.protocol}`, upstreamFix(value))
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new SettingError('must not carry a query, fragment or credentials', url.origin + url.pathname)
  }
  const path = url.pathname.replace(/\/+$/, '')
  if (/\/v1$/i.test(path)) {
    throw new SettingError('must not end in /v1: the proxy keeps the /v1 of each request path, so it would be doubled', url.origin + path.slice(0, -3))
  }
  return url.origin + path
}

/** An upstream URL's fix: the value repaired, without the /v1 the proxy adds itself. */
function upstreamFix (value: string): string {
  return repairedUrl(value)?.replace(/\/v1\/?$/i, '') ?? 'https://api-client.bkend.ai'
}

/** The URL most likely meant: htp:/127.0.0.1:9911 → http://127.0.0.1:9911, example.com → https://example.com. */
export function repairedUrl (value: string): string | undefined {
  // host:port reads like scheme:rest; a number after the colon is a port.
  const parts = /^(?:([a-z][a-z0-9+.-]*):(?!\d+(\/|$))\/*)?([^/:\s]+(?::\d+)?(?:\/\S*)?)$/i.exec(value.trim())
  if (parts === null) return undefined
  const [, scheme, , rest] = parts as unknown as [string, string | undefined, unknown, string]
  const host = rest.split(/[/:]/, 1)[0]!
  if (!/^(localhost|[\d.]+|\[[\da-f:]+\]|[a-z\d-]+(\.[a-z\d-]+)+)$/i.test(host)) return undefined
  // Slips of http and https only (htp, htps, hhttp): ftp or mailto are other schemes.
  const slip = scheme === undefined ? undefined : /^h*t+p+(s?)$/i.exec(scheme)
  if (slip === null) return undefined
  const meant = slip === undefined ? undefined : slip[1] === '' ? 'http' : 'https'
  const loopback = /^(localhost|127\.[\d.]+|\[::1\])$/i.test(host)
  const repaired = `${meant ?? (loopback ? 'http' : 'https')}://${rest}`
  try {
    new URL(repaired) // eslint-disable-line no-new
    return repaired
  } catch {
    return undefined
  }
}

export function mcpUrl (raw: unknown): string {
  const value = text(raw)
  try {
    const url = new URL(value)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme')
    if (url.search || url.hash || url.username || url.password) throw new Error('extras')
    return url.origin + url.pathname.replace(/\/+$/, '')
  } catch {
    throw new SettingError('must be an absolute http(s) URL without query or credentials', 'https://api.bkend.ai/mcp')
  }
}

export function pathPrefix (raw: unknown): string {
  const value = text(raw).replace(/\/+$/, '')
  if (!/^\/[A-Za-z0-9._~\-/]+$/.test(value) || value.includes('//')) {
    throw new SettingError('must be a path that starts with / such as /v1', '/v1')
  }
  return value
}

export function probePath (raw: unknown): string {
  const value = text(raw)
  if (!/^\/[^\s#]*$/.test(value) || value.startsWith('//')) {
    throw new SettingError('must be a path (with an optional query) that starts with /', '/v1/data/posts?limit=1')
  }
  return value
}

/** A comma-separated string (or a JSON array) as trimmed, non-empty items. */
export function list (raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map(text) : text(raw).split(',')
  return items.map(item => item.trim()).filter(item => item !== '')
}

export function hostList (raw: unknown): string[] {
  const hosts = list(raw).map(host => host.toLowerCase())
  for (const host of hosts) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.*-]+)$/.test(host)) {
      throw new SettingError(`has "${host}", which is not a host name (give names without scheme or port, e.g. bkend-proxy)`, 'bkend-proxy')
    }
  }
  return hosts
}

export function apiKey (raw: unknown): string {
  const value = headerValue(raw)
  if (/^bearer\s*$/i.test(value)) {
    throw new SettingError('is only the word Bearer, with no key after it', 'sk_...')
  }
  return value
}

function headerName (name: string): string {
  if (!HEADER_NAME.test(name)) {
    throw new SettingError(`has "${name}", which is not a valid header name`, '{"X-Trace": "on"}')
  }
  return name.toLowerCase()
}

export function headerMap (raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SettingError('must be an object of header name to value', '{"X-Client": "my-app"}')
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) headers[headerName(name)] = headerValue(value)
  return headers
}

export function policyMap (raw: unknown): Record<string, HeaderPolicy> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SettingError('must be an object of header name to "set" or "ifAbsent"', '{"authorization": "ifAbsent"}')
  }
  const policies: Record<string, HeaderPolicy> = {}
  for (const [name, value] of Object.entries(raw)) {
    try {
      policies[headerName(name)] = oneOf(HEADER_POLICIES)(value)
    } catch {
      throw new SettingError(`has ${JSON.stringify(value)} for ${name}; each policy must be "set" (always) or "ifAbsent" (only when the client sent none)`, `{"${name}": "set"}`)
    }
  }
  return policies
}
