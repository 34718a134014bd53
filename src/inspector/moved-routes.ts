// The proxy port under /__proxy/, now that the inspector lives on its own port: GET /__proxy/
// redirects there, any other path answers proxy/moved. Nothing of the inspector runs here, so a
// page on this origin can neither read nor change it. /__proxy/health stays (lifecycle/health.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { parseHostName } from '../guard/host-check.js'
import { sendProxyError } from '../reply-error.js'
import { ERRORS } from '../errors.js'
import { INSPECTOR_PREFIX } from './paths.js'

export interface MovedRoutesOptions {
  inspectorOn: boolean
  /** The inspector's port as it listens now (the configured one before), or null while unknown (port 0, not listening yet). */
  inspectorPort: () => number | null
}

/** http://<the name the client used>:<inspector port>, or null when there is no inspector to point at. */
export function inspectorOrigin (host: string | undefined, port: number | null): string | null {
  if (port === null) return null
  return `http://${(host === undefined ? undefined : parseHostName(host)) ?? 'localhost'}:${port}`
}

// The methods the inspector's API has; others meet the proxy's own 405 (guard/unrouted.ts).
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

export async function movedRoutes (app: FastifyInstance, options: MovedRoutesOptions): Promise<void> {
  const originOf = (request: FastifyRequest): string | null => inspectorOrigin(request.headers.host, options.inspectorPort())

  const moved = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?', 1)[0]!
    if (!options.inspectorOn) {
      return sendProxyError(reply, ERRORS.notFound, `the inspector is off (INSPECTOR=false), and with it ${path}; to switch environments, set BKEND_ENVIRONMENT in .env (applied on save) or restart with --environment`)
    }
    const origin = originOf(request)
    const where = origin === null ? `${path} on INSPECTOR_PORT` : `${origin}${path} (INSPECTOR_PORT)`
    return sendProxyError(reply, ERRORS.moved, `the inspector and its API, the environment switch included, are on their own port: ${where}; this port forwards the API only`)
  }
  const redirect = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = originOf(request)
    if (origin === null) return moved(request, reply)
    return reply.redirect(`${origin}${INSPECTOR_PREFIX}/`, 302)
  }
  // No page of another origin reads these answers, whatever CORS_ORIGINS allows.
  app.addHook('onSend', (_request, reply, payload, done) => {
    for (const name of Object.keys(reply.getHeaders())) {
      if (name.startsWith('access-control-')) reply.removeHeader(name)
    }
    done(null, payload)
  })
  // No body is parsed: a bad or empty JSON body still gets the 404.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => { done(null, undefined) })
  app.get(INSPECTOR_PREFIX, redirect)
  app.get(`${INSPECTOR_PREFIX}/`, redirect)
  app.route({ method: METHODS, url: `${INSPECTOR_PREFIX}/*`, handler: moved })
}
