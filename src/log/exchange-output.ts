// Writes exchanges in the configured format (curl -v blocks, compact lines, or JSON lines with
// flat fields), rendered once: text goes straight to the logger's output, JSON through pino.
import type { Level, Logger } from 'pino'
import type { Config } from '../config/settings.js'
import type { ExchangeHead, ExchangeRecord } from './exchange.js'
import { formatExchange, formatStreamEnd, formatStreamOpen, isAllowedPreflight, preflightLine, summaryLine, tag } from './curl-format.js'
import { compactLine, compactOpenLine } from './format-compact.js'
import { flatFields, headFields } from './log-fields.js'
import type { Palette } from './colour.js'
import type { RenderedWriter } from './logger.js'

export interface FinishedExtras {
  hint?: string
  curl?: string
  errorCode?: string
  /** The stream's head was logged as it opened; only its end is written now. */
  openLogged: boolean
}

export interface ExchangeOutput {
  streamOpened: (level: Level, head: ExchangeHead, contentType: string | undefined, headersMs: number) => void
  finished: (level: Level, record: ExchangeRecord, extras: FinishedExtras) => void
}

export function exchangeOutput (logger: Logger, write: RenderedWriter | undefined, format: Config['logFormat'], paint: Palette): ExchangeOutput {
  if (format === 'json') {
    return {
      streamOpened: (level, head, contentType, headersMs) => {
        logger[level]({ ...headFields(head, headersMs, undefined), stream: 'open', exchange: head }, `* ${tag(head)}stream open${contentType ? ` (${contentType})` : ''}`)
      },
      finished: (level, record, extras) => {
        const fields = flatFields(record, extras.errorCode, extras.hint)
        const message = isAllowedPreflight(record) ? preflightLine(record) : summaryLine(record, extras.errorCode)
        logger[level]({ ...fields, ...(record.streamed ? { stream: 'closed' } : {}), exchange: record, ...(extras.curl === undefined ? {} : { curl: extras.curl }) }, message)
      }
    }
  }
  if (write === undefined) throw new Error('the curl -v and compact formats need the rendered writer of a logger made by createLogger() (src/log/logger.ts)')
  if (format === 'compact') {
    return {
      streamOpened: (level, head, contentType) => { write(level, compactOpenLine(head, contentType, paint), false) },
      finished: (level, record, extras) => { write(level, compactLine(record, extras, paint), false) }
    }
  }
  const block = (level: Level, text: string): void => write(level, text, true)
  return {
    streamOpened: (level, head, contentType, headersMs) => {
      block(level, formatStreamOpen(head, contentType, headersMs, paint))
    },
    finished: (level, record, extras) => {
      // LOG_LEVEL=debug shows the full block of an allowed preflight too.
      block(level, record.streamed && extras.openLogged
        ? formatStreamEnd(record, extras, paint)
        : isAllowedPreflight(record) && !logger.isLevelEnabled('debug') ? preflightLine(record, paint) : formatExchange(record, extras, paint))
    }
  }
}
