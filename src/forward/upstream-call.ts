// The per-request handle between proxy.ts and our undici dispatcher: the dispatcher reports the
// upstream URL and a retry and hands back a way to abort the call.
// Checked against @fastify/reply-from 12.6.5, which cannot pass its dispatcher anything of a
// request's but calls dispatcher.request() synchronously from reply.from() (retries off), so the
// handle waits in a slot for that one call; test/upstream-call.test.ts fails if that changes.
// AsyncLocalStorage would carry it too, but on Node 20 it turns on async hooks for every promise.
import type { FastifyReply } from 'fastify'

export interface UpstreamCall {
  onDispatched: (url: string) => void
  onRetry: (note: string) => void
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

export function takeDispatchingCall (): UpstreamCall | undefined {
  const call = dispatching
  dispatching = undefined
  return call
}

/** A client that leaves (or a connection the proxy closes) must not leave its upstream request running. */
export function cancelWhenClientLeaves (reply: FastifyReply, call: UpstreamCall): void {
  reply.raw.on('close', () => { // on(): 'close' comes once, and once() costs a wrapper per request
    if (!reply.raw.writableFinished) call.abort?.(new Error('the client connection closed before the response was finished'))
    // Done with the call: its abort reaches into undici's request graph, which undici keeps after
    // the request ends.
    call.abort = undefined
  })
}
