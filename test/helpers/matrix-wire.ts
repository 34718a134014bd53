// Byte-level tools for the fault and security matrix: a raw TCP upstream that parses
// what it receives (so it can count hits and misbehave per request), and a client
// connection that reads responses one at a time off one kept-alive socket.
import net from 'node:net'
import type { AddressInfo } from 'node:net'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface UpstreamHit {
  method: string
  url: string
  /** Lower-cased header names; repeated fields keep every value. */
  headers: Record<string, string[]>
  head: string
  body: Buffer
}

export type RawHandler = (hit: UpstreamHit, socket: net.Socket) => void

export interface RawUpstream {
  url: string
  port: number
  /** Complete requests received (head and, where framed, the whole body). */
  hits: UpstreamHit[]
  connections: number
  /** Sockets the proxy closed or reset so far, with when it happened. */
  closedAt: number[]
  sockets: Set<net.Socket>
  close: () => Promise<void>
}

/** A raw upstream on 127.0.0.1:0; the handler writes whatever bytes it likes. */
export async function startRawUpstream (t: Teardown, handler: RawHandler): Promise<RawUpstream> {
  const upstream = { hits: [], connections: 0, closedAt: [], sockets: new Set() } as unknown as RawUpstream
  const server = net.createServer(socket => {
    upstream.connections++
    upstream.sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => { upstream.closedAt.push(Date.now()); upstream.sockets.delete(socket) })
    let buffer: Buffer = Buffer.alloc(0)
    socket.on('data', chunk => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        const parsed = parseRequest(buffer)
        if (!parsed) return
        buffer = buffer.subarray(parsed.consumed)
        upstream.hits.push(parsed.hit)
        handler(parsed.hit, socket)
      }
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  upstream.port = (server.address() as AddressInfo).port
  upstream.url = `http://127.0.0.1:${upstream.port}`
  upstream.close = () => new Promise(resolve => {
    for (const socket of upstream.sockets) socket.destroy()
    server.close(() => resolve())
  })
  t.teardown(() => upstream.close())
  return upstream
}

function parseRequest (buffer: Buffer): { hit: UpstreamHit, consumed: number } | undefined {
  const end = buffer.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const head = buffer.subarray(0, end).toString('latin1')
  const [requestLine, ...lines] = head.split('\r\n')
  const [method = '', url = ''] = requestLine!.split(' ')
  const headers: Record<string, string[]> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    ;(headers[name] ??= []).push(line.slice(colon + 1).trim())
  }
  let offset = end + 4
  let body: Buffer = Buffer.alloc(0)
  if (headers['transfer-encoding']?.some(value => /chunked/i.test(value))) {
    const parts: Buffer[] = []
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', offset)
      if (lineEnd < 0) return undefined
      const size = parseInt(buffer.subarray(offset, lineEnd).toString('latin1'), 16)
      if (Number.isNaN(size)) return undefined
      if (buffer.length < lineEnd + 2 + size + 2) return undefined
      parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size))
      offset = lineEnd + 2 + size + 2
      if (size === 0) break
    }
    body = Buffer.concat(parts)
  } else if (headers['content-length']) {
    const length = Number(headers['content-length'][0])
    if (buffer.length < offset + length) return undefined
    body = buffer.subarray(offset, offset + length)
    offset += length
  }
  return { hit: { method, url, headers, head, body: Buffer.from(body) }, consumed: offset }
}

export interface WireResponse {
  status: number
  head: string
  /** Lower-cased names; repeated fields keep every value. */
  headers: Record<string, string[]>
  body: Buffer
  /** Framing was complete (Content-Length reached, terminating chunk seen, or bodyless). */
  complete: boolean
  /** The raw bytes of the response as received. */
  raw: Buffer
}

/** One client socket; responses are read in order, framing by framing. */
export class WireClient {
  readonly socket: net.Socket
  private buffer: Buffer = Buffer.alloc(0)
  private ended = false
  private waiters: Array<() => void> = []
  closedAt: number | undefined

  private constructor (socket: net.Socket) {
    this.socket = socket
    socket.on('data', chunk => { this.buffer = Buffer.concat([this.buffer, chunk]); this.wake() })
    socket.on('close', () => { this.ended = true; this.closedAt = Date.now(); this.wake() })
    socket.on('error', () => {})
  }

