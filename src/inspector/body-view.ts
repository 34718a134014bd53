// A captured body as the page and HAR show it: decompressed when the upstream
// compressed it, text only when its type is textual, secret fields redacted. Built on
// demand (viewing an exchange), never on the request path.
import zlib from 'node:zlib'
import { isTextual } from '../forward/body-capture.js'
import { isTruncated, type CapturedBody } from './captured-body.js'
import { redactBodyText } from './redact-body.js'

export interface BodyView {
  contentType: string | null
  /** Bytes on the wire (compressed, if it was), all of them, kept or not. */
  totalBytes: number
  /** Bytes of it the inspector kept (INSPECTOR_MAX_BODY_BYTES). */
  keptBytes: number
  truncated: boolean
  /** text: `text` holds it (redacted); binary or empty: nothing to show. */
  kind: 'text' | 'binary' | 'empty'
  text?: string
  /** The Content-Encoding that was undone to show the text. */
  decodedFrom?: string
}

export interface BodyContext {
  contentType: string | undefined
  contentEncoding: string | undefined
  /** The request path, for path-dependent field names (`code` under /auth/ in a request). */
  path: string
  side: 'request' | 'response'
  secrets: readonly string[]
}

const DECODED_LIMIT_BYTES = 4 * 1024 * 1024

export function bodyView (body: CapturedBody | undefined, context: BodyContext): BodyView {
  const base = {
    contentType: context.contentType ?? null,
    totalBytes: body?.totalBytes ?? 0,
    keptBytes: body?.bytes.length ?? 0,
    truncated: body !== undefined && isTruncated(body)
  }
  if (body === undefined || body.totalBytes === 0) return { ...base, kind: 'empty' }
  if (!isTextual(context.contentType)) return { ...base, kind: 'binary' }
  const encoding = context.contentEncoding?.trim().toLowerCase()
  const decoded = encoding === undefined || encoding === 'identity' ? body.bytes : decode(body.bytes, encoding)
  if (decoded === undefined) return { ...base, kind: 'binary' }
  const text = redactBodyText(decoded.toString('utf8'), context.contentType, context)
  return encoding === undefined || encoding === 'identity' ? { ...base, kind: 'text', text } : { ...base, kind: 'text', text, decodedFrom: encoding }
}

// A kept prefix of a compressed body is itself cut off, so the decoders flush what
// they have instead of insisting on the end of the stream.
function decode (bytes: Buffer, encoding: string): Buffer | undefined {
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: DECODED_LIMIT_BYTES })
    if (encoding === 'deflate') return zlib.inflateSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: DECODED_LIMIT_BYTES })
    if (encoding === 'br') return zlib.brotliDecompressSync(bytes, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH, maxOutputLength: DECODED_LIMIT_BYTES })
  } catch {
    return undefined
  }
  return undefined
}
