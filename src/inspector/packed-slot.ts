// How the store keeps an exchange: as bytes in a buffer of its slot, reused from one
// exchange to the next, not as objects. Kept objects (even one string of a few KB per
// exchange) outlive a few young-generation collections, are copied and promoted, and then
// die in the old generation: with 500 kept, the collector's work per request doubled, old
// collections ran several times per 10,000 requests, and the resident set grew by tens of
// MiB under load. Bytes written into a buffer the slot already owns allocate nothing that
// the collector follows. An entry is unpacked (a fresh object) each time it is read.
// The values go in one by one (slot-bytes.ts), through the field tables at the end.
import type { Config } from '../config/settings.js'
import type { CapturedBody } from './captured-body.js'
import type { BodyPreview, Exchange, HeaderBag } from '../log/exchange.js'
import { RAW, type PrivateParts, type StoredExchange } from './stored-exchange.js'
import { ABSENT, SlotReader, SlotWriter } from './slot-bytes.js'

export class PackedSlot {
  private bytes: Buffer = Buffer.allocUnsafeSlow(4096)
  /** Shared by every request of a profile: kept as a reference. */
  private config: Config | undefined

  pack (entry: StoredExchange): void {
    const { exchange, clientHeaders, socket, outcome, requestBody, responseBody, config } = entry[RAW]
    this.reserve(4096 + (requestBody?.bytes.length ?? 0) + (responseBody?.bytes.length ?? 0))
    const writer = new SlotWriter(this.bytes)
    ENTRY.write(writer, entry)
    EXCHANGE.write(writer, exchange)
    headers.write(writer, clientHeaders)
    SOCKET.write(writer, socket)
    OUTCOME.write(writer, outcome)
    body.write(writer, requestBody)
    body.write(writer, responseBody)
    this.bytes = writer.buffer
    this.config = config
  }

