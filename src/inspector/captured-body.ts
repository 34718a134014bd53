// A bounded raw copy of a body as it streams by: the first `limitBytes` are kept,
// every byte is counted. Chunks are copied as they come, so a kept slice never pins
// the socket's larger read buffer; finish() joins them once.

export interface CapturedBody {
  /** The kept bytes, once finish() ran. */
  bytes: Buffer
  totalBytes: number
}

export interface BodyCollector {
  watch: (chunk: Buffer) => void
  /** The kept bytes and the count so far; later chunks are still counted by watch(). */
  finish: () => CapturedBody
}

export function bodyCollector (limitBytes: number): BodyCollector {
  let chunks: Buffer[] = []
  let keptBytes = 0
  let totalBytes = 0
  let joined: Buffer | undefined
  return {
    watch: chunk => {
      totalBytes += chunk.length
      if (keptBytes >= limitBytes || joined !== undefined) return
      const part = chunk.subarray(0, limitBytes - keptBytes)
      chunks.push(Buffer.from(part))
      keptBytes += part.length
    },
    finish: () => {
      joined ??= chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, keptBytes)
      chunks = []
      return { bytes: joined, totalBytes }
    }
  }
}

export function isTruncated (body: CapturedBody): boolean {
  return body.totalBytes > body.bytes.length
}
