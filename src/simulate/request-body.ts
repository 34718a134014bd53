// A "bodyContains" match reads the request body before the proxy decides; bodies stream
// otherwise, so only such a match pays for it. At most MATCH_BODY_BYTES are held: a
// longer body matches no text. The body goes on whole, the held part first.
import { Readable } from 'node:stream'

export const MATCH_BODY_BYTES = 1024 * 1024

export interface HeldBody {
  /** The body as text, or undefined when it is longer than MATCH_BODY_BYTES. */
  text: string | undefined
  /** The whole body again, to be forwarded. */
  stream: Readable
}

export async function holdBody (body: Readable): Promise<HeldBody> {
  const chunks: Buffer[] = []
  const complete = await new Promise<boolean>((resolve, reject) => {
    let bytes = 0
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk)
      bytes += chunk.length
      if (bytes > MATCH_BODY_BYTES) finish(false)
    }
    const onEnd = (): void => finish(true)
    const finish = (ended: boolean): void => {
      body.pause()
      body.off('data', onData).off('end', onEnd).off('error', reject)
      resolve(ended)
    }
    body.on('data', onData).once('end', onEnd).once('error', reject)
  })
  const rest = async function * (): AsyncGenerator<Buffer> {
    yield * chunks
    if (!complete) yield * body
  }
  return { text: complete ? Buffer.concat(chunks).toString('utf8') : undefined, stream: Readable.from(rest(), { objectMode: false }) }
}
