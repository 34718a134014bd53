// pino for every log line; in pretty mode pino-pretty runs in-process as a stream
// (a worker thread could not receive our formatter) and writes asynchronously, so
// a slow terminal or `docker logs` reader never blocks the event loop.
import { pino, type Logger, type DestinationStream } from 'pino'
import pretty from 'pino-pretty'
import type { Config } from './settings.js'
import { formatExchange } from './curl-format.js'

export interface LoggerOptions {
  /** Where lines go; stdout by default. */
  destination?: NodeJS.WritableStream
  /** Colour codes; defaults to whether stdout is a TTY (never under docker logs). */
  colorize?: boolean
}

export interface ProxyLogger {
  logger: Logger
  /** Resolves once everything logged so far has been written. */
  flush: () => Promise<void>
}

export function createLogger (config: Pick<Config, 'logFormat' | 'logLevel'>, options: LoggerOptions = {}): ProxyLogger {
  const stream = config.logFormat === 'pretty' ? prettyStream(options) : jsonStream(options)
  const logger = pino({
    level: config.logLevel,
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime
  }, stream)
  return {
    logger,
    flush: () => new Promise(resolve => {
      const flushable = stream as { flush?: (callback: (error?: Error) => void) => void }
      if (typeof flushable.flush === 'function' && !options.destination) flushable.flush(() => resolve())
      else setImmediate(resolve)
    })
  }
}

function jsonStream (options: LoggerOptions): DestinationStream {
  return (options.destination as DestinationStream | undefined) ?? pino.destination({ fd: 1, sync: false })
}

function prettyStream (options: LoggerOptions): DestinationStream {
  const colorize = options.colorize ?? (process.stdout.isTTY === true && !process.env.NO_COLOR)
  return pretty({
    colorize,
    sync: false,
    destination: options.destination ?? 1,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    hideObject: true,
    messageFormat: (log, messageKey) => {
      if (log.exchange) return formatExchange(log.exchange as Parameters<typeof formatExchange>[0])
      return String(log[messageKey] ?? '')
    }
  }) as DestinationStream
}
