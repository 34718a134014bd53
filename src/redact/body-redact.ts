// Secret-looking fields of a body hidden. JSON is scanned token by token, not parsed, so a
// preview cut at its limit, broken JSON and JSON sent as text/plain are as safe as a whole
// document, and every other byte stays as it was.
import { CUT_SECRET, redactLength, redactSecret } from './redact.js'

export interface BodyContext {
  /** The request's path: `code` is a one-time code under /auth/. */
  path: string
  /** A response's `code` is bkend's error code, which the log is there to show. */
  side: 'request' | 'response'
  contentType?: unknown
}

export interface RedactedBody {
  text: string
  /** Field names, each once. */
  redacted: string[]
}

const SECRET_PART = /pass(word|wd)|secret|token/i
const SECRET_NAME = /^((x[_-]?)?api[_-]?key|pwd|otp)$/i
const LENGTH_ONLY = /pass(word|wd)|^(pwd|otp|code)$/i
const AUTH_PATH = /\/auth(\/|$)/
const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i
// Without a form content type, text counts as a form when it is one line of name=value pairs.
const FORM_LIKE = /^[^\s=&{}[\]"']+=\S*\s*$/

export function redactBody (text: string, context: BodyContext): RedactedBody {
  const authCode = context.side === 'request' && AUTH_PATH.test(context.path.split('?')[0]!)
  const isSecret = (name: string): boolean => SECRET_PART.test(name) || SECRET_NAME.test(name) || (authCode && name.toLowerCase() === 'code')
  const isForm = typeof context.contentType === 'string' ? FORM_TYPE.test(context.contentType) : false
  return isForm || FORM_LIKE.test(text) ? redactForm(text, isSecret) : redactJsonLike(text, isSecret)
}

function hidden (name: string, value: string): string {
  return LENGTH_ONLY.test(name) ? redactLength(value) : redactSecret(value)
}

function redactForm (text: string, isSecret: (name: string) => boolean): RedactedBody {
  const redacted = new Set<string>()
  const pairs = text.split('&').map(pair => {
    const equals = pair.indexOf('=')
    if (equals < 0) return pair
    const name = formDecoded(pair.slice(0, equals))
    if (!isSecret(name)) return pair
    redacted.add(name)
    return `${pair.slice(0, equals)}=${hidden(name, formDecoded(pair.slice(equals + 1).trimEnd()))}`
  })
  return { text: pairs.join('&'), redacted: [...redacted] }
}

function formDecoded (part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '))
  } catch {
    return part
  }
}

interface Frame {
  object: boolean
  /** The field name that makes everything inside this object or array secret. */
  secretName: string | undefined
  key: string | undefined
  afterColon: boolean
}

// Lenient on purpose: single-quoted strings and bare keys ({password: 'x'}) are read as
// JSON would be, and a value is secret when its own key or any enclosing key is.
const BARE_WORD = /[^\s{}[\]:,"']+/y

function redactJsonLike (text: string, isSecret: (name: string) => boolean): RedactedBody {
  const stack: Frame[] = []
  const redacted = new Set<string>()
  const secretHere = (): string | undefined => {
    const top = stack.at(-1)
    if (top === undefined) return undefined
    if (top.secretName !== undefined) return top.secretName
    return top.object && top.afterColon && top.key !== undefined && isSecret(top.key) ? top.key : undefined
  }
  const inKeyPosition = (): Frame | undefined => {
    const top = stack.at(-1)
    return top?.object === true && !top.afterColon ? top : undefined
  }
  let out = ''
  let index = 0
  while (index < text.length) {
    const character = text[index]!
    if (character === '"' || character === "'") {
      const closedAt = stringEnd(text, index)
      const end = closedAt ?? text.length
      const token = text.slice(index, end)
      const keyFrame = inKeyPosition()
      const name = keyFrame ? undefined : secretHere()
      if (keyFrame) keyFrame.key = stringValue(token)
      if (name === undefined) out += token
      else {
        redacted.add(name)
        out += closedAt !== undefined ? `${character}${hidden(name, stringValue(token))}${character}` : `${character}${CUT_SECRET}`
      }
      index = end
      continue
    }
    index++
    const top = stack.at(-1)
    switch (character) {
      case '{':
      case '[':
        stack.push({ object: character === '{', secretName: secretHere(), key: undefined, afterColon: false })
        break
      case '}':
      case ']':
        stack.pop()
        break
      case ':':
        if (top) top.afterColon = true
        break
      case ',':
        if (top) { top.afterColon = false; top.key = undefined }
        break
      default: {
        if (/\s/.test(character)) break
        BARE_WORD.lastIndex = index - 1
        const word = BARE_WORD.exec(text)![0] // every character not handled above starts one
        index += word.length - 1
        const keyFrame = inKeyPosition()
        const name = keyFrame ? undefined : secretHere()
        if (keyFrame) keyFrame.key = word
        if (name === undefined || /^(true|false|null)$/.test(word)) out += word
        else {
          redacted.add(name)
          out += `"${hidden(name, word)}"`
        }
        continue
      }
    }
    out += character
  }
  return { text: out, redacted: [...redacted] }
}

/** Index just past the string that starts at `start`; undefined when the text ends inside it. */
function stringEnd (text: string, start: number): number | undefined {
  const quote = text[start]
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index++
    else if (text[index] === quote) return index + 1
  }
  return undefined
}

function stringValue (token: string): string {
  if (token.startsWith('"')) {
    try {
      return JSON.parse(token) as string
    } catch { /* cut off or not valid JSON: the characters between the quotes */ }
  }
  return token.slice(1, -1)
}
