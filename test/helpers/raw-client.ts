// The one raw-socket client: sends bytes exactly as written (two Host lines, smuggling
// attempts, bad Host values: what fetch() refuses to send) and reads responses framing
// by framing off one kept-alive socket. rawRequest is the one-shot form.
import net from 'node:net'

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

  /** Bytes received but not yet read as a response. */
  unread (): Buffer { return this.buffer }

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

export interface RawResponse {
  /** Everything received, as latin1: the response and any bytes after it. */
  text: string
  /** Status of the first response (0 when none came). */
  status: number
  /** The proxy closed the connection (within 50 ms of a complete response). */
  closed: boolean
}

/** Sends the bytes on a fresh socket and returns the response, interim 1xx ones included in text. */
export async function rawRequest (port: number, payload: string, timeoutMs = 3000): Promise<RawResponse> {
  const client = await WireClient.connect(port)
  try {
    client.send(payload)
    const deadline = Date.now() + timeoutMs
    const raws: Buffer[] = []
    let status = 0
    for (;;) {
      const response = await client.read({ timeoutMs: Math.max(0, deadline - Date.now()) })
      if (!response) break
      raws.push(response.raw)
      status ||= response.status
      if (!response.complete || response.status >= 200) break
    }
    if (raws.length > 0) await client.waitClosed(50)
    return { text: Buffer.concat([...raws, client.unread()]).toString('latin1'), status, closed: client.closed }
  } finally {
    client.destroy()
  }
}

/** Sends the bytes on a fresh socket; reads one response and whether the proxy closed. */
export async function exchange (port: number, bytes: string, timeoutMs = 1500): Promise<{ status: number, code?: string, closed: boolean }> {
  const client = await WireClient.connect(port)
  client.send(bytes)
  const response = await client.read({ timeoutMs })
  const closed = await client.waitClosed(500)
  client.destroy()
  return { status: response?.status ?? 0, code: errorOf(response).code, closed }
}

/** A bodyless request as bytes: the request line, `Host: localhost:<port>`, then the given lines. */
export function rawGet (port: number, path: string, lines: string[] = [], method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: localhost:${port}\r\n${lines.map(line => line + '\r\n').join('')}\r\n`
}
