// How the store keeps an exchange: as bytes in a buffer of its slot, reused from one
// exchange to the next, not as objects. Kept objects (even one string of a few KB per
// exchange) outlive a few young-generation collections, are copied and promoted, and then
// die in the old generation: with 500 kept, the collector's work per request doubled, old
// collections ran several times per 10,000 requests, and the resident set grew by tens of
// MiB under load. Bytes written into a buffer the slot already owns allocate nothing that
// the collector follows. An entry is unpacked (a fresh object) each time it is read.
import type { Config } from '../config/settings.js'
import type { CapturedBody } from './captured-body.js'
import type { Exchange } from '../log/exchange.js'
import { RAW, type PrivateParts, type StoredExchange } from './stored-exchange.js'

const ABSENT = 0xffffffff

export class PackedSlot {
  private bytes: Buffer = Buffer.allocUnsafeSlow(4096)
  /** Shared by every request of a profile: kept as a reference. */
  private config: Config | undefined

  pack (entry: StoredExchange): void {
    const { config, requestBody, responseBody, exchange, clientHeaders, socket, outcome } = entry[RAW]
    const meta = JSON.stringify({ entry, exchange: packable(exchange), clientHeaders, socket, outcome })
    const bodies = (requestBody?.bytes.length ?? 0) + (responseBody?.bytes.length ?? 0)
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.reserve(4 + meta.length * 3 + 2 * 12 + bodies)
    let offset = 4
    const metaBytes = this.bytes.write(meta, offset)
    this.bytes.writeUInt32LE(metaBytes, 0)
    offset += metaBytes
    offset = this.writeBody(requestBody, offset)
    this.writeBody(responseBody, offset)
    this.config = config
  }

  unpack (): StoredExchange {
    const metaBytes = this.bytes.readUInt32LE(0)
    let offset = 4 + metaBytes
    const { entry, exchange, ...parts } = JSON.parse(this.bytes.toString('utf8', 4, offset)) as { entry: StoredExchange } & Omit<PrivateParts, 'config' | 'requestBody' | 'responseBody'>
    const requestBody = this.readBody(offset)
    offset = requestBody.next
    const responseBody = this.readBody(offset)
    // The monotonic start means nothing once the exchange is over: recordOf() takes the
    // duration from the outcome.
    if (exchange !== undefined) exchange.startedAt = 0n
    const raw: PrivateParts = { ...parts, exchange, config: this.config, requestBody: requestBody.body, responseBody: responseBody.body }
    return Object.defineProperty(entry, RAW, { value: raw, enumerable: true }) as StoredExchange
  }

  private writeBody (body: CapturedBody | undefined, offset: number): number {
    if (body === undefined) {
      this.bytes.writeUInt32LE(ABSENT, offset)
      return offset + 4
    }
    this.bytes.writeUInt32LE(body.bytes.length, offset)
    this.bytes.writeDoubleLE(body.totalBytes, offset + 4) // a long download counts past 4 GiB
    body.bytes.copy(this.bytes, offset + 12)
    return offset + 12 + body.bytes.length
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
    let next = 4096
    while (next < needed) next *= 2
    this.bytes = Buffer.allocUnsafeSlow(next)
  }
}

// The exchange as plain data: its hrtime stamps (bigint) and a stream's timer do not pack,
// and nothing viewed needs them. Field by field: a rest spread or a JSON replacer
// function each cost as much as the stringify. Every field of Exchange must be named
// here (the type says so), so a new one is not silently left out.
function packable (exchange: Exchange | undefined): object | undefined {
  if (exchange === undefined) return undefined
  const copy: { [K in keyof Exchange]-?: unknown } = {
    id: exchange.id,
    startedAt: undefined,
    method: exchange.method,
    url: exchange.url,
    origin: exchange.origin,
    quiet: exchange.quiet,
    environment: exchange.environment,
    notes: exchange.notes,
    failure: exchange.failure,
    replayBody: exchange.replayBody,
    requestBody: exchange.requestBody,
    upstreamHeaders: exchange.upstreamHeaders,
    injected: exchange.injected,
    upstreamUrl: exchange.upstreamUrl,
    upstreamStatus: exchange.upstreamStatus,
    upstreamResponseHeaders: exchange.upstreamResponseHeaders,
    responseBody: exchange.responseBody,
    errorBody: exchange.errorBody,
    events: exchange.events,
    responseBytes: exchange.responseBytes,
    upstreamCut: exchange.upstreamCut,
    bodyStream: exchange.bodyStream && { eventStream: exchange.bodyStream.eventStream },
    head: exchange.head,
    clientLeft: exchange.clientLeft,
    proxyCut: exchange.proxyCut
  }
  return copy
}
