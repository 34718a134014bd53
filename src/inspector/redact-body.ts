// Pure: body text as the inspector shows it. Values of fields whose names look secret
// (JSON, form and query fields, SSE/NDJSON lines of JSON) are replaced the way the log
// replaces header secrets (kind, last four and length kept), and any literal copy of a
// configured secret (the API key, echoed back by an upstream) is replaced wherever it
// stands. Runs when a body is viewed, never on the request path.
// TODO(issue 10): when the log gains its own body redaction, share one field list.
import { redactHeaderValue, redactSecret } from '../log/redact.js'

const SECRET_NAME = /pass(word|wd)?$|password|secret|token|api[-_]?key|^key$|authoriz|cookie|credential|session|signature|^sig$|^otp$|^jwt$|private[-_]?key/i

/** Whether a JSON or form field of this name holds a credential. `code` counts under /auth/. */
export function isSecretFieldName (name: string, path = ''): boolean {
  // apiKey, publishableKey, secret_key: a key by name; "monkey" is not.
  return SECRET_NAME.test(name) || /(^|[-_])key$/i.test(name) || /[a-z0-9]Key$/.test(name) || (name === 'code' && path.includes('/auth/'))
}

// "name": "value" or "name": 12345, in well-formed or cut-off JSON alike.
const JSON_FIELD = /"((?:[^"\\]|\\.){1,200})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/g

// The same inside a JSON string that holds JSON (an echoed body): \"name\":\"value\".
const ESCAPED_JSON_FIELD = /\\"([^"\\]{1,200})\\"(\s*:\s*)\\"((?:(?!\\").){0,4096})\\"/g

export function redactJsonFields (text: string, path = ''): string {
  return text
    .replace(JSON_FIELD, (whole, name: string, colon: string, value: string) => {
      if (!isSecretFieldName(name, path)) return whole
      return `"${name}"${colon}"${redactField(name, value.startsWith('"') ? value.slice(1, -1) : value)}"`
    })
    .replace(ESCAPED_JSON_FIELD, (whole, name: string, colon: string, value: string) => {
      return isSecretFieldName(name, path) ? `\\"${name}\\"${colon}\\"${redactField(name, value)}\\"` : whole
    })
}

// An Authorization value keeps its scheme, as in the log's header lines.
function redactField (name: string, value: string): string {
  return /authoriz/i.test(name) ? redactHeaderValue('authorization', value) : redactSecret(value)
}

export function redactFormFields (text: string, path = ''): string {
  return text.split('&').map(pair => {
    const equals = pair.indexOf('=')
    if (equals < 0) return pair
    let name = pair.slice(0, equals)
    try { name = decodeURIComponent(name.replace(/\+/g, ' ')) } catch { /* keep the raw name */ }
    return isSecretFieldName(name, path) ? `${pair.slice(0, equals)}=${redactSecret(pair.slice(equals + 1))}` : pair
  }).join('&')
}

/** Replaces every literal occurrence of each secret (at least 8 characters) with its redaction. */
export function scrubSecrets (text: string, secrets: readonly string[]): string {
  let result = text
  for (const secret of secrets) {
    if (secret.length < 8 || !result.includes(secret)) continue
    result = result.split(secret).join(redactSecret(secret))
  }
  return result
}

/** The one entry point: redacts by content type, then scrubs the known secrets. */
export function redactBodyText (text: string, contentType: string | undefined, context: { path: string, secrets: readonly string[] }): string {
  const type = (contentType ?? '').toLowerCase()
  const fielded = type.includes('x-www-form-urlencoded')
    ? redactFormFields(text, context.path)
    : redactJsonFields(text, context.path) // JSON, NDJSON, SSE data lines; harmless on other text
  return scrubSecrets(fielded, context.secrets)
}
