// Our own undici dispatcher for @fastify/reply-from. Owning it fixes three defaults of
// the bare stack: reply-from turns TLS verification off; its timeout also kills quiet
// streams; and a client that leaves does not cancel the upstream request.
import tls from 'node:tls'
import { Agent, type Dispatcher } from 'undici'
import type { Config } from './settings.js'

/** reply-from copies the headers object with Object.assign, which keeps symbol keys:
 *  that is how one upstream call learns which client request it serves. */
export const kUpstreamCall = Symbol('bkend-dev-proxy.upstream-call')

export class UpstreamTimeoutError extends Error {
  readonly code = 'PROXY_UPSTREAM_TIMEOUT'
}

/** Per-request handle: the proxy aborts the upstream call when the client leaves. */
export interface UpstreamCall {
  /** Full upstream URL, set when the call is dispatched. */
  url?: string
  abort?: (reason?: Error) => void
}

type RequestOptions = Dispatcher.RequestOptions & { headers: Record<string | symbol, unknown> }
type RequestCallback = (error: Error | null, data?: Dispatcher.ResponseData) => void

export interface UpstreamDispatcher {
  request: (options: RequestOptions, callback: RequestCallback) => void
  close: () => Promise<void>
  destroy: () => Promise<void>
}

export interface DispatcherOptions {
  /** Extra trusted CA certificates (PEM), on top of the default ones. */
  ca?: string[]
}

export function createUpstreamDispatcher (config: Config, options: DispatcherOptions = {}): UpstreamDispatcher {
  const timeoutMs = config.upstreamTimeoutMs
  const agent = new Agent({
    connections: 128,
    pipelining: 1,
    keepAliveTimeout: 4000,
    headersTimeout: timeoutMs,
    bodyTimeout: 0,
    connect: { rejectUnauthorized: true, timeout: timeoutMs, ca: trustedCertificates(options.ca) }
  })

  return {
    request (requestOptions, callback) {
      const call = requestOptions.headers[kUpstreamCall] as UpstreamCall | undefined
      delete requestOptions.headers[kUpstreamCall]
      const controller = new AbortController()
      // One budget for connecting and waiting for the response headers; the body may take
      // as long as it needs (SSE, MCP streams, large downloads).
      const timer = setTimeout(() => controller.abort(new UpstreamTimeoutError(`no response headers within ${timeoutMs} ms`)), timeoutMs)
      if (call) {
        call.url = String(requestOptions.origin) + requestOptions.path
        call.abort = reason => controller.abort(reason)
      }
      agent.request({ ...requestOptions, signal: controller.signal, headersTimeout: timeoutMs, bodyTimeout: 0 }, (error, data) => {
        clearTimeout(timer)
        callback(error, data)
      })
    },
    close: () => agent.close(),
    destroy: () => agent.destroy()
  }
}

function trustedCertificates (extra: string[] | undefined): string[] | undefined {
  // Node 22.15+ can add the operating system's store; the default set already holds
  // the bundled roots plus NODE_EXTRA_CA_CERTS.
  const getCACertificates = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates
  let system: string[] | undefined
  try {
    system = getCACertificates ? [...getCACertificates('default'), ...getCACertificates('system')] : undefined
  } catch {
    system = undefined // no readable system store: Node's defaults still apply
  }
  if (!extra) return system
  return [...(system ?? tls.rootCertificates), ...extra]
}
