// Pure: one request → a runnable `curl -v` command that repeats it, for pasting into a
// terminal or a bug report. Secrets become environment-variable references, never values.
import { isSecretQueryName } from '../redact/redact.js'
import type { HeaderBag } from '../log/exchange.js'

export interface CurlRequest {
  method: string
  /** Full URL the request went to. */
  url: string
  headers: HeaderBag
  /** Names of headers the proxy injected (their secrets are the configured key). */
  injected: readonly string[]
  /** BKEND_API_KEY already starts with "Bearer ", so the variable stands for the whole value. */
  keyIncludesScheme?: boolean
  body?: CurlBody
  /** A target that is no path (`OPTIONS *`, `CONNECT host:port`), sent as it was. */
  requestTarget?: string
}

/**
 * A body is repeated inline only when it is logged (LOG_BODIES) and was kept whole, with its
 * secret fields already hidden; otherwise the command reads it from a file and says why.
 */
export type CurlBody =
  | { text: string, hiddenFields: readonly string[] }
  | { totalBytes: number | undefined, reason: 'not-logged' | 'not-repeatable' }

// Which variable stands for which secret. The injected Authorization is the configured
// key; the same header from the app is a signed-in user's token.
const SECRET_VARIABLES: Record<string, { injected: string, client: string }> = {
  authorization: { injected: 'BKEND_API_KEY', client: 'BKEND_USER_TOKEN' },
  'proxy-authorization': { injected: 'PROXY_AUTHORIZATION', client: 'PROXY_AUTHORIZATION' },
  'x-api-key': { injected: 'BKEND_API_KEY', client: 'BKEND_PUBLISHABLE_KEY' },
  cookie: { injected: 'BKEND_COOKIE', client: 'BKEND_COOKIE' }
}

// curl derives these from the URL and the body; repeating them could only disagree.
const DERIVED = new Set(['host', 'content-length'])

export function copyAsCurl (request: CurlRequest): string {
  const args = ['curl', '-v']
  const body = request.body
  const method = request.method.toUpperCase()
  if (method === 'HEAD') args.push('--head')
  else if (method !== (body !== undefined ? 'POST' : 'GET')) args.push('-X', singleQuoted(method))
  if (request.requestTarget !== undefined) args.push('--request-target', singleQuoted(request.requestTarget))
  args.push(urlArgument(request.url))
  const host = hostOf(request.url)
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue
    for (const single of Array.isArray(value) ? value : [String(value)]) {
      if (DERIVED.has(name) && (name !== 'host' || single.toLowerCase() === host)) continue
      const injected = request.injected.includes(name)
      args.push('-H', headerArgument(name, single, injected, injected && request.keyIncludesScheme === true))
    }
  }
  if (body === undefined) return args.join(' ')
  if ('text' in body) {
    args.push('--data-binary', shellQuoted(body.text))
    const command = args.join(' ')
    if (body.hiddenFields.length === 0) return command
    // The names come from the wire: a line break in one would end the comment.
    const names = body.hiddenFields.map(name => name.replace(/[^\w.@$-]/g, '?')).join(', ')
    return `${command} # secret fields hidden (${names}): put their values back before running it`
  }
  const file = bodyFileName(request.headers['content-type'])
  args.push('--data-binary', `@${file}`)
  const size = body.totalBytes === undefined ? '' : ` (${body.totalBytes} bytes)`
  const why = body.reason === 'not-logged' ? 'is logged only with LOG_BODIES=true (--log-bodies)' : 'is not text, or too large to repeat here'
  return `${args.join(' ')} # the request body${size} ${why}; save it as ${file} to repeat the request`
}

function bodyFileName (contentType: HeaderBag[string]): string {
  const type = String(contentType ?? '').toLowerCase()
  if (/^application\/([\w.+-]*\+)?json\b/.test(type)) return 'request-body.json'
  return /^(text\/|application\/x-www-form-urlencoded\b)/.test(type) ? 'request-body.txt' : 'request-body.bin'
}

// Credential query values (api_key, access_token, ...) become variables too:
// 'https://h/v1/x?api_key='"$BKEND_QUERY_API_KEY"'&limit=1'.
function urlArgument (url: string): string {
  const query = url.indexOf('?')
  if (query < 0) return shellQuoted(url)
  const parts: string[] = []
  let literal = url.slice(0, query + 1)
  const pairs = url.slice(query + 1).split('&')
  pairs.forEach((pair, index) => {
    const equals = pair.indexOf('=')
    const name = equals < 0 ? pair : pair.slice(0, equals)
    if (equals >= 0 && isSecretQueryName(name)) {
      parts.push(shellQuoted(literal + name + '='))
      parts.push(`"$BKEND_QUERY_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}"`)
      literal = ''
    } else {
      literal += pair
    }
    if (index < pairs.length - 1) literal += '&'
  })
  if (literal !== '' || parts.length === 0) parts.push(shellQuoted(literal))
  return parts.join('')
}

function headerArgument (name: string, value: string, injected: boolean, wholeValue: boolean): string {
  const display = displayName(name)
  const variables = SECRET_VARIABLES[name]
  if (!variables) return shellQuoted(`${display}: ${value}`)
  const variable = injected ? variables.injected : variables.client
  // Keep the scheme (Bearer, Basic) so the variable holds just the token.
  const scheme = name.endsWith('authorization') && !wholeValue ? /^(\S+)\s+\S/.exec(value)?.[1] : undefined
  return `"${escapeDoubleQuoted(`${display}: ${scheme ? `${scheme} ` : ''}`)}$${variable}"`
}

/** `x-project-id` → `X-Project-Id`; HTTP header names are case-insensitive. */
function displayName (name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase())
}

/** POSIX single quotes: everything literal; a ' is closed, escaped and reopened. */
export function singleQuoted (text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

// A line break inside single quotes would split the command across log lines (and the
// log replaces control characters), so such text uses bash's $'…' escapes instead.
const CONTROL = /[\u0000-\u001f\u007f]/

export function shellQuoted (text: string): string {
  if (!CONTROL.test(text)) return singleQuoted(text)
  const escaped = text.replace(/[\\'\u0000-\u001f\u007f]/g, character => {
    if (character === '\n') return '\\n'
    if (character === '\r') return '\\r'
    if (character === '\t') return '\\t'
    if (character === '\\' || character === "'") return `\\${character}`
    return `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
  return `$'${escaped}'`
}

function escapeDoubleQuoted (text: string): string {
  return text.replace(/[\\"$`]/g, character => `\\${character}`)
}

function hostOf (url: string): string {
  try {
    return new URL(url).host.toLowerCase()
  } catch {
    return ''
  }
}
