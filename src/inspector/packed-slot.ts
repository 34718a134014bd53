// How the store keeps an exchange: as bytes in a buffer of its slot, reused from one
// exchange to the next, not as objects. Kept objects (even one string of a few KB per
// exchange) outlive a few young-generation collections, are copied and promoted, and then
// die in the old generation; bytes written into a buffer the slot already owns give the
// collector nothing to follow. Layout: the list's fields as JSON (read alone by the list,
// its filters and the feed), the private parts as JSON, then the two bodies as bytes.
import type { Config } from '../config/settings.js'
import type { CapturedBody } from './captured-body.js'
import type { Exchange } from '../log/exchange.js'
import { RAW, type ListedExchange, type PrivateParts, type StoredExchange } from './stored-exchange.js'

const ABSENT = 0xffffffff

export class PackedSlot {
  private bytes: Buffer = Buffer.allocUnsafeSlow(4096)
  /** Shared by every request of a profile: kept as a reference. */
  private config: Config | undefined

  pack (entry: StoredExchange): void {
    const { config, requestBody, responseBody, exchange, ...parts } = entry[RAW]
    const listed = JSON.stringify(entry) // the private parts are under a symbol, which JSON skips
    const raw = JSON.stringify({ ...parts, exchange: exchange && plainExchange(exchange) })
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.reserve(8 + (listed.length + raw.length) * 3 + 24 + (requestBody?.bytes.length ?? 0) + (responseBody?.bytes.length ?? 0))
    const offset = this.writeBody(requestBody, this.writeText(raw, this.writeText(listed, 0)))
    this.writeBody(responseBody, offset)
    this.config = config
  }

  listed (): ListedExchange {
    return JSON.parse(this.bytes.toString('utf8', 4, 4 + this.bytes.readUInt32LE(0))) as ListedExchange
  }

  unpack (): StoredExchange {
    const rawAt = 4 + this.bytes.readUInt32LE(0)
    const bodiesAt = rawAt + 4 + this.bytes.readUInt32LE(rawAt)
    const parts = JSON.parse(this.bytes.toString('utf8', rawAt + 4, bodiesAt)) as PrivateParts
    // The monotonic start means nothing once the exchange is over: recordOf() takes the duration from the outcome.
    if (parts.exchange !== undefined) parts.exchange.startedAt = 0n
    const request = this.readBody(bodiesAt)
    const response = this.readBody(request.next)
    const raw: PrivateParts = { ...parts, config: this.config, requestBody: request.body, responseBody: response.body }
    return Object.defineProperty(this.listed(), RAW, { value: raw, enumerable: true }) as StoredExchange
  }

  private writeText (text: string, offset: number): number {
    const length = this.bytes.write(text, offset + 4)
    this.bytes.writeUInt32LE(length, offset)
    return offset + 4 + length
  }

  private writeBody (body: CapturedBody | undefined, offset: number): number {
    this.bytes.writeUInt32LE(body === undefined ? ABSENT : body.bytes.length, offset)
    if (body === undefined) return offset + 4
    this.bytes.writeDoubleLE(body.totalBytes, offset + 4) // a long download counts past 4 GiB
    return offset + 12 + body.bytes.copy(this.bytes, offset + 12)
  }

  private readBody (offset: number): { body?: CapturedBody, next: number } {
    const length = this.bytes.readUInt32LE(offset)
    if (length === ABSENT) return { next: offset + 4 }
    // A copy: the slot is written over by a later exchange while a view or replay may hold it.
    const bytes = Buffer.from(this.bytes.subarray(offset + 12, offset + 12 + length))
    return { body: { bytes, totalBytes: this.bytes.readDoubleLE(offset + 4) }, next: offset + 12 + length }
  }

  /** Grows the slot's buffer to fit; gives back a large one that a small exchange follows. */
  private reserve (needed: number): void {
    const size = this.bytes.length
    if (needed <= size && (size <= 65536 || needed * 4 > size)) return
    // In whole pages, not powers of two: a body kept at the 64 KB cap needs a little over
    // 64 KB, and 500 slots of 128 KB would hold twice the memory that they use.
    this.bytes = Buffer.allocUnsafeSlow(Math.ceil(needed / 4096) * 4096)
  }
}

// Its hrtime stamps (bigint) and a stream's timer do not pack, and nothing viewed needs
// them; the head is rebuilt from the rest when the exchange is viewed.
function plainExchange (exchange: Exchange): object {
  const { startedAt: _startedAt, head: _head, bodyStream, ...plain } = exchange
  return { ...plain, bodyStream: bodyStream && { eventStream: bodyStream.eventStream } }
}
