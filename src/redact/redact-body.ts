// A body as the inspector shows it: body-redact.ts's rules, then any literal copy of a
// configured secret. Runs when a body is viewed, never on the request path.
import { redactBody } from './body-redact.js'
import { scrubSecrets } from './secret-scrub.js'

export interface RedactContext {
  /** `code` under /auth/ is secret in a request only. */
  path: string
  side: 'request' | 'response'
  secrets: readonly string[]
}

export function redactBodyText (text: string, contentType: string | undefined, context: RedactContext): string {
  const redacted = redactBody(text, { path: context.path, side: context.side, contentType }).text
  return scrubSecrets(redactNestedJson(redacted, context), context.secrets)
}

// A JSON string whose content is JSON (an echoed request, an error quoting its input) is
// unescaped, redacted and escaped again.
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
