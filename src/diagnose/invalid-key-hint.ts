// Pure: the hint for bkend's 401 auth/invalid-api-key, told with what was actually sent:
// the configured key (which profile's, by fingerprint, and how to check it), or the app's
// own credential where it went instead (headerPolicy "ifAbsent", or no key configured).
import { DEFAULT_HEADER_POLICY } from '../config/settings.js'
import { redactHeaderValue, redactSecret } from '../redact/redact.js'
import { configuredAuthScheme } from './auth-scheme.js'
import type { HintFacts } from './hint-facts.js'

export const INVALID_API_KEY = 'auth/invalid-api-key'

/** Said so that the compact log's first clause after the colon still names the key. */
export function invalidKeyHintText (facts: HintFacts): string {
  const settings = facts.settings
  const apiKeyScheme = settings === undefined || configuredAuthScheme(settings) === 'api-key'
  const [header, name] = apiKeyScheme ? ['x-api-key', 'X-API-Key'] : ['authorization', 'Authorization']
  const environment = settings?.environment ?? 'dev'
  const appValue = apiKeyScheme ? facts.clientApiKey : facts.clientAuthorization
  const appSent = appValue === undefined ? undefined : `${name} ${redactHeaderValue(header, appValue)}`
  const configured = settings?.apiKey ? redactSecret(settings.apiKey.replace(/^bearer\s+/i, '')) : undefined
  if (configured !== undefined && facts.injected?.includes(header) === true) {
    return `bkend does not accept the key the proxy sent in ${name}, the ${environment} profile's (BKEND_API_KEY_${environment.toUpperCase()}, else BKEND_API_KEY): check ${configured} against the ${environment} keys in the console, API Keys (a revoked or expired key, or another environment's, is refused), or run bkend-dev-proxy doctor`
  }
  if (configured !== undefined && appSent !== undefined) {
    const set = settings?.headerPolicy?.[header]
    return `bkend does not accept the app's own ${appSent}, which went instead of the configured key ${configured} (headerPolicy "${header}" is "${set ?? DEFAULT_HEADER_POLICY[header]}"${set === undefined ? ', the default' : ''}, which keeps the app's): fix the app's key, or stop the app sending ${name} so the proxy sends its own`
  }
  if (appSent !== undefined) return `bkend does not accept the app's own ${appSent} (no API key is configured, so it went as the app sent it): fix the app's key, or set BKEND_API_KEY in .env and stop the app sending ${name}`
  return `bkend wants an API key and none was sent: set BKEND_API_KEY in .env to the ${environment} environment's publishable key (pk_…, sent as X-API-Key)`
}
