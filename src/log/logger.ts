// pino for every line; the pretty and compact formats render each line with pino-pretty's
// formatter in process (exchange blocks and compact lines arrive rendered by
// exchange-output.ts as one string; compact lines skip the level label). Output goes
// through one asynchronous sonic-boom with a bounded buffer: a terminal or
// `docker logs` reader that stops reading never blocks the event loop nor grows memory
// without limit. Lines that do not fit are dropped whole (never torn), counted, and
// the count is written once per stall, when output flows again.
import { pino, type Level, type Logger, type DestinationStream } from 'pino'
import { prettyFactory } from 'pino-pretty'
import type { Config } from '../config/settings.js'
import { palette } from './colour.js'

/** How much log output may wait for a stalled stdout before lines are dropped. */
export const LOG_BUFFER_BYTES = 8 * 1024 * 1024
// Output "flows again" once the waiting output has fallen to half the buffer. While it is
// still nearly full, a short notice would fit where a whole entry does not, and was
// written after nearly every dropped entry.
const FLOWING_BYTES = LOG_BUFFER_BYTES / 2
/** Under a steady flow of lines, how long a line may wait to be written with the next ones. */
const HANDOVER_MS = 20

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

const DROP_NOTICE = '[log] '

interface Sink { write: (text: string) => void, flush: (done: () => void) => void, dropped: () => number }

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
 * JSON and for loggers made elsewhere, which get the block through pino.
 */
export function renderedWriterOf (logger: Logger): RenderedWriter | undefined {
  return renderedWriters.get(logger)
}

export function createLogger (config: Pick<Config, 'logFormat' | 'logLevel'>, options: LoggerOptions = {}): ProxyLogger {
  const sink = options.destination ? streamSink(options.destination) : stdoutSink(config.logFormat === 'json' ? jsonDropNotice : textDropNotice)
  const stream = config.logFormat === 'json' ? { write: (line: string) => sink.write(line) } : prettyStream(sink, options)
  // ISO times for JSON readers; the pretty renderer formats its own clock time.
  const timestamp = config.logFormat === 'json' ? pino.stdTimeFunctions.isoTime : pino.stdTimeFunctions.epochTime
  const logger = pino({ level: config.logLevel, base: null, timestamp }, stream)
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
      const time = Date.now()
      // Compact exchange lines: the clock, then the line; the status says what the level would.
      if (typeof fields.exchangeLine === 'string') {
        sink.write(`[${clockTime(time)}] ${fields.exchangeLine}\n`)
        return
      }
      // The object logged is always a fresh literal of ours; completing it in place saves
      // a copy per line.
      fields.level = stream.lastLevel
      fields.time = time
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
    messageFormat: (log, messageKey) => {
      // Exchange blocks arrive rendered (exchange-output.ts formats them once).
      if (typeof log.exchangeBlock === 'string') return log.exchangeBlock
      return String(log[messageKey] ?? '')
    }
  }) as (input: string | object) => string
}

type DropNotice = (count: number) => string

const textDropNotice: DropNotice = count => `${DROP_NOTICE}${count} log entries were dropped because the output was not being read\n`
// In JSON mode the notice is a JSON line too, so every line stays parseable.
const jsonDropNotice: DropNotice = count => JSON.stringify({ level: 40, time: new Date().toISOString(), droppedLogLines: count, msg: `${DROP_NOTICE}${count} log entries were dropped because the output was not being read` }) + '\n'

function stdoutSink (dropNotice: DropNotice): Sink {
  // maxWrite: each write moves up to 1 MB of what waits (sonic-boom's default, 16 KB per
  // event-loop turn, falls behind a busy proxy's log rate even when stdout is a fast file).
  // Buffer mode keeps that cheap: in string mode sonic-boom measures the pending string on
  // every write. maxLength is only a backstop: lines are dropped here, before they reach it.
  const boom = pino.destination({ fd: 1, sync: false, maxLength: 2 * LOG_BUFFER_BYTES, maxWrite: 1024 * 1024, contentMode: 'buffer' })
  let dropped = 0
  let reported = 0
  // Bytes handed to sonic-boom and not yet written.
  let pendingBytes = 0
  // Lines are handed over in batches: at the end of the event-loop turn they were logged
  // in, or, while lines keep coming, at most once per HANDOVER_MS. Each write to stdout
  // costs a trip to libuv's thread pool and a thread switch, which under load cost more
  // than rendering the lines did (one write per line, then one per turn).
  let batch = ''
  let batchLines = 0
  let batchScheduled = false
  let lastHandOver = 0
  boom.on('error', () => {}) // stdout closed (EPIPE): nothing left to tell
  let batchDropped = false
  boom.on('drop', () => { batchDropped = true }) // the backstop tripped: the whole batch is lost
  const handOver = (): void => {
    batchScheduled = false
    if (batch === '') return
    lastHandOver = Date.now()
    const bytes = Buffer.from(batch)
    const lines = batchLines
    batch = ''
    batchLines = 0
    batchDropped = false
    boom.write(bytes as unknown as string) // emits 'drop' synchronously when it overflows
    if (batchDropped) dropped += lines
    else pendingBytes += bytes.length
  }
  // Lines are taken whole or dropped whole (never torn). The check counts characters for
  // the lines of this turn, which is close enough for a bound of megabytes.
  const take = (text: string): boolean => {
    if (pendingBytes + batch.length + text.length > LOG_BUFFER_BYTES) return false
    batch += text
    batchLines++
    if (!batchScheduled) {
      batchScheduled = true
      const wait = lastHandOver + HANDOVER_MS - Date.now()
      if (wait <= 0) setImmediate(handOver)
      else setTimeout(handOver, wait)
    }
    return true
  }
  const reportDrops = (): void => {
    if (dropped === reported || pendingBytes + batch.length > FLOWING_BYTES) return
    const count = dropped - reported
    if (take(dropNotice(count))) reported += count
  }
  // A process.exit() before the turn ends: pino's exit hook writes what sonic-boom holds,
  // so the batch must be there first.
  process.prependListener('exit', handOver)
  // Also here, not only before the next line: the stall may end with the last line logged.
  boom.on('write', (bytes: number) => {
    pendingBytes -= bytes
    reportDrops()
  })
  return {
    write: text => {
      reportDrops()
      if (!take(text)) dropped++
    },
    // sonic-boom's own flush does not wait for a write already in flight, and pino's
    // exit hook would then write the rest synchronously, out of order (or spin on a
    // stalled pipe). So wait until every accepted byte is out; if the reader is stalled,
    // give up the rest rather than hang the exit.
    flush: done => {
      handOver()
      const started = Date.now()
      const check = (): void => {
        if (pendingBytes <= 0) return done()
        if (Date.now() - started > 900) {
          boom.flushSync = () => {}
          return done()
        }
        setTimeout(check, 5)
      }
      check()
    },
    dropped: () => dropped
  }
}

function streamSink (destination: NodeJS.WritableStream): Sink {
  return {
    write: text => { destination.write(text) },
    flush: done => { setImmediate(done) },
    dropped: () => 0
  }
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
