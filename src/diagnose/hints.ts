// Pure: what an exchange's status, bkend error code and headers mean, said as a fix in terms of
// this proxy's settings. First match wins: HINT_TABLE (rows that need the settings or the
// request), then bkend's catalogue (bkend-codes.ts), then rows by status alone.
import { ERRORS } from '../errors.js'
import { isEnvironmentName } from '../config/profile-table.js'
import { bkendCode } from './bkend-codes.js'
import { configuredAuthScheme } from './auth-scheme.js'

export { bkendErrorCode } from './bkend-error-code.js'
import { expiredTokenHint } from './token-expiry-hint.js'
import { INVALID_API_KEY, invalidKeyHintText } from './invalid-key-hint.js'
import type { HintFacts, HintSettings } from './hint-facts.js'

export interface Hint {
  /** Stable key of the cause, for rate limiting and tests: "401 auth/unauthorized". */
  cause: string
  text: string
}


interface HintRow {
  /** The status the docs give (a row with codes is matched by its codes). */
  status: number | '5xx'
  /** bkend error codes (a domain/name code and its upper-case twin); absent means any code. */
  codes?: readonly string[]
  when?: (facts: HintFacts) => boolean
  text: (facts: HintFacts) => string
}

const keyless = (facts: HintFacts): boolean => !facts.settings?.apiKey
const apiKeyScheme = (facts: HintFacts): boolean => facts.settings !== undefined && configuredAuthScheme(facts.settings) === 'api-key'
const environmentOf = (facts: HintFacts): string => facts.settings?.environment ?? 'dev'
// A saved .env applies without a restart (live reload), unless WATCH=false.
const applied = (facts: HintFacts): string => facts.settings?.watch === false ? ' and restart the proxy (WATCH=false)' : '; a saved .env applies at once'
const environmentKey = (facts: HintFacts): string => `BKEND_API_KEY_${environmentOf(facts).toUpperCase()} in .env`

/** First matching row wins; a case is added by adding a row. Codes without a row here get their catalogue hint. */
export const HINT_TABLE: readonly HintRow[] = [
  {
    status: 401,
    codes: ['auth/missing-authorization-header'],
    when: apiKeyScheme,
    text: () => 'this endpoint needs a signed-in user and the request carried no Authorization: sign the user in and send Authorization: Bearer <accessToken> from the app (the key travels in X-API-Key and never fills Authorization)'
  },
  {
    status: 401,
    codes: ['auth/missing-authorization-header'],
    when: keyless,
    text: facts => `the request reached bkend without Authorization and no API key is configured: set BKEND_API_KEY in .env${applied(facts)}, or send Authorization: Bearer <token> from the app`
  },
  {
    status: 401,
    codes: ['auth/missing-authorization-header'],
    text: () => 'the request reached bkend without Authorization although BKEND_API_KEY is set: check headerPolicy.authorization in the config file (it must not drop the header)'
  },
  {
    status: 401,
    codes: ['auth/unauthorized', 'UNAUTHORIZED'],
    when: keyless,
    text: facts => `bkend refused the request and no API key is configured: set BKEND_API_KEY in .env to the environment's publishable key (pk_…, sent as X-API-Key)${applied(facts)}`
  },
  {
    status: 401,
    codes: ['auth/unauthorized', 'UNAUTHORIZED'],
    when: apiKeyScheme,
    text: facts => `bkend refused the credentials: check that BKEND_API_KEY is a current key of environment ${environmentOf(facts)} (console → API Keys; a revoked or expired key is refused), or that the app's own token is valid`
  },
  {
    status: 401,
    codes: ['auth/unauthorized', 'UNAUTHORIZED'],
    text: facts => `bkend refused the credentials: check that BKEND_API_KEY is a current key of project ${facts.settings?.projectId || '(BKEND_PROJECT_ID)'} and environment ${environmentOf(facts)}, or that the app's own token is valid`
  },
  {
    status: 401,
    codes: [INVALID_API_KEY],
    text: invalidKeyHintText
  },
  {
    status: 400,
    codes: ['data/invalid-header', 'MISSING_HEADER'],
    when: keyless,
    text: facts => `bkend wants X-API-Key and no API key is configured: set BKEND_API_KEY in .env to the environment's publishable key (pk_…)${applied(facts)}, or send X-API-Key from the app`
  },
  {
    status: 401,
    codes: ['auth/invalid-token-format', 'INVALID_TOKEN'],
    text: () => 'the token is neither an API key (pk_… publishable or sk_… secret) nor a JWT (three dot-separated parts): check BKEND_API_KEY or the app\'s token for quotes, whitespace or a missing part'
  },
  {
    status: 401,
    codes: ['auth/access-token-expired'],
    text: () => 'the user\'s access token expired (they live 1 hour): refresh it with the refresh token and retry; the proxy passes the app\'s own Authorization through unchanged'
  },
  {
    status: 403,
    codes: ['data/permission-denied', 'PERMISSION_DENIED'],
    text: () => 'the key or user may not do this: publishable pk_ keys are subject to the table\'s row-level permissions (sign the user in, or adjust the permissions); secret sk_ keys act as admin (server-side only)'
  },
  {
    status: 404,
    codes: ['data/environment-not-found', 'ENVIRONMENT_NOT_FOUND'],
    when: apiKeyScheme,
    text: facts => `the key names an environment bkend does not know: put the key issued for ${environmentOf(facts)} (console → API Keys, per environment) in ${environmentKey(facts)}; the key alone chooses the environment`
  },
  {
    status: 404,
    codes: ['data/environment-not-found', 'ENVIRONMENT_NOT_FOUND'],
    text: facts => `the key does not belong to environment "${environmentOf(facts)}" (X-Environment): give ${environmentOf(facts)} its own key (${environmentKey(facts)}), or switch to the key's environment: POST {"environment": "dev"} (dev, staging or prod) to /__proxy/api/environment on the inspector's port (INSPECTOR_PORT)`
  },
  {
    status: 404,
    codes: ['data/table-not-found', 'TABLE_NOT_FOUND'],
    when: apiKeyScheme,
    text: facts => `no table "${tableOf(facts.url) ?? '?'}" in the key's project and environment: table names are case-sensitive, so check the spelling and case in the path (and that BKEND_API_KEY is the key of the environment that has the table)`
  },
  {
    status: 404,
    codes: ['data/table-not-found', 'TABLE_NOT_FOUND'],
    text: facts => `no table "${tableOf(facts.url) ?? '?'}" in this project and environment: table names are case-sensitive, so check the spelling and case in the path (and BKEND_ENVIRONMENT)`
  },
  {
    status: 403,
    codes: [ERRORS.originNotAllowed.code],
    text: facts => `the page ${facts.origin ?? '(no Origin)'} is not in CORS_ORIGINS, so the browser shows a CORS error: add it to CORS_ORIGINS in .env (comma-separated; http://localhost:* allows any port)${applied(facts)}`
  },
  {
    status: 404,
    codes: [ERRORS.missingV1Prefix.code],
    text: facts => `the path ${pathOf(facts.url)} has no ${facts.settings?.apiPrefix ?? '/v1'} prefix, so it was not forwarded: set the app's base URL to the proxy's address (no path) and keep ${facts.settings?.apiPrefix ?? '/v1'} in every request path`
  }
]