  static connect (port: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new WireClient(socket)))
      socket.once('error', reject)
    })
  }

  get closed (): boolean { return this.ended }

  send (bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes)
  }

  private wake (): void {
    for (const waiter of this.waiters.splice(0)) waiter()
  }

  private async more (deadline: number): Promise<boolean> {
    if (this.ended) return false
    const remaining = deadline - Date.now()
    if (remaining <= 0) return false
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, remaining)
      this.waiters.push(() => { clearTimeout(timer); resolve() })
    })
    return true
  }

  /** Waits until the server closes the socket (or the time is up); returns whether it did. */
  async waitClosed (timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!this.ended && await this.more(deadline));
    return this.ended
  }

  /** Reads the next response. `bodyless` for HEAD requests. Undefined when nothing came. */
  async read (options: { bodyless?: boolean, timeoutMs?: number } = {}): Promise<WireResponse | undefined> {
    const deadline = Date.now() + (options.timeoutMs ?? 3000)
    let end: number
    while ((end = this.buffer.indexOf('\r\n\r\n')) < 0) {
      if (!await this.more(deadline)) return undefined
    }
    const head = this.buffer.subarray(0, end).toString('latin1')
    const [statusLine, ...lines] = head.split('\r\n')
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1] ?? 0)
    const headers: Record<string, string[]> = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      ;(headers[line.slice(0, colon).trim().toLowerCase()] ??= []).push(line.slice(colon + 1).trim())
    }
    const start = end + 4
    const take = (length: number, complete: boolean): WireResponse => {
      const raw = this.buffer.subarray(0, length)
      this.buffer = this.buffer.subarray(length)
      return { status, head, headers, body: Buffer.alloc(0), complete, raw: Buffer.from(raw) }
    }
    if (options.bodyless || status === 204 || status === 304 || (status >= 100 && status < 200)) return take(start, true)
    if (headers['transfer-encoding']?.some(value => /chunked/i.test(value))) {
      const parts: Buffer[] = []
      let offset = start
      for (;;) {
        const lineEnd = this.buffer.indexOf('\r\n', offset)
        const size = lineEnd < 0 ? NaN : parseInt(this.buffer.subarray(offset, lineEnd).toString('latin1'), 16)
        if (!Number.isNaN(size) && this.buffer.length >= lineEnd + 2 + size + 2) {
          parts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size))
          offset = lineEnd + 2 + size + 2
          if (size === 0) {
            const response = take(offset, true)
            response.body = Buffer.concat(parts)
            return response
          }
          continue
        }
        if (!await this.more(deadline)) {
          // Cut short: report what arrived, data of the chunks that were whole.
          if (lineEnd >= 0 && !Number.isNaN(size)) parts.push(this.buffer.subarray(lineEnd + 2, Math.min(this.buffer.length, lineEnd + 2 + size)))
          const response = take(this.buffer.length, false)
          response.body = Buffer.concat(parts)
          return response
        }
      }
    }
    if (headers['content-length']) {
      const length = Number(headers['content-length'][0])
      while (this.buffer.length < start + length) {
        if (!await this.more(deadline)) {
          const response = take(this.buffer.length, false)
          response.body = Buffer.from(response.raw.subarray(start))
          return response
        }
      }
      const response = take(start + length, true)
      response.body = Buffer.from(response.raw.subarray(start))
      return response
    }
    // Neither: the body runs to the close.
    while (await this.more(deadline));
    const response = take(this.buffer.length, this.ended)
    response.body = Buffer.from(response.raw.subarray(start))
    return response
  }

  destroy (): void { this.socket.destroy() }
}

/** The JSON error body of a proxy answer. */
export function errorOf (response: WireResponse | undefined): { code?: string, message?: string } {
  try {
    return (JSON.parse(response!.body.toString('utf8')) as { error?: { code?: string, message?: string } }).error ?? {}
  } catch {
    return {}
  }
}

/** Open file descriptors of a process (Linux). */
export async function fdCount (pid: number): Promise<number> {
  const { readdir } = await import('node:fs/promises')
  return (await readdir(`/proc/${pid}/fd`)).length
}
