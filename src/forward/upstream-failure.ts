// What an upstream failure (an errno code deep in its cause chain) means for the client: a
// catalogue entry with a message that names the host and the fix. The doctor reads the same codes.
import { ERRORS, type ProxyErrorEntry } from '../errors.js'

// One pattern for "the TLS handshake or the certificate failed", for the proxy and the doctor.
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH|EPROTO)/
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN'])
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'FST_REPLY_FROM_GATEWAY_TIMEOUT', 'PROXY_UPSTREAM_TIMEOUT'])

export interface UpstreamFailure { error: ProxyErrorEntry, message: string }

export function isTlsErrorCode (code: string): boolean {
  return TLS_CODES.test(code)
}

export function rootErrorCode (error: unknown): { code: string, message: string } {
  let current: unknown = error
  let found = { code: '', message: error instanceof Error ? error.message : String(error) }
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    const code = (current as NodeJS.ErrnoException).code
    if (typeof code === 'string') found = { code, message: current.message }
    current = (current as { cause?: unknown }).cause
  }
  return found
}

export interface UpstreamContext {
  upstream: string
  timeoutMs: number
  /** The client's method: paging advice fits a read, not an upload. */
  method: string
}

export function classifyUpstreamError (error: unknown, context: UpstreamContext): UpstreamFailure {
  const { code, message } = rootErrorCode(error)
  const host = new URL(context.upstream).host
  if (TIMEOUT_CODES.has(code)) {
    return {
      error: ERRORS.upstreamTimeout,
      message: `${host} did not answer within ${context.timeoutMs} ms (UPSTREAM_TIMEOUT_MS). ${context.method === 'GET' || context.method === 'HEAD'
        ? 'For large list reads, page with ?limit= (e.g. ?limit=50); or raise UPSTREAM_TIMEOUT_MS.'
        : 'The wait starts once the request body has been sent in full; if the operation takes longer, raise UPSTREAM_TIMEOUT_MS.'}`
    }
  }
  if (UNREACHABLE_CODES.has(code)) {
    const why = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'its name does not resolve' : `the connection failed (${code})`
    return { error: ERRORS.upstreamUnreachable, message: `cannot reach ${host}: ${why}. Check BKEND_API_URL / BKEND_MCP_URL and your network.` }
  }
  const upstream = new URL(context.upstream)
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(message)) {
    return {
      error: ERRORS.upstreamTls,
      message: `${host} did not answer with TLS (${code}). If it speaks plain HTTP, did you mean http://${host}${upstream.pathname === '/' ? '' : upstream.pathname}? Nothing was sent.`
    }
  }
  if (isTlsErrorCode(code)) {
    return {
      error: ERRORS.upstreamTls,
      message: `TLS with ${host} failed (${code}: ${message}). The certificate was not trusted, so nothing was sent. If a corporate proxy or a local test server signs it, add its CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.`
    }
  }
  // A TLS server behind an http:// URL drops the plain request or answers with TLS bytes.
  const maybeTls = upstream.protocol === 'http:' && (code === 'UND_ERR_SOCKET' || code.startsWith('HPE_'))
  return {
    error: ERRORS.upstreamBadResponse,
    message: `${host} closed the connection or sent a response that is not valid HTTP (${code || message}). ${maybeTls ? `If it speaks TLS, did you mean https://${host}? ` : ''}Retry; if it persists, the upstream is failing.`
  }
}
