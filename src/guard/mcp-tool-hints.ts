// Per MCP session, the tools the upstream's last tools/list answer marked
// annotations.readOnlyHint: true, read from that answer as it passes to the client (JSON,
// or an SSE stream of JSON-RPC messages; gzip, deflate or br decoded on the side). Reading
// never pauses, changes or ends the client's stream. Bounded: so many sessions (the oldest
// is forgotten), so many tools each, so many bytes of one answer; a tool not kept is refused.
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { StringDecoder } from 'node:string_decoder'
import type { Readable, Transform } from 'node:stream'
import type { ToolsListCall } from './mcp-read-only.js'
import { isEventStream } from '../log/sse-events.js'

const MAX_SESSIONS = 64
const MAX_TOOLS_PER_SESSION = 1024
const MAX_TOOL_NAME_CHARS = 256
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024

export interface ToolsListAnswer {
  contentType: unknown
  contentEncoding: unknown
  body: Readable
}

export interface ToolHints {
  /** The read-only tools of a session, undefined when no tools/list answer was seen on it. */
  readOnlyTools: (session: string) => ReadonlySet<string> | undefined
  /** Reads the answer to the session's tools/list calls as it streams to the client. */
  observe: (session: string, calls: ToolsListCall[], answer: ToolsListAnswer) => void
}

export function createToolHints (): ToolHints {
  const sessions = new Map<string, Set<string>>()

  const record = (session: string, tools: unknown[], firstPage: boolean): void => {
    const kept = firstPage ? new Set<string>() : sessions.get(session) ?? new Set<string>()
    for (const tool of tools) {
      if (kept.size >= MAX_TOOLS_PER_SESSION) break
      const { name, annotations } = (tool ?? {}) as { name?: unknown, annotations?: { readOnlyHint?: unknown } }
      if (typeof name === 'string' && name.length <= MAX_TOOL_NAME_CHARS && annotations?.readOnlyHint === true) kept.add(name)
    }
    sessions.delete(session) // re-inserted as the newest
    sessions.set(session, kept)
    if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!)
  }

  return {
    readOnlyTools: session => sessions.get(session),
    observe (session, calls, answer) {
      const waiting = new Map(calls.map(call => [call.id, call.firstPage]))
      readJsonRpcMessages(answer, message => {
        const { id, result } = (message ?? {}) as { id?: unknown, result?: { tools?: unknown } }
        const key = JSON.stringify(id)
        const firstPage = waiting.get(key)
        if (firstPage === undefined) return false
        waiting.delete(key)
        if (Array.isArray(result?.tools)) record(session, result.tools, firstPage)
        return waiting.size === 0
      })
    }
  }
}

/** Feeds each JSON-RPC message of an answer to `onMessage` until it returns true, the body ends or passes MAX_ANSWER_BYTES. */
function readJsonRpcMessages (answer: ToolsListAnswer, onMessage: (message: unknown) => boolean): void {
  const decoder = decoderFor(answer.contentEncoding)
  if (decoder === null) return
  const source = answer.body
  const text = new StringDecoder('utf8')
  const eventStream = isEventStream(answer.contentType)
  let json = ''
  let bytes = 0
  let done = false
  const stop = (): void => {
    done = true
    source.off('data', onRaw)
    source.off('end', onRawEnd)
    decoder?.destroy()
  }
  const feedMessages = (data: string): void => {
    let parsed: unknown
    try {
      parsed = JSON.parse(data)
    } catch {
      return
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!done && onMessage(message)) stop()
    }
  }
  const feedEvents = eventStream ? sseDataReader(feedMessages) : undefined
  const onDecoded = (chunk: Buffer): void => {
    if (done) return
    bytes += chunk.length
    if (bytes > MAX_ANSWER_BYTES) return stop()
    if (feedEvents) feedEvents(text.write(chunk))
    else json += text.write(chunk)
  }
  const onDecodedEnd = (): void => {
    if (done) return
    if (feedEvents) feedEvents(text.end() + '\n\n')
    else feedMessages(json + text.end())
    stop()
  }
  const onRaw = (chunk: Buffer): void => { if (decoder) decoder.write(chunk); else onDecoded(chunk) }
  const onRawEnd = (): void => { if (decoder) decoder.end(); else onDecodedEnd() }
  decoder?.on('data', onDecoded).on('end', onDecodedEnd).on('error', stop)
  source.on('data', onRaw)
  source.on('end', onRawEnd)
}

// undefined: nothing to decode; null: a coding we cannot read (the answer is not observed).
function decoderFor (encoding: unknown): Transform | undefined | null {
  const coding = typeof encoding === 'string' ? encoding.trim().toLowerCase() : ''
  if (coding === '' || coding === 'identity') return undefined
  if (coding === 'gzip' || coding === 'x-gzip') return createGunzip()
  if (coding === 'deflate') return createInflate()
  if (coding === 'br') return createBrotliDecompress()
  return null
}

// The data of each server-sent event, as text arrives (WHATWG: lines end at CRLF, LF or CR;
// data lines join with LF; a blank line dispatches).
function sseDataReader (onData: (data: string) => void): (text: string) => void {
  let pending = ''
  let data: string[] = []
  return text => {
    pending += text
    if (!/[\r\n]/.test(text)) return
    const lines = pending.split(/\r\n|\n|\r(?!$)/)
    // The last piece is unfinished (a CR at the very end may be half of a CRLF).
    pending = lines.pop()!
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) onData(data.join('\n'))
        data = []
      } else if (line === 'data' || line.startsWith('data:')) {
        data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
      }
    }
  }
}
