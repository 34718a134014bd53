// The inspector's Origin rule, in place of CORS_ORIGINS for its paths: its page is
// served by the proxy itself, so only same-origin requests (the page) and requests
// without Origin (curl, scripts) are answered. Any other origin, even one allowed for
// the API, gets 403: the buffer holds everything the API said. Runs after the Host
// check and before CORS, so a refusal carries no CORS headers.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import { sendProxyError } from '../reply-error.js'
import { ERRORS } from '../errors.js'
import { isInspectorPath } from './paths.js'

/** Why a request to the inspector (or another of the proxy's own APIs) is refused, or undefined when it may pass. */
export function inspectorOriginRefusal (headers: IncomingHttpHeaders, what = 'the inspector'): string | undefined {
  const origin = headers.origin
  const site = headers['sec-fetch-site']
  if (origin === undefined) {
    // No-cors requests from another page (an <img>, a <script>) carry no Origin; the
    // browser still says where they come from. "same-site" is another port of localhost.
    if (site === 'cross-site' || site === 'same-site') return `${what} answers only its own page; a request from another site (Sec-Fetch-Site: ${site}) is refused`
    return undefined
  }
  if (sameOrigin(origin, headers.host)) return undefined
  return `origin ${origin} may not use ${what}: it answers only its own page (same origin) and requests without Origin (curl, scripts), whatever CORS_ORIGINS allows`
}

function sameOrigin (origin: string, host: string | undefined): boolean {
  if (host === undefined) return false
  try {
    return new URL(origin).origin === new URL(`http://${host}`).origin
  } catch {
    return false
  }
}

export interface GateOptions {
  /** The paths the rule covers: the inspector's, or (inspector off) the environment switch's. */
  appliesTo?: (url: string) => boolean
  /** What they are called in the refusal. */
  what?: string
}

export const inspectorGate = fp(async function inspectorGate (app: FastifyInstance, options: GateOptions) {
  const appliesTo = options.appliesTo ?? isInspectorPath
  const what = options.what ?? 'the inspector'
  app.addHook('onRequest', (request, reply, done) => {
    if (!appliesTo(request.url)) {
      done()
      return
    }
    const refusal = inspectorOriginRefusal(request.headers, what)
    if (refusal === undefined) {
      done()
      return
    }
    request.exchange.notes.push(`refused ${options.what === undefined ? 'an inspector request' : `a request to ${what}`}: ${refusal}`)
    sendProxyError(reply, ERRORS.originNotAllowed, refusal)
  })
})
