// MAX_BODY_BYTES: bodies under the limit stream through unbuffered; a declared length
// over it is refused before anything is sent, a chunked body the moment it crosses it.
import { Transform } from 'node:stream'

export class PayloadTooLargeError extends Error {
  readonly code = 'PROXY_PAYLOAD_TOO_LARGE'
}

export function payloadTooLargeMessage (maxBodyBytes: number): string {
  return `the request body is larger than MAX_BODY_BYTES (${maxBodyBytes} bytes); send less, or raise MAX_BODY_BYTES`
}

export function declaredTooLarge (contentLength: string | undefined, maxBodyBytes: number): boolean {
  return contentLength !== undefined && Number(contentLength) > maxBodyBytes
}

export function bodyLimiter (maxBodyBytes: number): Transform {
  let seen = 0
  return new Transform({
    transform (chunk: Buffer, _encoding, callback) {
      seen += chunk.length
      if (seen > maxBodyBytes) callback(new PayloadTooLargeError(payloadTooLargeMessage(maxBodyBytes)))
      else callback(null, chunk)
    }
  })
}
