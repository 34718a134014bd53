// Where JSON.parse's refusal lies (line, column, what was expected), without a word of the
// text: V8's messages quote the text around the error, which in a config file can be a key.

export interface JsonSyntaxError {
  /** 1-based. */
  line: number
  /** 1-based, in characters. */
  column: number
  problem: string
}

class Found extends Error {
  constructor (readonly problem: string, readonly offset: number) {
    super(problem)
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y
const HEX4 = /[0-9a-fA-F]{4}/y

/** The first syntax error of `text`, or undefined when it finds none (or the text nests too deep to follow). */
export function jsonSyntaxError (text: string): JsonSyntaxError | undefined {
  let at = 0
  const fail = (problem: string, offset = at): never => {
    const comment = text[offset] === '/' && (text[offset + 1] === '/' || text[offset + 1] === '*')
    throw new Found(comment ? 'comments are not allowed in JSON' : problem, offset)
  }
  const skipWhitespace = (): void => { while (at < text.length && WHITESPACE.has(text[at]!)) at++ }

  const value = (): void => {
    skipWhitespace()
    const c = text[at]
    if (c === undefined) fail('the text ends where a value should be')
    if (c === '{') return object()
    if (c === '[') return array()
    if (c === '"') return string()
    if (c === '-' || (c! >= '0' && c! <= '9')) return number()
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, at)) { at += word.length; return }
    }
    if (at === 0 && c === '\ufeff') fail('the file starts with a byte order mark (save it as UTF-8 without BOM)')
    fail(c === "'" ? 'strings and names take double quotes in JSON' : 'a value should start here: a string in double quotes, a number, an object, an array, true, false or null')
  }

  const members = (close: '}' | ']', member: () => void): void => {
    at++
    skipWhitespace()
    if (text[at] === close) { at++; return }
    for (;;) {
      member()
      skipWhitespace()
      const c = text[at]
      if (c === close) { at++; return }
      if (c !== ',') fail(c === undefined ? `the text ends before the closing '${close}'` : `a ',' or '${close}' should be here`)
      at++
      skipWhitespace()
      if (text[at] === close) fail(`a comma before '${close}' is not allowed in JSON`)
    }
  }

  const object = (): void => members('}', () => {
    skipWhitespace()
    if (text[at] !== '"') fail(text[at] === undefined ? "the text ends before the closing '}'" : 'a property name in double quotes should be here')
    string()
    skipWhitespace()
    if (text[at] !== ':') fail("a ':' should follow the property name")
    at++
    value()
  })

  const array = (): void => members(']', value)

  const string = (): void => {
    const start = at++
    for (;;) {
      const c = text[at]
      if (c === undefined) fail('a string is not closed', start)
      if (c === '"') { at++; return }
      if (c === '\\') {
        const escaped = text[at + 1]
        if (escaped === 'u') {
          HEX4.lastIndex = at + 2
          if (!HEX4.test(text)) fail('\\u must be followed by four hex digits')
          at += 6
          continue
        }
        if (escaped === undefined || !ESCAPES.has(escaped)) fail('not a valid escape: use \\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\u')
        at += 2
        continue
      }
      if (c! < ' ') fail('a line break or control character inside a string (write it as \\n or \\t)')
      at++
    }
  }

  const number = (): void => {
    NUMBER.lastIndex = at
    const match = NUMBER.exec(text)
    if (match === null) fail('not a valid number')
    at += match![0].length
  }

  try {
    value()
    skipWhitespace()
    if (at < text.length) fail('more text follows the end of the JSON value')
    return undefined
  } catch (error) {
    if (!(error instanceof Found)) return undefined // RangeError: nested deeper than the stack
    return { ...position(text, error.offset), problem: error.problem }
  }
}

function position (text: string, offset: number): { line: number, column: number } {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: offset - lineStart + 1 }
}
