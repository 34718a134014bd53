// A stream while it runs: its most recent events (what the detail shows, kept with the
// exchange when it ends) and, for the list, a fresh count and byte total at most every
// REFRESH_MS. An event is shown (redacted, cut) and told to the feed after the turn that
// read it, so forwarding it to the client comes first.
import type { SseEvent } from '../log/sse-events.js'

export const MAX_STREAM_EVENTS = 500
export const PREVIEW_CHARS = 200
const REFRESH_MS = 500

/** `at`: ms since the exchange started. */
export interface StreamEvent extends SseEvent { at: number }

export interface StreamEvents { items: StreamEvent[], dropped: number }

/** An open stream as it is now: what its listed entry may not have yet. */
export interface LiveView { bytes: number, events?: number, streamEvents?: StreamEvents }

export interface LiveStreamHooks {
  /** Puts the open entry again, with the count and bytes as they are now. */
  refresh: () => void
  /** The event as the inspector may show it. */
  shown: (event: StreamEvent) => StreamEvent
  /** Tells the feed of one shown event. */
  announce: (event: StreamEvent) => void
}

export class LiveStream {
  readonly events: StreamEvents = { items: [], dropped: 0 }
  private unshown: StreamEvent[] = []
  private timer: NodeJS.Timeout | undefined
  private ended = false

  constructor (private readonly startedAt: bigint, private readonly hooks: LiveStreamHooks) {}

  /** One event as the log's parser read it, on the request's path. */
  readonly add = (event: SseEvent): void => {
    if (this.ended) return
    const at = Math.round(Number(process.hrtime.bigint() - this.startedAt) / 1e5) / 10
    if (this.unshown.push({ at, ...event }) === 1) setImmediate(this.show)
    else if (this.unshown.length > MAX_STREAM_EVENTS) this.dropOldest(this.unshown)
  }

  /** More bytes arrived: the list hears of it within REFRESH_MS. */
  readonly changed = (): void => {
    if (this.ended || this.timer !== undefined) return
    this.timer = setTimeout(() => { this.timer = undefined; this.hooks.refresh() }, REFRESH_MS).unref()
  }

  /** The stream is over: the events it keeps. */
  end (): StreamEvents {
    this.show()
    this.ended = true
    clearTimeout(this.timer)
    return this.events
  }

  private readonly show = (): void => {
    for (const event of this.unshown) {
      const shown = this.hooks.shown(event)
      if (this.events.items.push(shown) > MAX_STREAM_EVENTS) this.dropOldest(this.events.items)
      this.hooks.announce(shown)
    }
    this.unshown = []
  }

  private dropOldest (events: StreamEvent[]): void {
    events.shift()
    this.events.dropped++
  }
}
