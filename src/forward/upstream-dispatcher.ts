// Our own undici dispatcher for @fastify/reply-from. Owning it fixes three defaults of
// the bare stack: reply-from turns TLS verification off; its timeout also kills quiet
// streams; and a client that leaves does not cancel the upstream request.
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import tls from 'node:tls'
import { buildConnector, type Dispatcher } from 'undici'
import type { Config } from '../config/settings.js'
import { kRequestProgress, ProgressAgent, type ProgressOptions, type RequestProgress } from './request-progress.js'
import { takeDispatchingCall } from './upstream-call.js'

// undici accepts an EventEmitter as the abort signal: much cheaper per request than an AbortController.
class UpstreamSignal extends EventEmitter {
  aborted = false
  reason: Error | undefined

  abort (reason?: Error): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    this.emit('abort')
  }
}

export class UpstreamTimeoutError extends Error {
  readonly code = 'PROXY_UPSTREAM_TIMEOUT'
}

type RequestOptions = Dispatcher.RequestOptions & ProgressOptions
type RequestCallback = (error: Error | null, data?: Dispatcher.ResponseData) => void

export interface UpstreamDispatcher {
  request: (options: RequestOptions, callback: RequestCallback) => void
  close: () => Promise<void>
  destroy: () => Promise<void>
}

export interface DispatcherOptions {
  ca?: string[]
}

export function createUpstreamDispatcher (config: Config, options: DispatcherOptions = {}): UpstreamDispatcher {
  const timeoutMs = config.upstreamTimeoutMs
  const agent = new ProgressAgent({
    // Each open SSE/MCP stream holds a socket while it runs; the pool is per upstream.
    connections: 512,
    pipelining: 1,
    keepAliveTimeout: 4000,
    // Off: undici's header timer starts once the request head is written, so it would also count
    // a slow upload. The deadline below replaces it.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: withHandshakeDeadline(buildConnector({ rejectUnauthorized: true, timeout: timeoutMs, ca: trustedCertificates(options.ca) }), timeoutMs)
  })

  return {
    request (requestOptions, callback) {
      const call = takeDispatchingCall()
      const signal = new UpstreamSignal()
      // UPSTREAM_TIMEOUT_MS bounds two waits: for a connection (pool queue, connect, TLS), and for the
      // response headers once the request, body included, is sent. In between the body streams at the
      // client's pace; what follows the headers (SSE, MCP, downloads) may take as long as it needs.
      let answered = false
      let timer: NodeJS.Timeout | undefined
      const startDeadline = (waitingFor: string): void => {
        clearTimeout(timer)
        timer = setTimeout(() => {
          const timeout = new UpstreamTimeoutError(`no ${waitingFor} within ${timeoutMs} ms`)
          signal.abort(timeout)
          // A request still queued for a connection hears of the abort only once dispatched; the 504 goes now.
          answered = true
          callback(timeout)
        }, timeoutMs)
      }
      startDeadline('connection')
      if (call) {
        call.onDispatched(String(requestOptions.origin) + requestOptions.path)
        // Before the headers this cancels the request; after them undici destroys the body. Bound, not
        // a closure, which would hold reply-from's callback and the client's request and reply.
        call.abort = signal.abort.bind(signal)
      }
      requestOptions.signal = signal
      requestOptions.headersTimeout = 0
      requestOptions.bodyTimeout = 0
      let isRetry = false
      let attempt = observeAttempt()
      const onResponse = (error: Error | null, data?: Dispatcher.ResponseData): void => {
        if (error && !isRetry && !signal.aborted && !attempt.answerStarted && isStalePooledSocket(error) && isReplayable(requestOptions)) {
          isRetry = true
          call?.onRetry('the pooled upstream connection had been closed by the upstream; sent again once on a fresh connection')
          attempt = observeAttempt()
          startDeadline('connection')
          agent.request(requestOptions, onResponse)
          return
        }
        clearTimeout(timer)
        if (answered) {
          data?.body?.destroy() // on errors undici passes { opaque } without a body
          return
        }
        answered = true
        callback(error, data)
      }
      agent.request(requestOptions, onResponse)

      function observeAttempt (): RequestProgress & { answerStarted: boolean } {
        const progress = {
          answerStarted: false,
          onWriting: () => clearTimeout(timer),
          onSent: () => { if (!answered) startDeadline('response headers') },
          onAnswerStarted: () => { progress.answerStarted = true }
        }
        requestOptions[kRequestProgress] = progress
        return progress
      }
    },
    close: () => agent.close(),
    destroy: () => agent.destroy()
  }
}

// undici's connect timer is coarse (half-second ticks) and misses a TLS handshake that stalls after
// the TCP connect; this one destroys the socket at the deadline, handshake included.
function withHandshakeDeadline (connect: buildConnector.connector, timeoutMs: number): buildConnector.connector {
  return (options, callback) => {
    let settled = false
    const timer = setTimeout(() => {
      if (!settled) socket.destroy(new UpstreamTimeoutError(`no connection to ${options.hostname} within ${timeoutMs} ms`))
    }, timeoutMs)
    // undici's connector returns the socket it creates, though its type says void.
    const socket = connect(options, (error, connected) => {
      settled = true
      clearTimeout(timer)
      callback(error as Error, connected as never)
    }) as unknown as Socket
    return socket
  }
}

function trustedCertificates (extra: string[] | undefined): string[] | undefined {
  // Node 22.15+ can add the OS store; the default set already has the bundled roots and NODE_EXTRA_CA_CERTS.
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

// An upstream may close an idle keep-alive socket just as a request is written on it; the request
// never reached the application, so a bodyless GET/HEAD is sent again once, as browsers do. The
// socket counts as reused when it has read bytes; the caller first rules out bytes of this very
// request's answer with undici's "response started" signal.
function isStalePooledSocket (error: Error): boolean {
  const socket = (error as { socket?: { bytesRead?: number } }).socket
  return (error as { code?: string }).code === 'UND_ERR_SOCKET' && (socket?.bytesRead ?? 0) > 0
}

function isReplayable (options: Dispatcher.RequestOptions): boolean {
  return (options.method === 'GET' || options.method === 'HEAD') && (options.body === undefined || options.body === null || options.body === '')
}
