// The one table of settings: names in every source, defaults, parsing and help.
// The Config type is derived from it, so the runtime check and the type cannot drift.

export class SettingError extends Error {
  /** `fix` is an example value, or with `advice` a sentence to print as it is. */
  constructor (message: string, readonly fix: string, readonly advice = false) {
    super(message)
  }
}

type Parse<T> = (raw: unknown) => T

export interface Setting<T> {
  /** Environment variable; absent for settings that only the config file carries. */
  env?: string
  /** Command-line flag without the dashes; absent for secrets and structured values. */
  flag?: string
  boolean?: true
  default: T
  help: string
  parse: Parse<T>
  /** Example of a good value, for the "fix:" line. */
  example: string
  secret?: true
}

const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const
const LOG_FORMATS = ['pretty', 'compact', 'json'] as const
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
const HEADER_POLICIES = ['set', 'ifAbsent'] as const
export type HeaderPolicy = typeof HEADER_POLICIES[number]

// Header values travel on the wire: a CR, LF or other control character would
// split or corrupt the request (CRLF injection), so they are refused up front.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function text (raw: unknown): string {
  if (typeof raw === 'string') return raw.trim()
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw)
  throw new SettingError('must be a string', '"some text"')
}

function headerValue (raw: unknown): string {
  const value = text(raw)
  if (CONTROL_CHARACTERS.test(value)) {
    throw new SettingError('contains a control character (line break?), which would corrupt the HTTP header', 'remove the line break or control character from the value', true)
  }
  return value
}

function integer (min: number, max: number): Parse<number> {
  return raw => {
    const value = typeof raw === 'number' ? raw : Number(text(raw))
    if (!Number.isInteger(value) || value < min || value > max || (typeof raw === 'string' && raw.trim() === '')) {
      throw new SettingError(`must be a whole number from ${min} to ${max}`, '')
    }
    return value
  }
}

function oneOf<const T extends readonly string[]> (choices: T): Parse<T[number]> {
  return raw => {
    const value = text(raw)
    const match = choices.find(choice => choice === value)
    if (match === undefined) {
      const listed = choices.slice(0, -1).join(', ') + ' or ' + choices[choices.length - 1]
      // "production" → prod, "development" → dev, "stage" → staging
      const lower = value.toLowerCase()
      const near = choices.find(choice => lower.startsWith(choice.toLowerCase()) || choice.toLowerCase().startsWith(lower))
      throw new SettingError(`must be ${listed}`, near ?? choices[0] ?? '')
    }
    return match
  }
}

function flag (raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw
  const value = text(raw).toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false
  throw new SettingError('must be true or false', 'true')
}

function upstreamUrl (raw: unknown): string {
  const value = text(raw)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new SettingError('is not an absolute URL (it needs the https:// in front)', 'https://api-client.bkend.ai')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SettingError(`must use http: or https:, not ${url.protocol}`, 'https://api-client.bkend.ai')
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

function mcpUrl (raw: unknown): string {
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

function pathPrefix (raw: unknown): string {
  const value = text(raw).replace(/\/+$/, '')
  if (!/^\/[A-Za-z0-9._~\-/]+$/.test(value) || value.includes('//')) {
    throw new SettingError('must be a path that starts with / such as /v1', '/v1')
  }
  return value
}

function probePath (raw: unknown): string {
  const value = text(raw)
  if (!/^\/[^\s#]*$/.test(value) || value.startsWith('//')) {
    throw new SettingError('must be a path (with an optional query) that starts with /', '/v1/data/posts?limit=1')
  }
  return value
}

function list (raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map(text) : text(raw).split(',')
  return items.map(item => item.trim()).filter(item => item !== '')
}

const ORIGIN_PATTERN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:(\d{1,5}|\*))?$/i

function originList (raw: unknown): string[] {
  const origins = list(raw).map(origin => origin.replace(/\/+$/, ''))
  for (const origin of origins) {
    if (origin === '*' || !ORIGIN_PATTERN.test(origin)) {
      throw new SettingError(`has "${origin}", which is not an origin like http://localhost:3000 (use :* for any port; "*" is not allowed because the proxy sends credentials)`, 'http://localhost:3000,http://localhost:*')
    }
  }
  return origins
}

function hostList (raw: unknown): string[] {
  const hosts = list(raw).map(host => host.toLowerCase())
  for (const host of hosts) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.*-]+)$/.test(host)) {
      throw new SettingError(`has "${host}", which is not a host name (give names without scheme or port, e.g. bkend-proxy)`, 'bkend-proxy')
    }
  }
  return hosts
}

function apiKey (raw: unknown): string {
  const value = headerValue(raw)
  if (/^bearer\s*$/i.test(value)) {
    throw new SettingError('is only the word Bearer, with no key after it', 'BKEND_API_KEY=sk_...')
  }
  return value
}

function headerName (name: string): string {
  if (!HEADER_NAME.test(name)) {
    throw new SettingError(`has "${name}", which is not a valid header name`, '{"X-Trace": "on"}')
  }
  return name.toLowerCase()
}

function headerMap (raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SettingError('must be an object of header name to value', '{"X-Client": "my-app"}')
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) headers[headerName(name)] = headerValue(value)
  return headers
}

