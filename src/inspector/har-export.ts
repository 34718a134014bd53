// GET /__proxy/api/har as a stream: the document is written one entry at a time, each
// built (bodies decoded, redacted) only when the previous one has gone out. Memory stays
// at one entry's worth however many are exported, and the event loop gets a turn between
// entries, so requests being forwarded meanwhile are not held up by the export.
import { Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { ListedExchange } from './stored-exchange.js'
import type { ExchangeDetail } from './views.js'
import { harEntry, harEntryText, harFrame } from './har.js'

export interface HarExportOptions {
  /** The full view of one finished exchange; undefined once it has left the buffer. */
  detailOf: (entry: ListedExchange) => Promise<ExchangeDetail | undefined>
  proxyOrigin: string
  /** Streams still open, left out of the export. */
  left: number
}

/** `entries` newest first, as the list shows them; HAR lists entries in time order. */
export function harExport (entries: readonly ListedExchange[], options: HarExportOptions): Readable {
  return Readable.from(harText(entries, options), { objectMode: false })
}

async function * harText (entries: readonly ListedExchange[], options: HarExportOptions): AsyncGenerator<string> {
  const { before, after } = harFrame(options.left)
  yield before
  let separator = ''
  for (let index = entries.length - 1; index >= 0; index--) {
    await nextTurn()
    const detail = await options.detailOf(entries[index]!)
    if (detail === undefined) continue
    yield `${separator}\n${harEntryText(harEntry(detail, options.proxyOrigin))}`
    separator = ','
  }
  yield after
}
