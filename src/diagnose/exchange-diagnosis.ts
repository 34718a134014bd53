// Turns a finished exchange into what diagnosis needs: the facts the hint table reads,
// and the copy-as-curl request. Reads the raw exchange (unredacted), returns only
// text in which secrets are references.
import type { IncomingHttpHeaders } from 'node:http'
import type { Exchange, ExchangeRecord } from '../log/exchange.js'
import type { Config } from '../config/settings.js'
import { bkendErrorCode, hintsFor, type Hint } from './hints.js'
import { copyAsCurl, type CurlRequest } from './copy-as-curl.js'

export interface Diagnosis {
  hints: Hint[]
  curl: string | undefined
}

export function diagnoseExchange (exchange: Exchange, record: ExchangeRecord, clientHeaders: IncomingHttpHeaders, fallbackConfig?: Config, wantCurl = true): Diagnosis {
  const settings = exchange.config ?? fallbackConfig
  const retryAfter = exchange.upstreamResponseHeaders?.['retry-after']
  const errorCode = exchange.failure?.code ?? (exchange.errorBody ? bkendErrorCode(exchange.errorBody.text) : undefined)
  const hints = hintsFor({
    method: exchange.method,
    url: exchange.url,
    status: record.response.status,
    answeredBy: record.answeredBy,
    errorCode,
    retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
    origin: exchange.origin,
    clientAuthorization: clientHeaders.authorization,
    clientEnvironment: single(clientHeaders['x-environment']),
    durationMs: record.durationMs,
    responseBytes: exchange.responseBytes,
    settings
  })
  const keyIncludesScheme = settings !== undefined && /^bearer /i.test(settings.apiKey)
  return { hints, curl: wantCurl ? copyAsCurl({ ...curlRequest(exchange, clientHeaders), keyIncludesScheme }) : undefined }
}

function curlRequest (exchange: Exchange, clientHeaders: IncomingHttpHeaders): CurlRequest {
  const forwarded = exchange.call.url !== undefined && exchange.upstreamHeaders !== undefined
  const headers = forwarded ? exchange.upstreamHeaders! : clientHeaders
  const declared = Number(clientHeaders['content-length'] ?? 0)
  const replay = exchange.replayBody
  const body = replay
    ? { text: replay.text, complete: !replay.truncated, totalBytes: replay.totalBytes }
    : declared > 0 || clientHeaders['transfer-encoding'] !== undefined ? { text: '', complete: false, totalBytes: declared } : undefined
  return {
    method: exchange.method,
    // What the proxy refused is repeated against the proxy itself, as the client sent it.
    url: forwarded ? exchange.call.url! : `http://${clientHeaders.host ?? 'localhost'}${exchange.url}`,
    headers,
    injected: forwarded ? exchange.injected : [],
    body
  }
}

function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
