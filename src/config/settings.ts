import { originList } from './origin-setting.js'
import { ENVIRONMENTS, profileTable, type ProfileTable } from './profile-table.js'
import { AUTH_SCHEME_SETTINGS } from './auth-scheme.js'
import { apiKey, flag, headerMap, headerValue, hostList, integer, mcpUrl, oneOf, pathPrefix, policyMap, probePath, text, upstreamUrl, type HeaderPolicy, type Parse } from './parse-values.js'

export type { HeaderPolicy } from './parse-values.js'

export interface Setting<T> {
  /** Environment variable; absent for settings that only the config file carries. */
  env?: string
  /** Command-line flag without the dashes; absent for secrets and structured values. */
  flag?: string
  boolean?: true
  default: T
  help: string
  parse: Parse<T>
  /** For the "fix:" line. */
  example: string
  secret?: true
}

const LOG_FORMATS = ['pretty', 'compact', 'json'] as const
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
// Level names from other loggers, for the "fix:" line; they are still refused.
const LOG_LEVEL_MEANINGS = { verbose: 'debug', all: 'trace', notice: 'info', critical: 'fatal', none: 'silent', off: 'silent', quiet: 'silent' } as const

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
  apiKey: { env: 'BKEND_API_KEY', default: '', parse: apiKey, example: 'pk_...', secret: true, help: 'API key: pk_/sk_ keys go as X-API-Key, others as Authorization: Bearer (see BKEND_AUTH_SCHEME; never a flag: it would show in ps)' },
  authScheme: { env: 'BKEND_AUTH_SCHEME', flag: 'auth-scheme', default: 'auto' as typeof AUTH_SCHEME_SETTINGS[number], parse: oneOf(AUTH_SCHEME_SETTINGS), example: 'auto', help: 'how the key is sent: auto (by its format), api-key (X-API-Key, the user\'s Authorization untouched) or bearer (Authorization: Bearer with X-Project-Id and X-Environment, the original scheme)' },
  allowSecretKey: { env: 'ALLOW_SECRET_KEY', flag: 'allow-secret-key', boolean: true, default: false, parse: flag, example: 'true', help: 'start with an sk_ secret key while prod is active (it acts as admin and bypasses row-level security)' },
  projectId: { env: 'BKEND_PROJECT_ID', flag: 'project-id', default: '', parse: headerValue, example: 'your-project-id', help: 'sent as X-Project-Id in the bearer scheme (a pk_/sk_ key carries its project)' },
  environment: { env: 'BKEND_ENVIRONMENT', flag: 'environment', default: 'dev' as typeof ENVIRONMENTS[number], parse: oneOf(ENVIRONMENTS), example: 'dev', help: 'the active environment, dev, staging or prod: its key, auth scheme, project and URL are used (sent as X-Environment in the bearer scheme)' },
  corsOrigins: { env: 'CORS_ORIGINS', flag: 'cors-origins', default: DEFAULT_ORIGINS, parse: originList, example: 'http://localhost:3000,http://localhost:*', help: 'browser origins allowed (comma-separated; :* = any port)' },
  allowedHosts: { env: 'ALLOWED_HOSTS', flag: 'allowed-hosts', default: [] as string[], parse: hostList, example: 'bkend-proxy', help: 'extra Host names accepted besides loopback (comma-separated)' },
  upstreamTimeoutMs: { env: 'UPSTREAM_TIMEOUT_MS', flag: 'upstream-timeout-ms', default: 30000, parse: integer(1, 600000), example: '30000', help: 'time allowed to connect, and to receive the response headers once the request body is sent' },
  shutdownGraceMs: { env: 'SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms', default: 5000, parse: integer(0, 600000), example: '5000', help: 'on SIGTERM/SIGINT, how long open requests and streams may run on' },
  logFormat: { env: 'LOG_FORMAT', flag: 'log-format', default: 'pretty' as typeof LOG_FORMATS[number], parse: oneOf(LOG_FORMATS), example: 'pretty', help: 'pretty (curl -v blocks), compact (one line per exchange) or json (one object per exchange)' },
  logLevel: { env: 'LOG_LEVEL', flag: 'log-level', default: 'info' as typeof LOG_LEVELS[number], parse: oneOf(LOG_LEVELS, LOG_LEVEL_MEANINGS), example: 'info', help: 'info logs all, warn only what went wrong, debug adds health checks and full preflight blocks' },
  logBodies: { env: 'LOG_BODIES', flag: 'log-bodies', boolean: true, default: false, parse: flag, example: 'true', help: 'add previews of text bodies (2 KB each) to the log' },
  apiPrefix: { env: 'API_PREFIX', flag: 'api-prefix', default: '/v1', parse: pathPrefix, example: '/v1', help: 'path prefix forwarded to the API upstream' },
  mcpPrefix: { env: 'MCP_PREFIX', flag: 'mcp-prefix', default: '/mcp', parse: pathPrefix, example: '/mcp', help: 'path prefix forwarded to the MCP upstream' },
  maxBodyBytes: { env: 'MAX_BODY_BYTES', flag: 'max-body-bytes', default: 0, parse: integer(0, Number.MAX_SAFE_INTEGER), example: '10485760', help: 'largest request body forwarded, 413 above it (0: no limit; bodies always stream)' },
  logCurl: { env: 'LOG_CURL', flag: 'log-curl', boolean: true, default: false, parse: flag, example: 'true', help: 'print a copy-as-curl command under every exchange (failing ones always get one)' },
  doctorProbePath: { env: 'DOCTOR_PROBE_PATH', flag: 'probe-path', default: '/v1/data/posts?limit=1', parse: probePath, example: '/v1/data/posts?limit=1', help: 'doctor: the authenticated read it tries (a one-record read of one of your tables)' },
  forwardOrigin: { env: 'FORWARD_ORIGIN', flag: 'forward-origin', boolean: true, default: false, parse: flag, example: 'true', help: "forward the browser's Origin header upstream (dropped by default)" },
  inspector: { env: 'INSPECTOR', flag: 'inspector', boolean: true, default: true, parse: flag, example: 'false', help: 'the inspector page and API at /__proxy/ on INSPECTOR_PORT (--no-inspector: off, nothing kept, no environment switch over HTTP)' },
  inspectorPort: { env: 'INSPECTOR_PORT', flag: 'inspector-port', default: 8788, parse: integer(0, 65535), example: '8788', help: 'port of the inspector page and its API, the environment switch included, bound where HOST binds (0 picks a free one)' },
  inspectorMaxExchanges: { env: 'INSPECTOR_MAX_EXCHANGES', flag: 'inspector-max-exchanges', default: 500, parse: integer(1, 100000), example: '500', help: 'inspector: how many recent exchanges are kept (oldest dropped first)' },
  inspectorMaxBodyBytes: { env: 'INSPECTOR_MAX_BODY_BYTES', flag: 'inspector-max-body-bytes', default: 65536, parse: integer(0, 16 * 1024 * 1024), example: '65536', help: 'inspector: bytes kept of each request and response body (the rest is counted)' },
  prodReadOnly: { env: 'PROD_READ_ONLY', flag: 'prod-read-only', boolean: true, default: true, parse: flag, example: 'false', help: 'while prod is active, refuse POST, PUT, PATCH and DELETE with 403 (false: let writes reach prod)' },
  watch: { env: 'WATCH', flag: 'watch', boolean: true, default: true, parse: flag, example: 'false', help: 'apply edits of .env and the --config file without a restart (--no-watch: off)' },
  environments: { default: {} as ProfileTable, parse: profileTable, example: '{"staging": {"apiKey": "pk_...", "authScheme": "auto"}}', secret: true, help: 'config file only: per-environment apiKey, authScheme, projectId and apiUrl (or BKEND_API_KEY_STAGING etc.)' },
  headers: { default: {} as Record<string, string>, parse: headerMap, example: '{"X-Client": "my-app"}', help: 'config file only: extra headers to inject, name -> value' },
  headerPolicy: { default: {} as Record<string, HeaderPolicy>, parse: policyMap, example: '{"authorization": "set"}', help: 'config file only: per header "set" (always) or "ifAbsent"' }
} satisfies Record<string, Setting<unknown>>

export type SettingKey = keyof typeof SETTINGS
export type Config = { readonly [K in SettingKey]: ReturnType<typeof SETTINGS[K]['parse']> }
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[]

/** A signed-in user's token wins over the key (bearer); the configured X-API-Key wins over the app's. */
export const DEFAULT_HEADER_POLICY: Readonly<Record<string, HeaderPolicy>> = {
  'x-api-key': 'set',
  authorization: 'ifAbsent',
  'x-project-id': 'set',
  'x-environment': 'set'
}

export function builtInDefaults (): Config {
  const defaults: Record<string, unknown> = {}
  for (const key of SETTING_KEYS) defaults[key] = structuredClone(SETTINGS[key].default)
  return defaults as unknown as Config
}

export function settingOf (key: SettingKey): Setting<unknown> {
  return SETTINGS[key]
}
