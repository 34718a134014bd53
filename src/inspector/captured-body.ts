// A bounded raw copy of a body as it streams by: the first `limitBytes` kept, every byte counted.
// A chunk that is a small slice of a larger read buffer is copied, so a long stream does not
// pin one buffer per event; a chunk that is most of its buffer is kept as it is.

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
      chunks.push(part.length * 2 < part.buffer.byteLength ? Buffer.from(part) : part)
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
