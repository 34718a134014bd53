// Reads a proxy log one line at a time. A log is never held as one string: a 60 s soak on
// a fast machine writes more than V8's longest string (2^29 - 24 characters, ~512 MiB),
// and `readFileSync(file, 'utf8')` then throws ERR_STRING_TOO_LONG (issue 10, item 0).
import { createReadStream, openSync, readSync, closeSync } from 'node:fs'
import { createInterface } from 'node:readline'

/** Calls `onLine` for each line of `file` (without its newline), streaming; resolves at the end. */
export async function forEachLine (file: string, onLine: (line: string) => void): Promise<void> {
  const input = createReadStream(file)
  const lines = createInterface({ input, crlfDelay: Infinity })
  lines.on('line', onLine)
  await new Promise<void>((resolve, reject) => {
    lines.once('close', resolve)
    input.once('error', reject)
  })
}

/** The first `maxBytes` of a file as text, however large the file is; '' if it does not exist yet. */
export function readHead (file: string, maxBytes = 64 * 1024): string {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return ''
  }
  try {
    const buffer = Buffer.alloc(maxBytes)
    const read = readSync(fd, buffer, 0, maxBytes, 0)
    return buffer.subarray(0, read).toString('utf8')
  } finally {
    closeSync(fd)
  }
}
