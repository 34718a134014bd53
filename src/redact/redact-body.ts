// Pure: body text as the inspector shows it. Secret-looking fields are hidden by the
// rules of body-redact.ts (one policy for log and inspector), and any
// literal copy of a configured secret (the API key echoed back by an upstream, or sent
// in a field or format those rules do not know) is replaced wherever it stands.
// Runs when a body is viewed, never on the request path.
import { redactBody } from './body-redact.js'
import { scrubSecrets } from './secret-scrub.js'

export interface RedactContext {
  /** The request's path and which side the body is from: `code` under /auth/ is secret in a request only. */
  path: string
  side: 'request' | 'response'
  secrets: readonly string[]
}

export function redactBodyText (text: string, contentType: string | undefined, context: RedactContext): string {
  const redacted = redactBody(text, { path: context.path, side: context.side, contentType }).text
  return scrubSecrets(redactNestedJson(redacted, context), context.secrets)
}

// A JSON string whose content is itself JSON (an echoed request, a stored payload, an
// error quoting what it got) is unescaped, redacted by the same rules and escaped again.
// Scanning string tokens from the start keeps to the token boundaries: outside strings
// JSON has no quotes.
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"/g
const MAX_NESTING = 3

function redactNestedJson (text: string, context: RedactContext, depth = 0): string {
  if (depth >= MAX_NESTING || !text.includes('\\"')) return text
  return text.replace(STRING_TOKEN, token => {
    if (!token.includes('\\"')) return token
    let inner: unknown
    try { inner = JSON.parse(token) } catch { return token }
    if (typeof inner !== 'string' || !/^\s*[{[]/.test(inner)) return token
    const redacted = redactNestedJson(redactBody(inner, { path: context.path, side: context.side, contentType: 'application/json' }).text, context, depth + 1)
    return redacted === inner ? token : JSON.stringify(redacted)
  })
}
