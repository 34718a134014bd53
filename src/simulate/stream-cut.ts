// The "cut" fault: the body stops midway (after half its declared length, or its first chunk) and
// the client's connection is aborted, so it cannot take the answer for complete.
import { Readable, Transform } from 'node:stream'

export function cutMidway (payload: unknown, declaredLength: number | undefined): Readable {
  const source = payload instanceof Readable ? payload : Readable.from([Buffer.from(payload as string | Buffer)])
  const length = declaredLength ?? (payload instanceof Readable ? undefined : Buffer.byteLength(payload as string | Buffer))
  const cutAt = length === undefined ? undefined : Math.floor(length / 2)
  let sent = 0
  let cutting = false
  const cut = new Transform({
    transform (chunk: Buffer, _encoding, done) {
      if (cutting) return done()
      const room = cutAt === undefined ? chunk.length : cutAt - sent
      if (room > 0) this.push(chunk.subarray(0, room))
      sent += Math.min(room, chunk.length)
      if (cutAt === undefined || sent >= cutAt) {
        cutting = true
        // On the next turn, so the part sent gets out first.
        setImmediate(() => { source.destroy(new Error('cut by a fault')); cut.destroy(new Error('cut by a fault')) })
      }
      done()
    },
    // A source that ends before the cut must not end the answer normally.
    flush (done) { if (!cutting) done() }
  })
  return source.pipe(cut)
}
