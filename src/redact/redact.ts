// Secrets as fingerprints that still tell keys apart: the kind (sk_test_) and the last four.
import { createHash } from 'node:crypto'

const MASK = '••••'
const SHORT_SECRET_CHARS = 20
// Kept whole while MIN_HIDDEN_CHARS stay hidden. Longest first, so sk_test_ wins over sk_.
const KIND_PREFIXES = ['sk_test_', 'sk_live_', 'pk_test_', 'pk_live_', 'pk_', 'sk_', 'ak_', 'eyJ']
const MIN_HIDDEN_CHARS = 12
// A whole JWT ends in its signature, so it is told apart by a hash instead of its last four.
const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/

/** "sk_test_••••9f2c (40 chars)", "JWT sha256:3f9a1c02 (812 chars)"; short secrets only their length. */
export function redactSecret (secret: string): string {
  const length = secret.length
  if (length === 0) return '(empty)'
  if (length < SHORT_SECRET_CHARS) return `${MASK} (${length} chars)`
  if (JWT.test(secret)) return `JWT sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 8)} (${length} chars)`
  const kind = KIND_PREFIXES.find(prefix => secret.startsWith(prefix) && length - prefix.length - 4 >= MIN_HIDDEN_CHARS)
  const lead = kind ?? secret.slice(0, Math.min(8, Math.floor(length / 5)))
  return `${lead}${MASK}${secret.slice(-4)} (${length} chars)`
}

/** "•••• (7 chars)": for secrets with no kind worth keeping (passwords, one-time codes). */
export function redactLength (secret: string): string {
  return secret.length === 0 ? '(empty)' : `${MASK} (${secret.length} chars)`
}

/** The mark of a secret value cut off by a preview's size limit: its length is unknown. */
export const CUT_SECRET = `${MASK} (cut)`

/** Non-secret headers pass unchanged. */
export function redactHeaderValue (name: string, value: string): string {
  switch (name) {
    case 'authorization':
    case 'proxy-authorization': {
      const scheme = /^(\S+)(\s+)([\s\S]*)$/.exec(value)
      return scheme ? `${scheme[1]}${scheme[2]}${redactSecret(scheme[3]!)}` : redactSecret(value)
    }
    case 'x-api-key':
      return redactSecret(value)
    case 'cookie':
      return value.split(';').map(pair => redactCookiePair(pair.trim())).join('; ')
    case 'set-cookie': {
      const [pair = '', ...attributes] = value.split(';')
      return [redactCookiePair(pair.trim()), ...attributes.map(attribute => attribute.trim())].join('; ')
    }
    default:
      return value
  }
}

function redactCookiePair (pair: string): string {
  const equals = pair.indexOf('=')
  if (equals < 0) return redactSecret(pair)
  return `${pair.slice(0, equals)}=${redactSecret(pair.slice(equals + 1))}`
}

const SECRET_PARAMS = /^((x[_-]?)?api[_-]?key|apikey|key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|jwt|secret|client[_-]?secret|password|passwd|pwd|auth|authorization|session|signature|sig|code)$/i

/** Raw or percent-encoded name. */
export function isSecretQueryName (rawName: string): boolean {
  let name = rawName
  try { name = decodeURIComponent(rawName) } catch { /* keep the raw name */ }
  return SECRET_PARAMS.test(name)
}

/** A URL or path with credential-like query values redacted; everything else byte for byte. */
export function redactUrl (url: string): string {
  const query = url.indexOf('?')
  if (query < 0) return url
  const hash = url.indexOf('#', query)
  const end = hash < 0 ? url.length : hash
  const pairs = url.slice(query + 1, end).split('&').map(pair => {
    const equals = pair.indexOf('=')
    if (equals < 0) return pair
    return isSecretQueryName(pair.slice(0, equals)) ? `${pair.slice(0, equals)}=${redactSecret(pair.slice(equals + 1))}` : pair
  })
  return url.slice(0, query + 1) + pairs.join('&') + url.slice(end)
}
