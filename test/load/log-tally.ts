// Counts what a proxy log holds, fed one line at a time: exchanges, drop notices and
// lines that are not whole entries. Memory stays bounded however long the log is: counts,
// one bit per exchange id, the entry being read, and the first few bad lines as samples.
import { forEachLine } from './log-lines.js'

const DROP_NOTICE = /^\[log\] (\d+) log entries were dropped because the output was not being read$/
const PRETTY_HEAD = /^\[\d\d:\d\d:\d\d\.\d{3}\] [A-Z]+: /
const PRETTY_EXCHANGE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR): \* #(\d+) GET \/v1\/ping → \S+\/v1\/ping\n(> .+\n)+>\n< HTTP\/1\.1 \d{3} .*\n(< .+\n)*<\n\* #\2 \d{3} .+(\n\* hint: .+|\ncurl .+)*$/
const SAMPLES_KEPT = 3
const SAMPLE_CHARS = 300
const MAX_ID = 2 ** 28 // far above any run's request count; keeps the id bitmap ≤ 32 MiB even for a bogus id

export interface LogTally {
  /** Lines read. */
  lines: number
  /** Exchange entries (JSON lines with an `exchange`, or pretty `* #id` blocks). */
  exchanges: number
  /** JSON only: exchanges that completed with status 200. */
  answered: number
  /** JSON only: exchanges whose id was seen before, or is not an exchange id (1, 2, 3...). */
  badIds: number
  /** Drop notices, and the number of lost entries they report in total. */
  notices: number
  reportedDropped: number
  /** Lines (JSON) or blocks (pretty) that are not whole entries, with the first few as samples. */
  torn: number
  tornSamples: string[]
  /** The last line read. */
  lastLine: string
}

export interface LogReader { tally: LogTally, line: (line: string) => void, end: () => LogTally }

function emptyTally (): LogTally {
  return { lines: 0, exchanges: 0, answered: 0, badIds: 0, notices: 0, reportedDropped: 0, torn: 0, tornSamples: [], lastLine: '' }
}

function countTorn (tally: LogTally, text: string): void {
  tally.torn++
  if (tally.tornSamples.length < SAMPLES_KEPT) tally.tornSamples.push(text.slice(0, SAMPLE_CHARS))
}

function countNotice (tally: LogTally, dropped: number): void {
  tally.notices++
  tally.reportedDropped += dropped
}

/** Exchange ids are 1, 2, 3...: one bit each says whether an id was seen. */
function idSet (): (id: number) => boolean {
  let bits = new Uint8Array(1 << 16)
  return id => {
    const byte = id >>> 3
    if (byte >= bits.length) {
      const grown = new Uint8Array(Math.max(bits.length * 2, byte + 1))
      grown.set(bits)
      bits = grown
    }
    const mask = 1 << (id & 7)
    const seen = (bits[byte]! & mask) !== 0
    bits[byte] = bits[byte]! | mask
    return seen
  }
}

interface JsonEntry { exchange?: { id: number, completed: boolean, response?: { status: number } }, droppedLogLines?: number }

/** LOG_FORMAT=json: one entry per line. */
export function jsonLogReader (): LogReader {
  const tally = emptyTally()
  const seen = idSet()
  const line = (text: string): void => {
    tally.lines++
    tally.lastLine = text
    const notice = DROP_NOTICE.exec(text)
    if (notice) { countNotice(tally, Number(notice[1])); return }
    let entry: JsonEntry | null
    try {
      entry = JSON.parse(text) as JsonEntry | null
    } catch {
      entry = null
    }
    if (entry === null || typeof entry !== 'object') { countTorn(tally, text); return }
    // In JSON mode the drop notice is a JSON line of its own, with the count as a field.
    if (typeof entry.droppedLogLines === 'number') countNotice(tally, entry.droppedLogLines)
    const exchange = entry.exchange
    if (!exchange) return
    tally.exchanges++
    if (!(Number.isInteger(exchange.id) && exchange.id > 0 && exchange.id < MAX_ID) || seen(exchange.id)) tally.badIds++
    if (exchange.completed && exchange.response?.status === 200) tally.answered++
  }
  return { tally, line, end: () => tally }
}

/** LOG_FORMAT=pretty: an entry starts with `[time] LEVEL:` and runs to the next one; drop notices stand alone. */
export function prettyLogReader (): LogReader {
  const tally = emptyTally()
  // The entry being read; [] after a drop notice, so that lines following it count as torn.
  let entry: string[] | undefined
  const finish = (): void => {
    if (entry === undefined || entry.length === 0 || !/: \* #\d+ /.test(entry[0]!)) return
    tally.exchanges++
    const block = entry.join('\n')
    if (!PRETTY_EXCHANGE.test(block)) countTorn(tally, block)
  }
  const line = (text: string): void => {
    tally.lines++
    tally.lastLine = text
    const notice = DROP_NOTICE.exec(text)
    if (notice) {
      finish()
      countNotice(tally, Number(notice[1]))
      entry = []
    } else if (PRETTY_HEAD.test(text)) {
      finish()
      entry = [text]
    } else if (entry === undefined || entry.length === 0) {
      countTorn(tally, text) // a line outside any entry
    } else {
      entry.push(text)
    }
  }
  return { tally, line, end: () => { finish(); entry = undefined; return tally } }
}

/** Streams a log file through a reader of its format; returns the tally. */
export async function tallyLogFile (file: string, format: 'json' | 'pretty'): Promise<LogTally> {
  const reader = format === 'json' ? jsonLogReader() : prettyLogReader()
  await forEachLine(file, reader.line)
  return reader.end()
}
