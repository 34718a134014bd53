// Pure: counts server-sent events as their bytes pass. Per the WHATWG event stream rules an
// event is dispatched at a blank line when its block had a data field; blocks of comments
// only (": ping" heartbeats) or of id/retry fields dispatch nothing. A line ends at CRLF,
// LF or CR, and chunks may split anywhere (a CRLF or a field name included).

const DATA = [0x64, 0x61, 0x74, 0x61] // "data"
const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a

/** Returns a counter: feed it each chunk, it returns the total of events completed so far. */
export function sseEventCounter (): (chunk: Buffer) => number {
  let events = 0
  let lineEmpty = true
  let afterCR = false
  // How much of "data" the current line starts with; -1 once it cannot be a data field.
  let matched = 0
  let blockHasData = false
  return chunk => {
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index]!
      if (byte === LF && afterCR) {
        afterCR = false // the LF of a CRLF: the CR already ended the line
        continue
      }
      afterCR = byte === CR
      if (byte === LF || byte === CR) {
        if (lineEmpty) {
          if (blockHasData) events++
          blockHasData = false
        } else if (matched === DATA.length) {
          blockHasData = true // "data" alone on its line is a data field with an empty value
        }
        lineEmpty = true
        matched = 0
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
    return events
  }
}

/** Whether a Content-Type names an event stream (text/event-stream, any parameters). */
export function isEventStream (contentType: unknown): boolean {
  return typeof contentType === 'string' && /^\s*text\/event-stream\s*(;|$)/i.test(contentType)
}
