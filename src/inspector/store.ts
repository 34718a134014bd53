// The ring buffer: the last `capacity` exchanges, oldest overwritten first. An open
// stream is put when its headers arrive and replaced in place when it ends. Listeners
// (the SSE endpoint) hear of every put and of clear().
import type { StoredExchange } from './stored-exchange.js'

export type StoreEvent = { type: 'put', entry: StoredExchange } | { type: 'clear' }

export class ExchangeStore {
  private readonly slots: Array<StoredExchange | undefined>
  private readonly slotOf = new Map<number, number>()
  private next = 0
  private readonly listeners = new Set<(event: StoreEvent) => void>()

  constructor (readonly capacity: number) {
    this.slots = new Array<StoredExchange | undefined>(capacity)
  }

  get size (): number {
    return this.slotOf.size
  }

  put (entry: StoredExchange): void {
    const existing = this.slotOf.get(entry.id)
    if (existing !== undefined) {
      this.slots[existing] = entry
    } else {
      const evicted = this.slots[this.next]
      if (evicted !== undefined) this.slotOf.delete(evicted.id)
      this.slots[this.next] = entry
      this.slotOf.set(entry.id, this.next)
      this.next = (this.next + 1) % this.capacity
    }
    if (this.listeners.size > 0) this.emit({ type: 'put', entry })
  }

  get (id: number): StoredExchange | undefined {
    const slot = this.slotOf.get(id)
    return slot === undefined ? undefined : this.slots[slot]
  }

  /** Newest first (by id), up to `limit` that pass `keep`. */
  recent (keep: (entry: StoredExchange) => boolean, limit: number): StoredExchange[] {
    const all: StoredExchange[] = []
    for (const entry of this.slots) if (entry !== undefined) all.push(entry)
    all.sort((a, b) => b.id - a.id)
    const found: StoredExchange[] = []
    for (const entry of all) {
      if (found.length >= limit) break
      if (keep(entry)) found.push(entry)
    }
    return found
  }

  /** Ids of the exchanges that replayed `id`, oldest first. */
  replaysOf (id: number): number[] {
    const ids: number[] = []
    for (const entry of this.slots) if (entry?.replayOf === id) ids.push(entry.id)
    return ids.sort((a, b) => a - b)
  }

  clear (): void {
    this.slots.fill(undefined)
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
