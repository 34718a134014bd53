// Text body previews for --log-bodies: the first 2 KB, with the full size.
import { Transform } from 'node:stream'
import type { BodyPreview } from './exchange.js'

export const PREVIEW_BYTES = 2048

const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript|x-ndjson)\b)/i

export function isTextual (contentType: unknown): boolean {
  return typeof contentType === 'string' && TEXTUAL.test(contentType)
}

/** Watches chunks that pass by and fills `preview` as they do. */
export function previewCollector (preview: BodyPreview): (chunk: Buffer) => void {
  const kept: Buffer[] = []
  let keptBytes = 0
  return chunk => {
    preview.totalBytes += chunk.length
    if (keptBytes < PREVIEW_BYTES) {
      kept.push(chunk.subarray(0, PREVIEW_BYTES - keptBytes))
      keptBytes = Math.min(PREVIEW_BYTES, keptBytes + chunk.length)
      preview.text = Buffer.concat(kept).toString('utf8')
    }
    preview.truncated = preview.totalBytes > keptBytes
  }
}

/** A pass-through stream that records a preview of what flows through it. */
export function previewTap (preview: BodyPreview): Transform {
  const collect = previewCollector(preview)
  return new Transform({
    transform (chunk: Buffer, _encoding, callback) {
      collect(chunk)
      callback(null, chunk)
    }
  })
}
