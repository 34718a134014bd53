// Pure: what an exchange's status, bkend error code and headers mean, said as a fix in
// terms of this proxy's settings. The knowledge of bkend's troubleshooting pages
// ("Common Error Codes", "Authentication Issues", "Connection Issues") lives in
// HINT_TABLE, one row per case; the few hints that need no upstream answer follow it.
import type { Config } from '../config/settings.js'
import { ERRORS } from '../errors.js'
import { isEnvironmentName } from '../config/profiles.js'

export interface Hint {
  /** Stable key of the cause, for rate limiting and tests: "401 auth/unauthorized". */
  cause: string
  text: string
}

export type HintSettings = Pick<Config, 'apiKey' | 'environment' | 'apiPrefix' | 'projectId'> & Partial<Pick<Config, 'watch'>>

export interface HintFacts {
  method: string
  /** Path and query as the client sent them. */
  url: string
  status: number
  answeredBy: 'upstream' | 'proxy'
  /** bkend's `error.code` from the response body, or the proxy's own `proxy/...` code. */
  errorCode?: string
  retryAfter?: string
  origin?: string
  /** The Authorization and X-Environment the client sent, before injection. */
  clientAuthorization?: string
  clientEnvironment?: string
  durationMs: number
  responseBytes: number
  /** Absent when the exchange never reached a forwarding route. */
  settings?: HintSettings
}

interface HintRow {
  status: number | '5xx'
  /** bkend `error.code`; absent means any code. */
  code?: string
  when?: (facts: HintFacts) => boolean
  text: (facts: HintFacts) => string
}

const keyless = (facts: HintFacts): boolean => !facts.settings?.apiKey
const environmentOf = (facts: HintFacts): string => facts.settings?.environment ?? 'dev'
// A saved .env applies without a restart (live reload), unless WATCH=false.
const applied = (facts: HintFacts): string => facts.settings?.watch === false ? ' and restart the proxy (WATCH=false)' : '; a saved .env applies at once'

/** First matching row wins; a case is added by adding a row. */
export const HINT_TABLE: readonly HintRow[] = [
  {
    status: 401,
    code: 'auth/missing-authorization-header',
    when: keyless,
    text: facts => `the request reached bkend without Authorization and no API key is configured: set BKEND_API_KEY in .env${applied(facts)}, or send Authorization: Bearer <token> from the app`
  },
  {
    status: 401,
    code: 'auth/missing-authorization-header',
    text: () => 'the request reached bkend without Authorization although BKEND_API_KEY is set: check headerPolicy.authorization in the config file (it must not drop the header)'
  },
  {
    status: 401,
    code: 'auth/unauthorized',
    when: keyless,
    text: facts => `bkend refused the request and no API key is configured: set BKEND_API_KEY in .env${applied(facts)}`
  },
  {
    status: 401,
    code: 'auth/unauthorized',
    text: facts => `bkend refused the credentials: check that BKEND_API_KEY is a current key of project ${facts.settings?.projectId || '(BKEND_PROJECT_ID)'} and environment ${environmentOf(facts)}, or that the app's own token is valid`
  },
  {
    status: 401,
    code: 'auth/invalid-token-format',
    text: () => 'the token is neither an API key (pk_… publishable or sk_… secret) nor a JWT (three dot-separated parts): check BKEND_API_KEY or the app\'s token for quotes, whitespace or a missing part'
  },
  {
    status: 401,
    code: 'auth/access-token-expired',
    text: () => 'the user\'s access token expired (they live 1 hour): refresh it with the refresh token and retry; the proxy passes the app\'s own Authorization through unchanged'
  },
  {
    status: 403,
    code: 'data/permission-denied',
    text: () => 'the key or user may not do this: publishable pk_ keys are subject to the table\'s row-level permissions (sign the user in, or adjust the permissions); secret sk_ keys act as admin (server-side only)'
  },
  {
    status: 403,
    code: 'data/scope-insufficient',
    text: () => 'the key lacks the scope for this operation: publishable pk_ keys are subject to row-level permissions; use a secret sk_ key (admin, server-side only) in BKEND_API_KEY for this call'
  },
  {
    status: 404,
    code: 'data/environment-not-found',
    text: facts => `the key does not belong to environment "${environmentOf(facts)}" (X-Environment): give ${environmentOf(facts)} its own key (BKEND_API_KEY_${environmentOf(facts).toUpperCase()} in .env), or switch to the key's environment: POST {"environment": "dev"} (dev, staging or prod) to /__proxy/api/environment on the inspector's port (INSPECTOR_PORT)`
  },
  {
    status: 404,
    code: 'data/table-not-found',
    text: facts => `no table "${tableOf(facts.url) ?? '?'}" in this project and environment: table names are case-sensitive, so check the spelling and case in the path (and BKEND_ENVIRONMENT)`
  },
  {
    status: 429,
    text: facts => facts.retryAfter !== undefined
      ? `rate limited by bkend: retry after ${facts.retryAfter} s (Retry-After), and slow down the loop or burst that sends these requests`
      : 'rate limited by bkend: back off and retry later, and slow down the loop or burst that sends these requests'
  },
  {
    status: '5xx',
    when: facts => facts.answeredBy === 'upstream',
    text: facts => `bkend answered ${facts.status}: a temporary server-side problem, not your request; retry with a backoff, and if it persists, report it with the curl command below`
  },
  {
    status: 403,
    code: ERRORS.originNotAllowed.code,
    text: facts => `the page ${facts.origin ?? '(no Origin)'} is not in CORS_ORIGINS, so the browser shows a CORS error: add it to CORS_ORIGINS in .env (comma-separated; http://localhost:* allows any port)${applied(facts)}`
  },
  {
    status: 404,
    code: ERRORS.missingV1Prefix.code,
    text: facts => `the path ${pathOf(facts.url)} has no ${facts.settings?.apiPrefix ?? '/v1'} prefix, so it was not forwarded: set the app's base URL to the proxy's address (no path) and keep ${facts.settings?.apiPrefix ?? '/v1'} in every request path`
  }
]

