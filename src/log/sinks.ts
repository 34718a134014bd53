// Where rendered lines go: one sonic-boom on stdout. A regular file (or /dev/null) is written
// synchronously: it cannot stall, and an async write costs more than the write. A pipe or terminal
// gets a bounded buffer, so a reader that stops never blocks the loop nor grows memory: an entry
// that does not fit is dropped whole, counted, and the count written once per stall.
import { pino } from 'pino'
import { fstatSync } from 'node:fs'
import { isatty } from 'node:tty'

const LOG_BUFFER_BYTES = 8 * 1024 * 1024
const FLUSH_GIVE_UP_MS = 900

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

/** For tests and embedding: every line written to `destination` as it comes. */
export function streamSink (destination: NodeJS.WritableStream): Sink {
  return {
    write: text => { destination.write(text) },
    flush: done => { setImmediate(done) },
    dropped: () => 0
  }
}

export function stdoutSink (format: keyof typeof dropNotices): Sink {
  // maxWrite: the default 16 KB per write falls behind a busy log. Buffer mode: in string mode
  // sonic-boom measures the pending string on every write.
  const sync = isPlainFile(1)
  const boom = pino.destination({ fd: 1, sync, maxLength: LOG_BUFFER_BYTES, maxWrite: 1024 * 1024, contentMode: 'buffer' })
  let dropped = 0
  let reported = 0
  // Bytes accepted and not yet written: a flush with nothing pending has no 'drain' to wait for.
  let pendingBytes = 0
  let accepted = true
  let abandoned = false
  boom.on('error', () => {}) // stdout closed or the disk full: the log has nowhere to go, the proxy goes on
  boom.on('drop', () => { accepted = false }) // emitted from within write()
  boom.on('write', (bytes: number) => { pendingBytes -= bytes })
  const write = (text: string): boolean => {
    if (abandoned) return false
    const bytes = Buffer.from(text)
    accepted = true
    boom.write(bytes as unknown as string) // contentMode 'buffer' takes Buffers
    if (accepted) pendingBytes += bytes.length
    return accepted
  }
  // 'drain': output flows again (not in sync mode: a file never stalls, and each drain costs a tick).
  if (!sync) {
    boom.on('drain', () => {
      if (dropped === reported) return
      const count = dropped - reported
      if (write(dropNotices[format](count))) reported += count
    })
  }
  return {
    write: text => { if (!write(text)) dropped++ },
    // Waits for the writes in flight: pino's exit hook would write the rest synchronously and spin
    // on a stalled pipe. A reader gone past the deadline loses the rest (destroy() stops the hook too).
    flush: done => {
      if (pendingBytes <= 0 || abandoned) return done()
      const timer = setTimeout(() => {
        abandoned = true
        boom.destroy()
        done()
      }, FLUSH_GIVE_UP_MS)
      boom.once('drain', () => { clearTimeout(timer); done() })
    },
    dropped: () => dropped
  }
}

function isPlainFile (fd: number): boolean {
  try {
    const stats = fstatSync(fd)
    return stats.isFile() || (stats.isCharacterDevice() && !isatty(fd))
  } catch {
    return false
  }
}
