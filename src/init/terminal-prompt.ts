// Questions on a terminal: one read with echo (readline, so line editing works) and one
// without, for the key. Ctrl-C or the end of input cancels: init then writes nothing.
import { createInterface } from 'node:readline/promises'
import { CANCELLED_EXIT_CODE, InitError } from './init-error.js'

export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean, isRaw?: boolean, setRawMode?: (mode: boolean) => unknown }
  output: NodeJS.WritableStream
}

const CTRL_C = '\u0003'
const CTRL_D = '\u0004'
const ESCAPE = '\u001b'
const BACKSPACES = new Set(['\u007f', '\b'])

function cancelled (): InitError {
  return new InitError('init: cancelled; nothing was written', CANCELLED_EXIT_CODE)
}

/** Asks with echo; Enter alone answers `fallback`. */
export async function askVisible (terminal: Terminal, question: string, fallback: string): Promise<string> {
  const lines = createInterface({ input: terminal.input, output: terminal.output, terminal: true })
  const abort = new AbortController()
  const cancel = (): void => abort.abort()
  lines.once('SIGINT', cancel)
  lines.once('close', cancel)
  try {
    const answer = (await lines.question(question, { signal: abort.signal })).trim()
    return answer === '' ? fallback : answer
  } catch {
    throw cancelled()
  } finally {
    // Only our own listener: readline's own 'close' handler detaches it from the input.
    lines.off('close', cancel)
    lines.close()
  }
}

/**
 * Asks without echo. Raw mode goes on before the question is shown, so nothing typed
 * after the question can be echoed by the terminal itself.
 */
export async function askHidden (terminal: Terminal, question: string): Promise<string> {
  const { input, output } = terminal
  const wasRaw = input.isRaw === true
  input.setRawMode?.(true)
  output.write(question)
  return new Promise((resolve, reject) => {
    let answer = ''
    const finish = (error?: InitError): void => {
      input.off('data', onData)
      input.off('end', onEnd)
      input.setRawMode?.(wasRaw)
      input.pause()
      output.write('\n')
      if (error === undefined) resolve(answer)
      else reject(error)
    }
    const onEnd = (): void => finish(cancelled())
    const onData = (chunk: Buffer | string): void => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return finish()
        if (char === CTRL_C || (char === CTRL_D && answer === '')) return finish(cancelled())
        // An arrow or function key: the rest of the chunk is its escape sequence.
        if (char === ESCAPE) return
        if (BACKSPACES.has(char)) answer = Array.from(answer).slice(0, -1).join('')
        else if (char >= ' ') answer += char
      }
    }
    input.on('data', onData)
    input.once('end', onEnd)
    input.resume()
  })
}
