// Bounded copies of bodies that pass through, for diagnosis: the start of a request
// body (so copy-as-curl can repeat small ones) and of an error response (for its
// bkend error.code). Bodies still stream; only the first bytes are kept.
import { Transform } from 'node:stream'
import type { BodyPreview } from './exchange.js'

/** Request bodies up to this size are repeated by the curl command. */
export const REPLAY_BODY_BYTES = 16 * 1024
/** Enough for bkend's {"success":false,"error":{…}} with a long message. */
export const ERROR_BODY_BYTES = 4 * 1024

/** Watches chunks that pass by and keeps the first `limitBytes` of them in `capture`. */
export function cappedCollector (capture: BodyPreview, limitBytes: number): (chunk: Buffer) => void {
  const kept: Buffer[] = []
  let keptBytes = 0
  return chunk => {
    capture.totalBytes += chunk.length
    if (keptBytes < limitBytes) {
      kept.push(chunk.subarray(0, limitBytes - keptBytes))
      keptBytes = Math.min(limitBytes, keptBytes + chunk.length)
      capture.text = Buffer.concat(kept).toString('utf8')
    }
    capture.truncated = capture.totalBytes > keptBytes
  }
}

/** A pass-through stream that hands every chunk to each watcher. */
export function watchingTap (watchers: Array<(chunk: Buffer) => void>): Transform {
  return new Transform({
    transform (chunk: Buffer, _encoding, callback) {
      for (const watch of watchers) watch(chunk)
      callback(null, chunk)
    }
  })
}
