// The per-request handle between the forwarding code (proxy.ts) and our undici dispatcher
// (upstream-dispatcher.ts): the dispatcher reports the upstream URL and a retry, and hands
// back a way to abort the call; cancellation stays in this room (cancelWhenClientLeaves).
//
// @fastify/reply-from has no way to hand its dispatcher anything of a request's: it builds
// the options for dispatcher.request() afresh (origin, path, method, a copy of the headers,
// body, timeouts). Checked against @fastify/reply-from 12.6.5: reply.from() calls
// dispatcher.request() synchronously (its retries off: proxy.ts's retryDelay), so the
// handle waits in a slot for the length of that one call; test/upstream-call.test.ts fails
// if it stops doing so. AsyncLocalStorage would carry it too, but on Node 20 it turns on
// async hooks for every promise in the process.
import type { FastifyReply } from 'fastify'

export interface UpstreamCall {
  /** Told the full upstream URL once the call is dispatched. */
  onDispatched: (url: string) => void
  /** Told when a request was sent a second time on a fresh connection. */
  onRetry: (note: string) => void
  /** Set by the dispatcher: before the response headers it cancels the request, after them undici destroys the body. */
  abort?: (reason?: Error) => void
}

let dispatching: UpstreamCall | undefined

/** Runs `send` (the reply.from() call) with `call` handed to the dispatcher it reaches synchronously. */
export function dispatchWithCall<T> (call: UpstreamCall, send: () => T): T {
  dispatching = call
  try {
    return send()
  } finally {
    dispatching = undefined
  }
}

/** The dispatcher's side: the call being dispatched now, taken once. */
export function takeDispatchingCall (): UpstreamCall | undefined {
  const call = dispatching
  dispatching = undefined
  return call
}

/**
 * A client that leaves (or a connection the proxy closes: shutdown, a body that is not
 * valid HTTP) must not leave its upstream request running. 'close' also comes after a
 * finished response; then there is nothing to cancel.
 */
export function cancelWhenClientLeaves (reply: FastifyReply, call: UpstreamCall): void {
  reply.raw.on('close', () => { // on(): 'close' comes once, and once() costs a wrapper per request
    if (!reply.raw.writableFinished) call.abort?.(new Error('the client connection closed before the response was finished'))
    // Done with the call: its abort reaches into undici's request graph, which undici keeps
    // after the request ends; holding it kept thousands of those graphs alive past
    // young-generation collections (5x the bare stack's GC time).
    call.abort = undefined
  })
}
