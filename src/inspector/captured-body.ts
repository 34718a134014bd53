// A bounded raw copy of a body as it streams by: the first `limitBytes` are kept,
// every byte is counted; finish() joins them once. A chunk that is a small part of a
// larger buffer (an event of a stream, in the socket's 64 KB read) is copied, so that a
// long stream does not pin one read buffer per event; a chunk that is most of its buffer
// is kept as it is (the inspector's packed slot copies the kept bytes when the exchange
// ends). Copying every chunk doubled the memory churn of large downloads.

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
