// The one owner of "is the proxy stopping" (new requests refused; later, open connections cut)
// and the gate that answers 503 meanwhile. Signals and timers are shutdown.ts's.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { sendProxyError } from '../reply-error.js'
import { ERRORS } from '../errors.js'

export interface Stopping {
  begin: () => void
  /** The grace period is over: the proxy closes what is still open. */
  cut: () => void
  isClosing: () => boolean
  isCutting: () => boolean
}

export function createStopping (): Stopping {
  let closing = false
  let cutting = false
  return {
    begin: () => { closing = true },
    cut: () => { cutting = true },
    isClosing: () => closing,
    isCutting: () => cutting
  }
}

/** Registered after CORS, so a page can read the 503 it gets while the proxy stops. */
export const stoppingGate = fp(async function stoppingGate (app: FastifyInstance, options: { stopping: Stopping }) {
  const { stopping } = options
  // Otherwise an idle keep-alive connection holds the exit until the grace period ends; one
  // that already carries its next request stays open long enough to get the 503.
  app.addHook('onResponse', (_request, _reply, done) => {
    if (stopping.isClosing()) setImmediate(() => app.server.closeIdleConnections())
    done()
  })
  app.addHook('onRequest', (_request, reply, done) => {
    if (!stopping.isClosing()) {
      done()
      return
    }
    reply.header('connection', 'close')
    sendProxyError(reply, ERRORS.shuttingDown)
  })
})
