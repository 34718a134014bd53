// Colour with a meaning, only where a person reads it (status, [injected], hints, level label).
// The CLI decides once whether to colour (config/terminal.ts) and passes it in; JSON never is.

export type Tone = 'success' | 'redirect' | 'client-error' | 'failure'

export interface Palette {
  tone: (tone: Tone, text: string) => string
  injected: (text: string) => string
  hint: (text: string) => string
  level: (label: string, level: number) => string
}

// SGR codes with their own resets (39: default colour, 22: normal intensity), so a
// coloured span never switches off another one around it.
const sgr = (open: string, close: string) => (text: string): string => `\u001b[${open}m${text}\u001b[${close}m`
const green = sgr('32', '39')
const cyan = sgr('36', '39')
const yellow = sgr('33', '39')
const red = sgr('31', '39')
const magenta = sgr('35', '39')
const blue = sgr('34', '39')
const grey = sgr('90', '39')
const boldMagenta = sgr('1;35', '22;39')

const TONES: Record<Tone, (text: string) => string> = { success: green, redirect: cyan, 'client-error': yellow, failure: red }
// pino-pretty's own choice per level, kept so colour does not change meaning between lines.
const LEVELS: Record<number, (text: string) => string> = { 10: grey, 20: blue, 30: green, 40: yellow, 50: red, 60: red }

const plain = (text: string): string => text

export const PLAIN: Palette = { tone: (_tone, text) => text, injected: plain, hint: plain, level: plain }

export const COLOURED: Palette = {
  tone: (tone, text) => TONES[tone](text),
  injected: magenta,
  hint: boldMagenta,
  level: (label, level) => (LEVELS[level] ?? plain)(label)
}

export function palette (colour: boolean): Palette {
  return colour ? COLOURED : PLAIN
}

/** Red for 5xx and for every answer that is the proxy's own error; then by status class. */
export function statusTone (status: number, failed: boolean): Tone {
  if (failed || status >= 500) return 'failure'
  if (status >= 400) return 'client-error'
  if (status >= 300) return 'redirect'
  return 'success'
}
