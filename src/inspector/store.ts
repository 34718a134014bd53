// The ring buffer: the last `capacity` exchanges, oldest overwritten first. An open
// stream is put when its headers arrive and replaced in place as it runs and when it ends.
// Listeners (the SSE endpoint) hear of every put (with the entry as it was put), of each
// event of an open stream, and of clear().
import type { ListedExchange, StoredExchange } from './stored-exchange.js'
import type { StreamEvent } from './live-streams.js'
import { PackedSlot } from './packed-slot.js'

export type StoreEvent =
  | { type: 'put', entry: StoredExchange }
  | { type: 'stream-event', entry: ListedExchange, event: StreamEvent }
  | { type: 'clear' }

export class ExchangeStore {
  // Each slot's exchange is kept packed, as bytes (packed-slot.ts); ids and replay links
  // are kept as numbers beside them, so finding one unpacks nothing.
  private readonly slots: Array<PackedSlot | undefined>
  private readonly ids: Float64Array
  private readonly replayOfs: Float64Array
  private readonly slotOf = new Map<number, number>()
  private next = 0
  private readonly listeners = new Set<(event: StoreEvent) => void>()

  constructor (readonly capacity: number) {
    this.slots = new Array<PackedSlot | undefined>(capacity)
    this.ids = new Float64Array(capacity)
    this.replayOfs = new Float64Array(capacity)
  }

  get size (): number {
    return this.slotOf.size
  }

  put (entry: StoredExchange): void {
    let slot = this.slotOf.get(entry.id)
    if (slot === undefined) {
      slot = this.next
      if (this.slotOf.get(this.ids[slot]!) === slot) this.slotOf.delete(this.ids[slot]!)
      this.slotOf.set(entry.id, slot)
      this.next = (this.next + 1) % this.capacity
    }
    const packed = this.slots[slot] ??= new PackedSlot()
    packed.pack(entry)
    this.ids[slot] = entry.id
    this.replayOfs[slot] = entry.replayOf ?? 0
    if (this.listeners.size > 0) this.emit({ type: 'put', entry })
  }

  /** One event of an open stream: told, not kept (the stream keeps its own until it ends). */
  streamEvent (entry: ListedExchange, event: StreamEvent): void {
    if (this.listeners.size > 0) this.emit({ type: 'stream-event', entry, event })
  }

  get (id: number): StoredExchange | undefined {
    const slot = this.slotOf.get(id)
    return slot === undefined ? undefined : this.slots[slot]!.unpack()
  }

  /** Newest first (by id), up to `limit` that pass `keep`: their list fields only. */
  recent (keep: (entry: ListedExchange) => boolean, limit: number): ListedExchange[] {
    const found: ListedExchange[] = []
    for (const [, slot] of [...this.slotOf].sort((a, b) => b[0] - a[0])) {
      if (found.length >= limit) break
      const entry = this.slots[slot]!.listed()
      if (keep(entry)) found.push(entry)
    }
    return found
  }

  /** Ids of the exchanges that replayed `id`, oldest first. */
  replaysOf (id: number): number[] {
    const ids: number[] = []
    for (const slot of this.slotOf.values()) if (this.replayOfs[slot] === id) ids.push(this.ids[slot]!)
    return ids.sort((a, b) => a - b)
  }

  clear (): void {
    // The slots keep their buffers for the exchanges to come.
    this.slotOf.clear()
    this.next = 0
    this.emit({ type: 'clear' })
  }

  subscribe (listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private emit (event: StoreEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