/** After the catalogue: what a status alone says. */
const STATUS_ROWS: readonly HintRow[] = [
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
  }
]

// A list read slower or larger than this without `limit` gets the paging hint.
export const SLOW_READ_MS = 3000
export const LARGE_READ_BYTES = 256 * 1024

export function hintsFor (facts: HintFacts): Hint[] {
  const hints: Hint[] = []
  // The app's token tells when it expired: that beats the table's general row.
  const first = expiredTokenHint(facts) ?? tableHint(facts)
  if (first) hints.push(first)
  hints.push(...derivedHints(facts))
  return hints
}

function tableHint (facts: HintFacts): Hint | undefined {
  const row = HINT_TABLE.find(candidate => rowMatches(candidate, facts))
  if (row) return { cause: `${row.status} ${facts.errorCode ?? '*'}`, text: row.text(facts) }
  const catalogued = facts.answeredBy === 'upstream' && facts.status >= 400 ? bkendCode(facts.errorCode) : undefined
  if (catalogued?.fix !== undefined) {
    // Statuses differ between bkend's pages: the code says more than the status.
    const wait = facts.status === 429 && facts.retryAfter !== undefined ? ` (bkend says retry after ${facts.retryAfter} s)` : ''
    return { cause: `${facts.status} ${facts.errorCode!}`, text: `${catalogued.meaning}: ${catalogued.fix}${wait}` }
  }
  const statusRow = STATUS_ROWS.find(candidate => rowMatches(candidate, facts))
  return statusRow && { cause: `${statusRow.status} *`, text: statusRow.text(facts) }
}

// A row with codes matches on the code alone: bkend's pages give one code different
// statuses (MISSING_HEADER is 400 on one page, 401 on another).
function rowMatches (row: HintRow, facts: HintFacts): boolean {
  const matches = row.codes !== undefined
    ? facts.errorCode !== undefined && row.codes.includes(facts.errorCode)
    : row.status === '5xx' ? facts.status >= 500 && facts.status < 600 : row.status === facts.status
  return matches && (row.when?.(facts) ?? true)
}

function derivedHints (facts: HintFacts): Hint[] {
  const hints: Hint[] = []
  const authorization = facts.clientAuthorization
  // Today's bkend wants the key in X-API-Key; said only when the request failed.
  if (authorization !== undefined && facts.status >= 400 && /^(bearer\s+)?(pk|sk)_/i.test(authorization)) {
    hints.push({ cause: 'authorization-holds-key', text: 'the app sends its pk_/sk_ key in Authorization: send it as X-API-Key: <key> (Authorization carries only the signed-in user\'s token), or leave it out and let BKEND_API_KEY fill X-API-Key' })
  } else if (authorization !== undefined && /^bearer(?!\s)\S/i.test(authorization)) {
    hints.push({ cause: 'authorization-no-space', text: 'the app\'s Authorization header has no space after Bearer ("Bearer<token>"): send "Authorization: Bearer <token>"' })
  } else if (authorization !== undefined && /^eyJ/.test(authorization)) {
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

function pathOf (url: string): string {
  return url.split('?', 1)[0] ?? url
}

function tableOf (url: string): string | undefined {
  return /\/data\/([^/?]+)/.exec(url)?.[1]
}

function formatBytes (bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`
}
