// A small upstream body (the MCP discovery documents) read whole, changed, sent on as one chunk.
// A body past the cap is not what was expected: it is sent on unchanged.
import { PassThrough, type Readable } from 'node:stream'

export const REWRITE_MAX_BYTES = 64 * 1024

export function rewrittenBody (source: Readable, rewrite: (text: string) => string, maxBytes: number = REWRITE_MAX_BYTES): Readable {
  const out = new PassThrough()
  let kept: Buffer[] | undefined = []
  let size = 0
  source.on('data', (chunk: Buffer) => {
    if (kept === undefined) {
      if (!out.write(chunk)) source.pause()
      return
    }
    kept.push(chunk)
    size += chunk.length
    if (size <= maxBytes) return
    out.write(Buffer.concat(kept))
    kept = undefined
  })
  out.on('drain', () => source.resume())
  source.on('end', () => {
    if (kept === undefined) out.end()
    else out.end(rewrite(Buffer.concat(kept).toString('utf8')))
  })
  source.on('error', error => out.destroy(error))
  out.on('close', () => { if (!source.readableEnded) source.destroy() })
  // As for any upstream body (proxy.ts): a finished one kept by undici must not keep ours.
  source.on('close', () => { setImmediate(() => source.removeAllListeners()) })
  return out
}
