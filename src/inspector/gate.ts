// The inspector port's own rules, in place of CORS_ORIGINS: only same-origin requests (its page)
// and requests without Origin (curl) are answered, because the buffer holds everything the API
// said. A control request must also be JSON and not no-cors or cross-site, so no form, image or
// beacon on another page can send one. Nothing on this port carries CORS headers.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import { sendProxyError } from '../reply-error.js'
import { ERRORS, type ProxyErrorEntry } from '../errors.js'

/** Why a request to the inspector is refused for where it comes from, or undefined when it may pass. */
export function inspectorOriginRefusal (headers: IncomingHttpHeaders, what = 'the inspector'): string | undefined {
  const origin = headers.origin
  const site = headers['sec-fetch-site']
  if (origin === undefined) {
    // No-cors requests carry no Origin, but the browser still marks them; "same-site" is another port of localhost.
    if (isOtherSite(site)) return `${what} answers only its own page; a request from another site (Sec-Fetch-Site: ${site}) is refused`
    return undefined
  }
  if (sameOrigin(origin, headers.host)) return undefined
  return `origin ${origin} may not use ${what}: it answers only its own page (same origin) and requests without Origin (curl, scripts), whatever CORS_ORIGINS allows`
}

const JSON_TYPE = /^application\/json\s*(;|$)/i

/** Why a control request (one that changes something) is refused, or undefined when it may pass. `example`: a body to show in the fix. */
export function controlRefusal (method: string, path: string, headers: IncomingHttpHeaders, example?: string): { error: ProxyErrorEntry, message: string } | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined
  const site = headers['sec-fetch-site']
  if (isOtherSite(site)) return { error: ERRORS.originNotAllowed, message: `${method} ${path} changes the proxy's state; a request from another site (Sec-Fetch-Site: ${site}) is refused` }
  if (headers['sec-fetch-mode'] === 'no-cors') return { error: ERRORS.originNotAllowed, message: `${method} ${path} changes the proxy's state; a no-cors request (Sec-Fetch-Mode: no-cors, e.g. sendBeacon or a form) is refused` }
  if (!JSON_TYPE.test(headers['content-type'] ?? '')) {
    const data = example === undefined ? '' : ` -d '${example}'`
    return { error: ERRORS.unsupportedMediaType, message: `${method} ${path} takes JSON only, so that no form, image or beacon on another page can send it: curl -X ${method} http://${headers.host ?? 'localhost:8788'}${path} -H 'content-type: application/json'${data}` }
  }
  return undefined
}

function isOtherSite (site: string | string[] | undefined): boolean {
  return site === 'cross-site' || site === 'same-site'
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
  /** Example JSON bodies by path, for the fix a refused control request is given. */
  examples?: Readonly<Record<string, string>>
}

export const inspectorGate = fp(async function inspectorGate (app: FastifyInstance, options: GateOptions) {
  app.addHook('onRequest', (request, reply, done) => {
    const refusal = inspectorOriginRefusal(request.headers)
    if (refusal !== undefined) {
      request.exchange.notes.push(`refused an inspector request: ${refusal}`)
      sendProxyError(reply, ERRORS.originNotAllowed, refusal)
      return
    }
    const path = request.url.split('?', 1)[0]!
    const control = controlRefusal(request.method, path, request.headers, options.examples?.[path])
    if (control !== undefined) {
      request.exchange.notes.push(`refused an inspector request: ${control.message}`)
      sendProxyError(reply, control.error, control.message)
      return
    }
    done()
  })
})
