// pino for every line but the exchanges; the pretty and compact formats render pino's
// lines with pino-pretty's formatter in process. Exchange blocks and compact lines are
// rendered by exchange-output.ts and written past pino, framed the same way
// (renderedWriterOf; compact lines skip the level label). Every line, of every format,
// passes the logger's secret scrubber on its way out (secretScrubberOf). Where the lines
// go, in batches, and what happens when nobody reads them: sinks.ts.
import { pino, type Level, type Logger, type DestinationStream } from 'pino'
import { prettyFactory } from 'pino-pretty'
import type { Config } from '../config/settings.js'
import { palette } from './colour.js'
import { stdoutSink, streamSink, type Sink } from './sinks.js'
import { createSecretScrubber, type SecretScrubber } from '../redact/secret-scrub.js'

export interface LoggerOptions {
  /** Where lines go; stdout by default. */
  destination?: NodeJS.WritableStream
  /** Colour for the level labels (the CLI decides: TTY, NO_COLOR, FORCE_COLOR); never in JSON. */
  colorize?: boolean
}

export interface ProxyLogger {
  logger: Logger
  /** Resolves once everything logged so far has been written (or after 1 s at most). */
  flush: () => Promise<void>
  /** Lines dropped because the output was not being read. */
  droppedLines: () => number
}

/**
 * Writes an exchange's text, already rendered, framed as pino-pretty frames a line: the
 * clock, then the level label (`labelled`) or not (compact lines). The caller has asked
 * the logger whether the level is enabled.
 */
export type RenderedWriter = (level: Level, text: string, labelled: boolean) => void

// The loggers made here in the curl -v and compact formats, and their writers.
const renderedWriters = new WeakMap<Logger, RenderedWriter>()

/**
 * The exchange log's short cut past pino for text it has rendered itself: pino would
 * serialise the block into a JSON line only for the line to be dropped and the block
 * framed again (a tenth of the proxy's time per request under load). Undefined for
 * JSON (which goes through pino) and for loggers made elsewhere (exchange-output.ts
 * refuses those).
 */
export function renderedWriterOf (logger: Logger): RenderedWriter | undefined {
  return renderedWriters.get(logger)
}

// The loggers made here, and the secrets each has been told of.
const secretScrubbers = new WeakMap<Logger, SecretScrubber>()

/**
 * The scrubber every line of a logger made by createLogger() passes: a literal copy of a
 * secret it was told of (the exchange log tells it every profile's key) is replaced by the
 * secret's fingerprint, in whatever field or format it stands. Undefined for loggers made
 * elsewhere.
 */
export function secretScrubberOf (logger: Logger): SecretScrubber | undefined {
  return secretScrubbers.get(logger)
}

export function createLogger (config: Pick<Config, 'logFormat' | 'logLevel'>, options: LoggerOptions = {}): ProxyLogger {
  const out = options.destination ? streamSink(options.destination) : stdoutSink(config.logFormat === 'json' ? 'json' : 'text')
  const scrubber = createSecretScrubber()
  const sink: Sink = { ...out, write: text => { out.write(scrubber.scrub(text)) } }
  const stream = config.logFormat === 'json' ? { write: (line: string) => sink.write(line) } : prettyStream(sink, options)
  // ISO times for JSON readers; the pretty renderer formats its own clock time.
  const timestamp = config.logFormat === 'json' ? pino.stdTimeFunctions.isoTime : pino.stdTimeFunctions.epochTime
  const logger = pino({ level: config.logLevel, base: null, timestamp }, stream)
  secretScrubbers.set(logger, scrubber)
  if (config.logFormat !== 'json') {
    const paint = palette(options.colorize === true)
    renderedWriters.set(logger, (level, text, labelled) => {
      const clock = `[${clockTime(Date.now())}] `
      sink.write(labelled ? `${clock}${paint.level(level.toUpperCase(), logger.levels.values[level]!)}: ${text}\n` : `${clock}${text}\n`)
    })
  }
  return {
    logger,
    flush: () => new Promise(resolve => {
      const timer = setTimeout(resolve, 1000)
      sink.flush(() => { clearTimeout(timer); resolve() })
    }),
    droppedLines: sink.dropped
  }
}

// pino hands a metadata stream the logged object, level and message beside the JSON line
// (the API pino.multistream uses), so pino-pretty gets the object as it is instead of
// parsing the line back: the most expensive step of a pretty exchange otherwise.
interface MetadataStream extends DestinationStream {
  lastObj?: Record<string, unknown>
  lastLevel?: number
  lastMsg?: string
  [key: symbol]: unknown
}

function prettyStream (sink: Sink, options: LoggerOptions): DestinationStream {
  const render = prettyRenderer(options)
  const stream: MetadataStream = {
    write: line => {
      const fields = stream.lastObj
      if (fields === undefined) {
        sink.write(render(line))
        return
      }
      // The object logged is always a fresh literal of ours; completing it in place saves
      // a copy per line.
      fields.level = stream.lastLevel
      fields.time = Date.now()
      fields.msg = stream.lastMsg
      sink.write(render(fields))
    }
  }
  stream[pino.symbols.needsMetadataGsym] = true
  return stream
}

function prettyRenderer (options: LoggerOptions): (input: string | object) => string {
  const paint = palette(options.colorize === true)
  return prettyFactory({
    // pino-pretty would colour every message in one colour; only the label is coloured
    // here, and exchange blocks carry their own colour where it means something.
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
    // Not pino-pretty's default, which leaves out the space after the label when a line
    // has no message.
    messageFormat: (log, messageKey) => String(log[messageKey] ?? '')
  }) as (input: string | object) => string
}

// Every line has one: the local HH:MM:ss part is formatted once per second (time zones
// are offset by whole minutes, so local seconds start with UTC ones).
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