// A list read slower or larger than this without `limit` gets the paging hint.
export const SLOW_READ_MS = 3000
export const LARGE_READ_BYTES = 256 * 1024

/** Every hint for one exchange: the table's, then the derived ones. */
export function hintsFor (facts: HintFacts): Hint[] {
  const hints: Hint[] = []
  const row = HINT_TABLE.find(candidate => rowMatches(candidate, facts))
  if (row) hints.push({ cause: `${row.status} ${row.code ?? '*'}`, text: row.text(facts) })
  hints.push(...derivedHints(facts))
  return hints
}

function rowMatches (row: HintRow, facts: HintFacts): boolean {
  const statusMatches = row.status === '5xx' ? facts.status >= 500 && facts.status < 600 : row.status === facts.status
  return statusMatches && (row.code === undefined || row.code === facts.errorCode) && (row.when?.(facts) ?? true)
}

function derivedHints (facts: HintFacts): Hint[] {
  const hints: Hint[] = []
  const authorization = facts.clientAuthorization
  if (authorization !== undefined && /^bearer(?!\s)\S/i.test(authorization)) {
    hints.push({ cause: 'authorization-no-space', text: 'the app\'s Authorization header has no space after Bearer ("Bearer<token>"): send "Authorization: Bearer <token>"' })
  } else if (authorization !== undefined && /^(pk_|sk_|eyJ)/.test(authorization)) {
    hints.push({ cause: 'authorization-no-scheme', text: 'the app\'s Authorization header is a bare token: send "Authorization: Bearer <token>"' })
  }
  const environment = facts.clientEnvironment
  if (environment !== undefined && !isEnvironmentName(environment)) {
    hints.push({ cause: 'environment-invalid', text: `the app sent X-Environment: ${environment}, which bkend does not know: use dev, staging or prod (or drop the header and let BKEND_ENVIRONMENT set it)` })
  } else if (environment !== undefined && facts.settings && environment !== facts.settings.environment) {
    hints.push({ cause: 'environment-conflict', text: `the app sent X-Environment: ${environment} but the proxy is configured for ${facts.settings.environment} (BKEND_ENVIRONMENT): pick one; the request went upstream with the value shown in the > lines` })
  }
  if ((facts.durationMs > SLOW_READ_MS || facts.responseBytes > LARGE_READ_BYTES || facts.errorCode === ERRORS.upstreamTimeout.code) && isListReadWithoutLimit(facts)) {
    const size = facts.errorCode === ERRORS.upstreamTimeout.code ? 'timed out' : `took ${(facts.durationMs / 1000).toFixed(1)} s for ${formatBytes(facts.responseBytes)}`
    hints.push({ cause: 'list-without-limit', text: `this list read ${size} without a limit: page it with the limit parameter, e.g. ${pathOf(facts.url)}?limit=50 (and page=2, 3, …)` })
  }
  return hints
}

function isListReadWithoutLimit (facts: HintFacts): boolean {
  if (facts.method !== 'GET') return false
  const prefix = facts.settings?.apiPrefix ?? '/v1'
  const path = pathOf(facts.url)
  const query = facts.url.slice(path.length + 1)
  return path.startsWith(`${prefix}/data/`) && !new URLSearchParams(query).has('limit')
}

/** bkend's `error.code` from a (possibly cut) JSON error body. */
export function bkendErrorCode (body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown } }
    return typeof parsed.error?.code === 'string' ? parsed.error.code : undefined
  } catch {
    // A body cut at the capture limit is not valid JSON; the code usually comes first.
    return /"error"\s*:\s*\{[^{}]*?"code"\s*:\s*"([^"\\]{1,100})"/.exec(body)?.[1]
  }
}

function pathOf (url: string): string {
  return url.split('?', 1)[0] ?? url
}

function tableOf (url: string): string | undefined {
  return /\/data\/([^/?]+)/.exec(url)?.[1]
}

function formatBytes (bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`
}
