// Parses one HTTP/1.x request off the front of a buffer, as the raw upstream receives it:
// Content-Length and chunked bodies, repeated header fields kept.

export interface UpstreamHit {
  method: string
  url: string
  /** Lower-cased header names; repeated fields keep every value. */
  headers: Record<string, string[]>
  head: string
  body: Buffer
}

/** The first complete request and how many bytes it took; undefined until it is complete. */
export function parseRequest (buffer: Buffer): { hit: UpstreamHit, consumed: number } | undefined {
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
