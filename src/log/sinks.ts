// Where rendered log lines go. Lines are gathered and written in batches: at the end of
// the event-loop turn they were logged in, or, while lines keep coming, at most once per
// HANDOVER_MS (one write per line cost more under load than rendering the lines did).
//
// stdout is written one of two ways. A regular file (or /dev/null) synchronously: it
// cannot stall the way a reader can, and an asynchronous write is a trip to libuv's
// thread pool that costs more than the write (on one core, a thread switch per batch).
// A pipe or terminal through one asynchronous sonic-boom with a bounded buffer: a
// terminal or `docker logs` reader that stops reading never blocks the event loop nor
// grows memory without limit. Lines that do not fit are dropped whole (never torn),
// counted, and the count is written once per stall, when output flows again.
import { pino } from 'pino'
import { fstatSync, writeSync } from 'node:fs'
import { isatty } from 'node:tty'

/** How much log output may wait for a stalled stdout before lines are dropped. */
const LOG_BUFFER_BYTES = 8 * 1024 * 1024
// Output "flows again" once the waiting output has fallen to half the buffer. While it is
// still nearly full, a short notice would fit where a whole entry does not, and was
// written after nearly every dropped entry.
const FLOWING_BYTES = LOG_BUFFER_BYTES / 2
/** Under a steady flow of lines, how long a line may wait to be written with the next ones. */
const HANDOVER_MS = 20

export interface Sink {
  write: (text: string) => void
  /** Calls `done` once everything written so far is out (or given up on). */
  flush: (done: () => void) => void
  dropped: () => number
}

const DROP_NOTICE = '[log] '
const dropNotices = {
  text: (count: number) => `${DROP_NOTICE}${count} log entries were dropped because the output was not being read\n`,
  // In JSON mode the notice is a JSON line too, so every line stays parseable.
  json: (count: number) => JSON.stringify({ level: 40, time: new Date().toISOString(), droppedLogLines: count, msg: `${DROP_NOTICE}${count} log entries were dropped because the output was not being read` }) + '\n'
}

export function stdoutSink (format: keyof typeof dropNotices): Sink {
  return isPlainFile(1) ? fileSink(1) : streamingSink(dropNotices[format])
}

/** For tests and embedding: every line written to `destination` as it comes. */
export function streamSink (destination: NodeJS.WritableStream): Sink {
  return {
    write: text => { destination.write(text) },
    flush: done => { setImmediate(done) },
    dropped: () => 0
  }
}

interface LineBatch {
  add: (text: string) => void
  /** Characters waiting in the batch (close enough to bytes for a bound of megabytes). */
  readonly length: number
  /** Hands the batch over now. */
  handOver: () => void
}

// A process.exit() before the batch is handed over (a fatal start-up error, the end of a
// shutdown) must not lose it; prepended, so it runs before pino's own exit flush.
const openBatches = new Set<LineBatch>()
let exitHooked = false

function lineBatch (write: (text: string, lines: number) => void): LineBatch {
  let text = ''
  let lines = 0
  let scheduled = false
  let lastHandOver = 0
  const handOver = (): void => {
    scheduled = false
    if (text === '') return
    lastHandOver = Date.now()
    const taken = text
    const count = lines
    text = ''
    lines = 0
    write(taken, count)
  }
  const batch: LineBatch = {
    add: line => {
      text += line
      lines++
      if (scheduled) return
      scheduled = true
      const wait = lastHandOver + HANDOVER_MS - Date.now()
      if (wait <= 0) setImmediate(handOver)
      else setTimeout(handOver, wait)
    },
    get length () { return text.length },
    handOver
  }
  openBatches.add(batch)
  if (!exitHooked) {
    exitHooked = true
    process.prependListener('exit', () => { for (const open of openBatches) open.handOver() })
  }
  return batch
}

function fileSink (fd: number): Sink {
  const batch = lineBatch(text => {
    const bytes = Buffer.from(text)
    try {
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written)
    } catch {
      // The file is gone or the disk is full: the log has nowhere to go, the proxy goes on.
    }
  })
  return {
    write: text => batch.add(text),
    flush: done => {
      batch.handOver()
      done()
    },
    dropped: () => 0
  }
}

function streamingSink (dropNotice: (count: number) => string): Sink {
  // maxWrite: each write moves up to 1 MB of what waits (sonic-boom's default, 16 KB per
  // event-loop turn, falls behind a busy proxy's log rate). Buffer mode keeps that cheap:
  // in string mode sonic-boom measures the pending string on every write. maxLength is
  // only a backstop: lines are dropped here, before they reach it.
  const boom = pino.destination({ fd: 1, sync: false, maxLength: 2 * LOG_BUFFER_BYTES, maxWrite: 1024 * 1024, contentMode: 'buffer' })
  let dropped = 0
  let reported = 0
  // Bytes handed to sonic-boom and not yet written.
  let pendingBytes = 0
  let batchDropped = false
  boom.on('error', () => {}) // stdout closed (EPIPE): nothing left to tell
  boom.on('drop', () => { batchDropped = true }) // the backstop tripped: the whole batch is lost
  const batch = lineBatch((text, lines) => {
    const bytes = Buffer.from(text)
    batchDropped = false
    pendingBytes += bytes.length
    boom.write(bytes as unknown as string) // emits 'drop' synchronously when it overflows
    if (batchDropped) {
      dropped += lines
      pendingBytes -= bytes.length
    }
  })
  // Lines are taken whole or dropped whole.
  const take = (text: string): boolean => {
    if (pendingBytes + batch.length + text.length > LOG_BUFFER_BYTES) return false
    batch.add(text)
    return true
  }
  const reportDrops = (): void => {
    if (dropped === reported || pendingBytes + batch.length > FLOWING_BYTES) return
    const count = dropped - reported
    if (take(dropNotice(count))) reported += count
  }
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
      batch.handOver()
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

/** A regular file, or a character device that is not a terminal (/dev/null). */
function isPlainFile (fd: number): boolean {
  try {
    const stats = fstatSync(fd)
    return stats.isFile() || (stats.isCharacterDevice() && !isatty(fd))
  } catch {
    return false
  }
}