  unpack (): StoredExchange {
    const reader = new SlotReader(this.bytes)
    const entry = ENTRY.read(reader) as StoredExchange
    const raw: PrivateParts = {
      exchange: EXCHANGE.read(reader) as Exchange,
      clientHeaders: headers.read(reader) as PrivateParts['clientHeaders'],
      socket: SOCKET.read(reader) as PrivateParts['socket'],
      outcome: OUTCOME.read(reader) as PrivateParts['outcome'],
      requestBody: body.read(reader) as CapturedBody | undefined,
      responseBody: body.read(reader) as CapturedBody | undefined,
      config: this.config
    }
    return Object.defineProperty(entry, RAW, { value: raw, enumerable: true }) as StoredExchange
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

// What is packed, field by field, in this order. Each table names every field of its
// type (the type says so), so a field added later is not silently left out.
interface FieldCodec {
  write: (writer: SlotWriter, value: any) => void
  read: (reader: SlotReader) => unknown
}

const text: FieldCodec = { write: (w, value?: string) => { w.text(value) }, read: r => r.text() }
const number: FieldCodec = { write: (w, value?: number) => { w.number(value) }, read: r => r.number() }
const flag: FieldCodec = { write: (w, value?: boolean) => { w.flag(value) }, read: r => r.flag() }
// Rare or nested values (failures, a stream's head, a cut) as JSON.
const json: FieldCodec = {
  write: (w, value: unknown) => { w.text(value === undefined ? undefined : JSON.stringify(value)) },
  read: r => { const value = r.text(); return value === undefined ? undefined : JSON.parse(value) }
}
const texts: FieldCodec = {
  write: (w, values?: string[]) => {
    w.uint32(values === undefined ? ABSENT : values.length)
    if (values !== undefined) for (const value of values) w.text(value)
  },
  read: r => {
    const count = r.uint32()
    if (count === ABSENT) return undefined
    const values = new Array<string>(count)
    for (let i = 0; i < count; i++) values[i] = r.text()!
    return values
  }
}
// Name and value pairs; a value that is not a string (set-cookie's list, a number) as JSON.
const headers: FieldCodec = {
  write: (w, bag?: HeaderBag) => {
    w.flag(bag !== undefined)
    if (bag === undefined) return
    const countAt = w.placeholder()
    let count = 0
    for (const name in bag) {
      const value = bag[name]
      if (value === undefined) continue // left out, as JSON would
      w.text(name)
      w.flag(typeof value !== 'string')
      if (typeof value === 'string') w.text(value)
      else json.write(w, value)
      count++
    }
    w.patchUint32(countAt, count)
  },
  read: r => {
    if (r.flag() !== true) return undefined
    const bag: HeaderBag = {}
    for (let count = r.uint32(); count > 0; count--) {
      const name = r.text()!
      bag[name] = (r.flag() === true ? json.read(r) : r.text()) as HeaderBag[string]
    }
    return bag
  }
}
const body: FieldCodec = {
  write: (w, value?: CapturedBody) => {
    w.uint32(value === undefined ? ABSENT : value.bytes.length)
    if (value === undefined) return
    w.number(value.totalBytes) // a long download counts past 4 GiB
    w.raw(value.bytes)
  },
  read: r => {
    const length = r.uint32()
    if (length === ABSENT) return undefined
    const totalBytes = r.number()!
    return { bytes: r.raw(length), totalBytes }
  }
}
// Its hrtime stamp means nothing once the exchange is over (recordOf() takes the duration from the outcome).
const monotonic: FieldCodec = { write: () => {}, read: () => 0n }
// A stream's timer and head time stay behind: nothing viewed needs them.
const bodyStream: FieldCodec = {
  write: (w, value?: Exchange['bodyStream']) => { w.flag(value?.eventStream) },
  read: r => { const eventStream = r.flag(); return eventStream === undefined ? undefined : { eventStream } }
}

/** An optional object: present or not, then its fields in the table's order. */
function object<T> (fields: { [K in keyof T]-?: FieldCodec }): FieldCodec {
  const names = Object.keys(fields)
  const codecs = Object.values(fields) as FieldCodec[]
  return {
    write: (w, value?: Record<string, unknown>) => {
      w.flag(value !== undefined)
      if (value === undefined) return
      for (let i = 0; i < names.length; i++) codecs[i]!.write(w, value[names[i]!])
    },
    read: r => {
      if (r.flag() !== true) return undefined
      const value: Record<string, unknown> = {}
      for (let i = 0; i < names.length; i++) {
        const field = codecs[i]!.read(r)
        if (field !== undefined) value[names[i]!] = field // an absent field stays absent, as in JSON
      }
      return value
    }
  }
}

const ENTRY = object<Omit<StoredExchange, typeof RAW>>({
  id: number,
  replayOf: number,
  startedAt: number,
  state: text,
  method: text,
  url: text,
  status: number,
  answeredBy: text,
  environment: text,
  headersMs: number,
  durationMs: number,
  bytes: number,
  errorCode: text,
  hints: texts,
  stream: flag,
  failed: flag,
  responseType: text
})

// A body's text as a string, not as JSON: a JSON body's quotes cost an escape each.
const preview = object<BodyPreview>({ text, totalBytes: number, truncated: flag })

const EXCHANGE = object<Exchange>({
  id: number,
  startedAt: monotonic,
  method: text,
  url: text,
  origin: text,
  quiet: flag,
  environment: text,
  environmentMarked: flag,
  notes: texts,
  failure: json,
  replayBody: preview,
  requestBody: preview,
  upstreamHeaders: headers,
  injected: texts,
  upstreamUrl: text,
  upstreamStatus: number,
  upstreamResponseHeaders: headers,
  responseBody: preview,
  errorBody: preview,
  events: number,
  responseBytes: number,
  upstreamCut: flag,
  bodyStream,
  head: json,
  clientLeft: flag,
  proxyCut: json,
  simulatedBy: text
})

const SOCKET = object<NonNullable<PrivateParts['socket']>>({ localAddress: text, localPort: number })
const OUTCOME = object<NonNullable<PrivateParts['outcome']>>({ replyHeaders: headers, status: number, completed: flag, durationMs: number })
