// What diagnosis needs from a finished exchange: the facts the hint table reads, and the
// copy-as-curl request. Reads the raw exchange; returns only text in which secrets are
// references (headers, query) or hidden (body fields).
import type { IncomingHttpHeaders } from 'node:http'
import type { Exchange, ExchangeOutcome } from '../log/exchange.js'
import type { Config } from '../config/settings.js'
import { bkendErrorCode, hintsFor, type Hint } from './hints.js'
import { copyAsCurl, type CurlBody, type CurlRequest } from './copy-as-curl.js'
import { redactBody } from '../redact/body-redact.js'
import { rateLimitOf } from '../log/rate-limit.js'
import { checkHost } from '../guard/host-check.js'

export interface Diagnosis {
  hints: Hint[]
  curl: string | undefined
  /** The proxy's own proxy/<name>, or bkend's error.code from the upstream's error body. */
  errorCode: string | undefined
}

export interface DiagnosisContext {
  clientHeaders: IncomingHttpHeaders
  /** The configuration the request ran on (config/request-config.ts). */
  config: Config
  wantCurl: boolean
  /** The socket the request came in on: its local end is the proxy's own address. */
  socket: { localAddress?: string, localPort?: number }
}

export function diagnoseExchange (exchange: Exchange, record: ExchangeOutcome, context: DiagnosisContext): Diagnosis {
  const { clientHeaders } = context
  const settings = context.config
  // In seconds, whether the upstream sent seconds or an HTTP date.
  const retryAfterS = rateLimitOf(exchange.upstreamResponseHeaders)?.retryAfterS
  const errorCode = exchange.failure?.code ?? (exchange.errorBody ? bkendErrorCode(exchange.errorBody.text) : undefined)
  const hints = hintsFor({
    method: exchange.method,
    url: exchange.url,
    status: record.response.status,
    answeredBy: record.answeredBy,
    errorCode,
    retryAfter: retryAfterS === undefined ? undefined : String(retryAfterS),
    origin: exchange.origin,
    clientAuthorization: clientHeaders.authorization,
    clientApiKey: single(clientHeaders['x-api-key']),
    clientEnvironment: single(clientHeaders['x-environment']),
    injected: exchange.upstreamHeaders === undefined ? undefined : exchange.injected,
    durationMs: record.durationMs,
    responseBytes: exchange.responseBytes,
    settings
  })
  const keyIncludesScheme = /^bearer /i.test(settings.apiKey)
  return { hints, errorCode, curl: context.wantCurl ? copyAsCurl({ ...curlRequest(exchange, context, settings), keyIncludesScheme }) : undefined }
}

function curlRequest (exchange: Exchange, context: DiagnosisContext, settings: Config): CurlRequest {
  // Asterisk form (OPTIONS *) and authority form (CONNECT host:port) carry no path; the
  // latter's Host names the tunnel's target, so the proxy is reached at its socket address.
  const pathless = exchange.url === '*' || /^[^/:]+:\d+$/.test(exchange.url) || /^\[[^\]]+\]:\d+$/.test(exchange.url)
  const { clientHeaders } = context
  const forwarded = exchange.upstreamUrl !== undefined && exchange.upstreamHeaders !== undefined
  return {
    method: exchange.method,
    // What the proxy answered itself is repeated against the proxy, as the client sent it.
    url: forwarded ? exchange.upstreamUrl! : proxyOrigin(pathless ? undefined : clientHeaders.host, settings, context.socket) + (pathless ? '/' : originFormTarget(exchange.url)),
    ...(pathless ? { requestTarget: exchange.url } : {}),
    headers: forwarded ? exchange.upstreamHeaders! : clientHeaders,
    injected: forwarded ? exchange.injected : [],
    body: curlBody(exchange, clientHeaders, settings.logBodies)
  }
}

// Bodies are data the user chose to log (LOG_BODIES); the command never carries one otherwise.
function curlBody (exchange: Exchange, clientHeaders: IncomingHttpHeaders, logBodies: boolean): CurlBody | undefined {
  const declared = Number(clientHeaders['content-length'] ?? 0)
  const replay = exchange.replayBody
  if (replay === undefined && !(declared > 0) && clientHeaders['transfer-encoding'] === undefined) return undefined
  const totalBytes = replay?.totalBytes ?? (declared > 0 ? declared : undefined)
  if (!logBodies) return { totalBytes, reason: 'not-logged' }
  if (replay === undefined || replay.truncated) return { totalBytes, reason: 'not-repeatable' }
  const shown = redactBody(replay.text, { path: exchange.url, side: 'request', contentType: clientHeaders['content-type'] })
  return { text: shown.text, hiddenFields: shown.redacted }
}

// A Host the guard accepts is a name of this proxy (loopback or ALLOWED_HOSTS), and the one
// that reaches it through a container's port mapping; any other Host is someone else's.
function proxyOrigin (host: string | undefined, settings: Config, socket: DiagnosisContext['socket']): string {
  if (host !== undefined && checkHost(host, settings.allowedHosts) === 'allowed') return `http://${host}`
  const address = socket.localAddress?.replace(/^::ffff:(?=\d+\.)/, '')
  if (address === undefined || socket.localPort === undefined) return `http://localhost:${settings.port}`
  return `http://${address.includes(':') ? `[${address}]` : address}:${socket.localPort}`
}

/** The path and query of an absolute-form target (`GET http://host/v1/x`); others as they are. */
function originFormTarget (target: string): string {
  const absolute = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i.exec(target)
  if (!absolute) return target
  const rest = target.slice(absolute[0].length)
  return rest.startsWith('/') ? rest : `/${rest}`
}

function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
