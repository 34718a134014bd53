// GET /__proxy/api/events: Server-Sent Events, one `exchange` event per exchange put in
// the store (an open stream, again as it runs and when it ends) that passes the request's
// filter, a `stream-event` per event of such a stream, and `clear` when the list is cleared. A reader that stops reading
// is dropped rather than buffered without bound.
import { PassThrough } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { ExchangeStore } from './store.js'
import { matchesFilter, type ExchangeFilter } from './filters.js'
import { summaryOf } from './views.js'

const HEARTBEAT_MS = 15000
const MAX_BACKLOG_BYTES = 1024 * 1024

export interface EventStreams {
  open: (reply: FastifyReply, filter: ExchangeFilter) => void
  /** Ends every open stream (the app is closing). */
  closeAll: () => void
}

export function eventStreams (store: ExchangeStore): EventStreams {
  const stops = new Set<() => void>()
  return {
    open (reply, filter) {
      const stream = new PassThrough()
      const send = (text: string): void => {
        if (stream.writableLength > MAX_BACKLOG_BYTES) stop()
        else stream.write(text)
      }
      const unsubscribe = store.subscribe(event => {
        if (event.type === 'clear') send('event: clear\ndata: {}\n\n')
        else if (!matchesFilter(event.entry, filter)) return
        else if (event.type === 'put') send(`event: exchange\ndata: ${JSON.stringify(summaryOf(event.entry))}\n\n`)
        else send(`event: stream-event\ndata: ${JSON.stringify({ id: event.entry.id, event: event.event })}\n\n`)
      })
      const heartbeat = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS)
      heartbeat.unref()
      let stopped = false
      function stop (): void {
        if (stopped) return
        stopped = true
        stops.delete(stop)
        unsubscribe()
        clearInterval(heartbeat)
        stream.end()
      }
      stops.add(stop)
      reply.raw.once('close', stop)
      // The first bytes go out at once, so EventSource reports the stream open.
      stream.write('retry: 2000\n: connected\n\n')
      reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-store, no-transform')
        .header('x-accel-buffering', 'no')
        .send(stream)
    },
    closeAll () {
      for (const stop of [...stops]) stop()
    }
  }
}
