// Bounded copies of bodies that pass through (copy-as-curl, an error's bkend code, --log-bodies):
// bodies still stream; only the first bytes are kept.
import type { Readable } from 'node:stream'
import type { BodyPreview } from '../log/exchange.js'

/** --log-bodies shows this much of each text body, with the full size. */
export const PREVIEW_BYTES = 2048
/** Request bodies up to this size are repeated by the curl command. */
export const REPLAY_BODY_BYTES = 16 * 1024
/** Enough for bkend's {"success":false,"error":{…}} with a long message. */
export const ERROR_BODY_BYTES = 4 * 1024

const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript|x-ndjson)\b)/i

export function isTextual (contentType: unknown): boolean {
  return typeof contentType === 'string' && TEXTUAL.test(contentType)
}

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

/** Hands every chunk of `body` to each watcher as its consumer reads it: one listener, no stream in between. */
export function watchChunks (body: Readable, watchers: Array<(chunk: Buffer) => void>): void {
  // Paused first: a 'data' listener would start the flow before the upstream request reads the
  // body; undici resumes it when it starts writing upstream.
  body.pause()
  body.on('data', watchers.length === 1 ? watchers[0]! : (chunk: Buffer) => { for (const watch of watchers) watch(chunk) })
}