function policyMap (raw: unknown): Record<string, HeaderPolicy> {
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

const DEFAULT_ORIGINS = [
  'http://localhost:*', 'https://localhost:*',
  'http://127.0.0.1:*', 'https://127.0.0.1:*',
  'http://[::1]:*', 'https://[::1]:*'
]

export const SETTINGS = {
  port: { env: 'PORT', flag: 'port', default: 8787, parse: integer(0, 65535), example: '8787', help: 'port to listen on (0 picks a free one)' },
  host: { env: 'HOST', flag: 'host', default: '127.0.0.1', parse: text, example: '127.0.0.1', help: 'address to bind; keep loopback outside containers' },
  apiUrl: { env: 'BKEND_API_URL', flag: 'api-url', default: 'https://api-client.bkend.ai', parse: upstreamUrl, example: 'https://api-client.bkend.ai', help: 'REST API upstream, without /v1' },
  mcpUrl: { env: 'BKEND_MCP_URL', flag: 'mcp-url', default: 'https://api.bkend.ai/mcp', parse: mcpUrl, example: 'https://api.bkend.ai/mcp', help: 'MCP server upstream' },
  apiKey: { env: 'BKEND_API_KEY', default: '', parse: apiKey, example: 'sk_...', secret: true, help: 'API key or JWT sent as Authorization: Bearer (never a flag: it would show in ps)' },
  projectId: { env: 'BKEND_PROJECT_ID', flag: 'project-id', default: '', parse: headerValue, example: 'your-project-id', help: 'sent as X-Project-Id' },
  environment: { env: 'BKEND_ENVIRONMENT', flag: 'environment', default: 'dev' as typeof ENVIRONMENTS[number], parse: oneOf(ENVIRONMENTS), example: 'dev', help: 'sent as X-Environment: dev, staging or prod' },
  corsOrigins: { env: 'CORS_ORIGINS', flag: 'cors-origins', default: DEFAULT_ORIGINS, parse: originList, example: 'http://localhost:3000,http://localhost:*', help: 'browser origins allowed (comma-separated; :* = any port)' },
  allowedHosts: { env: 'ALLOWED_HOSTS', flag: 'allowed-hosts', default: [] as string[], parse: hostList, example: 'bkend-proxy', help: 'extra Host names accepted besides loopback (comma-separated)' },
  upstreamTimeoutMs: { env: 'UPSTREAM_TIMEOUT_MS', flag: 'upstream-timeout-ms', default: 30000, parse: integer(1, 600000), example: '30000', help: 'time allowed to connect and receive response headers' },
  shutdownGraceMs: { env: 'SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms', default: 5000, parse: integer(0, 600000), example: '5000', help: 'on SIGTERM/SIGINT, how long open requests and streams may run on' },
  logFormat: { env: 'LOG_FORMAT', flag: 'log-format', default: 'pretty' as typeof LOG_FORMATS[number], parse: oneOf(LOG_FORMATS), example: 'pretty', help: 'pretty (curl -v blocks), compact (one line per exchange) or json (one object per exchange)' },
  logLevel: { env: 'LOG_LEVEL', flag: 'log-level', default: 'info' as typeof LOG_LEVELS[number], parse: oneOf(LOG_LEVELS), example: 'info', help: 'info logs all, warn only what went wrong, debug adds health checks and full preflight blocks' },
  logBodies: { env: 'LOG_BODIES', flag: 'log-bodies', boolean: true, default: false, parse: flag, example: 'true', help: 'add previews of text bodies (2 KB each) to the log' },
  apiPrefix: { env: 'API_PREFIX', flag: 'api-prefix', default: '/v1', parse: pathPrefix, example: '/v1', help: 'path prefix forwarded to the API upstream' },
  mcpPrefix: { env: 'MCP_PREFIX', flag: 'mcp-prefix', default: '/mcp', parse: pathPrefix, example: '/mcp', help: 'path prefix forwarded to the MCP upstream' },
  maxBodyBytes: { env: 'MAX_BODY_BYTES', flag: 'max-body-bytes', default: 0, parse: integer(0, Number.MAX_SAFE_INTEGER), example: '10485760', help: 'largest request body forwarded, 413 above it (0: no limit; bodies always stream)' },
  logCurl: { env: 'LOG_CURL', flag: 'log-curl', boolean: true, default: false, parse: flag, example: 'true', help: 'print a copy-as-curl command under every exchange (failing ones always get one)' },
  doctorProbePath: { env: 'DOCTOR_PROBE_PATH', flag: 'probe-path', default: '/v1/data/posts?limit=1', parse: probePath, example: '/v1/data/posts?limit=1', help: 'doctor: the authenticated read it tries (a one-record read of one of your tables)' },
  forwardOrigin: { env: 'FORWARD_ORIGIN', flag: 'forward-origin', boolean: true, default: false, parse: flag, example: 'true', help: "forward the browser's Origin header upstream (dropped by default)" },
  headers: { default: {} as Record<string, string>, parse: headerMap, example: '{"X-Client": "my-app"}', help: 'config file only: extra headers to inject, name -> value' },
  headerPolicy: { default: {} as Record<string, HeaderPolicy>, parse: policyMap, example: '{"authorization": "set"}', help: 'config file only: per header "set" (always) or "ifAbsent"' }
} satisfies Record<string, Setting<unknown>>

export type SettingKey = keyof typeof SETTINGS
export type Config = { readonly [K in SettingKey]: ReturnType<typeof SETTINGS[K]['parse']> }
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[]

/** Header policy when the config file says nothing: a signed-in user's token wins over the key. */
export const DEFAULT_HEADER_POLICY: Readonly<Record<string, HeaderPolicy>> = {
  authorization: 'ifAbsent',
  'x-project-id': 'set',
  'x-environment': 'set'
}

export function builtInDefaults (): Config {
  const defaults: Record<string, unknown> = {}
  for (const key of SETTING_KEYS) defaults[key] = structuredClone(SETTINGS[key].default)
  return defaults as unknown as Config
}

/** The table entry of one setting, seen through the common shape. */
export function settingOf (key: SettingKey): Setting<unknown> {
  return SETTINGS[key]
}
