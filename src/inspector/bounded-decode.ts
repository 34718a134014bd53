// Undoes a Content-Encoding for viewing, keeping at most `limitBytes`: a few KB of gzip can
// stand for gigabytes, so the stream decoder is stopped at the limit (zlib's one-shot
// `maxOutputLength` throws there instead of handing back what it had).
import zlib from 'node:zlib'

export interface DecodedBody {
  bytes: Buffer
  /** The decoded body went on past `limitBytes`; `bytes` holds its start. */
  cut: boolean
}

// A kept prefix of a compressed body is cut off: flush at the end of the input, not the stream.
const DECODERS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  'x-gzip': () => zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  deflate: () => zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  br: () => zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
}

/** The decoded start of `bytes`, or undefined for an unknown encoding or data that does not decode. */
export function decodeBounded (bytes: Buffer, encoding: string, limitBytes: number): Promise<DecodedBody | undefined> {
  const make = Object.hasOwn(DECODERS, encoding) ? DECODERS[encoding] : undefined
  if (make === undefined) return Promise.resolve(undefined)
  return new Promise(resolve => {
    const decoder = make()
    const chunks: Buffer[] = []
    let kept = 0
    let settled = false
    const settle = (result: DecodedBody | undefined): void => {
      if (settled) return
      settled = true
      decoder.destroy()
      resolve(result)
    }
    decoder.on('data', (chunk: Buffer) => {
      if (settled) return
      const room = limitBytes - kept
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room))
        kept += room
        settle({ bytes: Buffer.concat(chunks, kept), cut: true })
        return
      }
      chunks.push(chunk)
      kept += chunk.length
    })
    decoder.on('end', () => settle({ bytes: Buffer.concat(chunks, kept), cut: false }))
    decoder.on('error', () => settle(undefined))
    decoder.end(bytes)
  })
}
