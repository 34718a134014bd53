// Pure: counts server-sent events as their bytes pass, and reads their fields for whoever
// asks (the inspector's live event list). Per the WHATWG event stream rules an event is
// dispatched at a blank line when its block had a data field; blocks of comments only
// (": ping" heartbeats) or of id/retry fields dispatch nothing. A line ends at CRLF, LF or
// CR, and chunks may split anywhere (a CRLF or a field name included).

const DATA = [0x64, 0x61, 0x74, 0x61] // "data"
const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a
/** Of each field line, this much is read: enough for a preview, bounded however long the line. */
const LINE_BYTES = 1024

export interface SseEvent { event?: string, id?: string, data: string }

/** Feed it each chunk; it returns the events completed so far, and reads their fields for `onEvent`. */
export function sseEventCounter (onEvent?: (event: SseEvent) => void, maxDataChars = 200): (chunk: Buffer) => number {
  let events = 0
  let lineEmpty = true
  let afterCR = false
  // How much of "data" the current line starts with; -1 once it cannot be a data field.
  let matched = 0
  let blockHasData = false
  // The fields: the start of the current line (from earlier chunks), and the block's so far.
  let lineStart: Buffer | undefined
  let block: Partial<SseEvent> = {}
  const readLine = (chunk: Buffer, from: number, to: number): void => {
    const part = chunk.subarray(from, Math.min(to, from + LINE_BYTES))
    const line = (lineStart === undefined ? part : Buffer.concat([lineStart, part])).subarray(0, LINE_BYTES).toString('utf8')
    lineStart = undefined
    const colon = line.indexOf(':')
    if (colon === 0) return
    const name = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1)
    if (name === 'data') block.data = (block.data === undefined ? value : `${block.data}\n${value}`).slice(0, maxDataChars)
    else if (name === 'event' || name === 'id') block[name] = value
  }
  return chunk => {
    let from = 0
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index]!
      if (byte === LF && afterCR) {
        afterCR = false // the LF of a CRLF: the CR already ended the line
        from = index + 1
        continue
      }
      afterCR = byte === CR
      if (byte === LF || byte === CR) {
        if (lineEmpty) {
          if (blockHasData) {
            events++
            onEvent?.(block as SseEvent)
          }
          blockHasData = false
          block = {}
        } else {
          if (matched === DATA.length) blockHasData = true // "data" alone on its line is a data field with an empty value
          if (onEvent) readLine(chunk, from, index)
        }
        lineEmpty = true
        matched = 0
        from = index + 1
        continue
      }
      lineEmpty = false
      if (matched === DATA.length) {
        if (byte === COLON) blockHasData = true
        matched = -1
      } else if (matched >= 0) {
        matched = byte === DATA[matched] ? matched + 1 : -1
      }
    }
    // A line that goes on in the next chunk: its start is kept, up to what is read of a line.
    if (onEvent && !lineEmpty && from < chunk.length && (lineStart?.length ?? 0) < LINE_BYTES) {
      const rest = chunk.subarray(from, from + LINE_BYTES)
      lineStart = lineStart === undefined ? Buffer.from(rest) : Buffer.concat([lineStart, rest])
    }
    return events
  }
}

export function isEventStream (contentType: unknown): boolean {
  return typeof contentType === 'string' && /^\s*text\/event-stream\s*(;|$)/i.test(contentType)
}
