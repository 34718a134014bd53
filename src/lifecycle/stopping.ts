// The one owner of "is the proxy stopping": the two moments of a shutdown (new requests
// refused; then, after SHUTDOWN_GRACE_MS, the connections still open cut) and the gate
// that answers ERRORS.shuttingDown (503) meanwhile. The signals, the grace timer and the
// exit are shutdown.ts's; flushing the log and exiting the process are cli.ts's.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { sendProxyError } from '../reply-error.js'
import { ERRORS } from '../errors.js'

export interface Stopping {
  /** New requests get ERRORS.shuttingDown from now on. */
  begin: () => void
  /** The grace period is over: the connections still open are being closed by the proxy. */
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
  // A keep-alive connection whose request was in flight at the signal would sit idle
  // until the grace period ends. Closing the idle ones after each response lets the
  // process exit as soon as the last request is done, while a connection that already
  // carries its next request stays open long enough to get the 503 below.
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
