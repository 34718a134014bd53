// A captured body as the page and HAR show it: decompressed when the upstream
// compressed it (no more of it than INSPECTOR_MAX_BODY_BYTES, as for a kept body), text
// only when its type is textual, secret fields redacted. Built on demand (viewing an
// exchange), never on the request path.
import { isTextual } from '../forward/body-capture.js'
import { isTruncated, type CapturedBody } from './captured-body.js'
import { redactBodyText } from '../redact/redact-body.js'
import { decodeBounded } from './bounded-decode.js'

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
  /** Bytes of the decoded body behind `text`, at most INSPECTOR_MAX_BODY_BYTES. */
  decodedBytes?: number
  /** The decoded body went on past INSPECTOR_MAX_BODY_BYTES; `text` is its start. */
  decodedCut?: true
}

export interface BodyContext {
  contentType: string | undefined
  contentEncoding: string | undefined
  /** The request path, for path-dependent field names (`code` under /auth/ in a request). */
  path: string
  side: 'request' | 'response'
  secrets: readonly string[]
  /** INSPECTOR_MAX_BODY_BYTES: the most a decoded body may take, like a kept one. */
  maxDecodedBytes: number
}

export async function bodyView (body: CapturedBody | undefined, context: BodyContext): Promise<BodyView> {
  const base = {
    contentType: context.contentType ?? null,
    totalBytes: body?.totalBytes ?? 0,
    keptBytes: body?.bytes.length ?? 0,
    truncated: body !== undefined && isTruncated(body)
  }
  if (body === undefined || body.totalBytes === 0) return { ...base, kind: 'empty' }
  if (!isTextual(context.contentType)) return { ...base, kind: 'binary' }
  const encoding = context.contentEncoding?.trim().toLowerCase()
  if (encoding === undefined || encoding === 'identity') return { ...base, kind: 'text', text: textOf(body.bytes, context, false) }
  const decoded = await decodeBounded(body.bytes, encoding, context.maxDecodedBytes)
  if (decoded === undefined) return { ...base, kind: 'binary' }
  const view: BodyView = { ...base, kind: 'text', text: textOf(decoded.bytes, context, decoded.cut), decodedFrom: encoding, decodedBytes: decoded.bytes.length }
  if (decoded.cut) view.decodedCut = true
  return view
}

// A cut can fall inside a UTF-8 sequence: its incomplete end is left out rather than
// shown as a replacement character.
function textOf (bytes: Buffer, context: BodyContext, cut: boolean): string {
  const text = cut ? new TextDecoder().decode(bytes, { stream: true }) : bytes.toString('utf8')
  return redactBodyText(text, context.contentType, context)
}
