// pino for the banner, warnings and errors; exchanges are rendered by exchange-output.ts and
// written past pino (ExchangeWriter), framed the same way. Every line passes the secret scrubber.
import { pino, type Level, type Logger } from 'pino'
import { prettyFactory } from 'pino-pretty'
import type { Config } from '../config/settings.js'
import { palette } from './colour.js'
import { stdoutSink, streamSink } from './sinks.js'
import { createSecretScrubber } from '../redact/secret-scrub.js'

export interface LoggerOptions {
  destination?: NodeJS.WritableStream
  colorize?: boolean
}

export interface ProxyLogger {
  logger: Logger
  exchangeWriter: ExchangeWriter
  /** Resolves once everything logged so far has been written (or after 1 s at most). */
  flush: () => Promise<void>
  droppedLines: () => number
}

export type RenderedWriter = (level: Level, text: string, labelled: boolean) => void

export interface ExchangeWriter {
  /** Past pino, which would serialise the block to JSON only to parse and frame it again; undefined in JSON. */
  rendered: RenderedWriter | undefined
  rememberSecrets: (secrets: readonly string[]) => void
}

export function createLogger (config: Pick<Config, 'logFormat' | 'logLevel'>, options: LoggerOptions = {}): ProxyLogger {
  const out = options.destination ? streamSink(options.destination) : stdoutSink(config.logFormat === 'json' ? 'json' : 'text')
  const scrubber = createSecretScrubber()
  const write = (text: string): void => { out.write(scrubber.scrub(text)) }
  const render = config.logFormat === 'json' ? undefined : prettyRenderer(options)
  const stream = { write: render ? (line: string) => write(render(line)) : write }
  const timestamp = config.logFormat === 'json' ? pino.stdTimeFunctions.isoTime : pino.stdTimeFunctions.epochTime
  const logger = pino({ level: config.logLevel, base: null, timestamp }, stream)
  const paint = palette(options.colorize === true)
  const rendered: RenderedWriter | undefined = render && ((level, text, labelled) => {
    const clock = `[${clockTime(Date.now())}] `
    write(labelled ? `${clock}${paint.level(level.toUpperCase(), logger.levels.values[level]!)}: ${text}\n` : `${clock}${text}\n`)
  })
  return {
    logger,
    exchangeWriter: { rendered, rememberSecrets: scrubber.remember },
    flush: () => new Promise(resolve => {
      const timer = setTimeout(resolve, 1000)
      out.flush(() => { clearTimeout(timer); resolve() })
    }),
    droppedLines: out.dropped
  }
}

function prettyRenderer (options: LoggerOptions): (input: string | object) => string {
  const paint = palette(options.colorize === true)
  return prettyFactory({
    // Only the label is coloured; exchange blocks carry their own colour where it means something.
    colorize: false,
    customPrettifiers: {
      time: time => `[${clockTime(time)}]`,
      // With colorize off pino-pretty's "labelColorized" is the plain label ("label" is unset).
      level: (level, _key, _log, { labelColorized }) => paint.level(labelColorized, Number(level))
    },
    // Local HH:MM:ss.mmm, formatted here: pino-pretty's translateTime costs more per line.
    translateTime: false,
    hideObject: true,
    // pino-pretty's default ignore list ('hostname') makes it deep-copy every line.
    ignore: '',
    // pino-pretty's default drops the space after the label on a line without a message.
    messageFormat: (log, messageKey) => String(log[messageKey] ?? '')
  }) as (input: string | object) => string
}

// HH:MM:ss is formatted once per second (time zones are offset by whole minutes).
let clockSecond = Number.NaN
let clockPrefix = ''

function clockTime (time: unknown): string {
  const epochMs = typeof time === 'number' ? time : new Date(String(time)).getTime()
  const second = Math.floor(epochMs / 1000)
  if (second !== clockSecond) {
    const date = new Date(epochMs)
    const two = (value: number): string => value < 10 ? `0${value}` : String(value)
    clockSecond = second
    clockPrefix = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.`
  }
  const ms = epochMs - second * 1000
  return `${clockPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`
}
