// The refusals that come before anything else, in this order: a request that is
// ambiguous (two Host or Authorization lines), a Host that is not ours (DNS
// rebinding), a browser Origin that is not allowed. A refused request never reaches
// the upstream, so it never spends the injected key.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from './settings.js'
import { checkHost } from './host-check.js'
import type { OriginMatcher } from './origin-match.js'
import { sendProxyError } from './reply-error.js'

export interface GuardOptions {
  config: Config
  originAllowed: OriginMatcher
  isClosing: () => boolean
}

export const requestGuard = fp(async function requestGuard (app: FastifyInstance, options: GuardOptions) {
  const { config, originAllowed, isClosing } = options

  app.addHook('onRequest', (request, reply, done) => {
    if (isClosing()) {
      reply.header('connection', 'close')
      sendProxyError(reply, 503, 'shutting-down', 'the proxy is shutting down; retry in a moment')
      return
    }
    const duplicate = duplicatedUniqueHeader(request)
    if (duplicate) {
      sendProxyError(reply, 400, 'bad-request', `the request has more than one ${duplicate} header; send exactly one`)
      return
    }
    const host = request.headers.host
    const verdict = checkHost(host, config.allowedHosts)
    if (verdict === 'malformed') {
      sendProxyError(reply, 400, 'bad-request', `the Host header ${JSON.stringify(host ?? '')} is missing or malformed`)
      return
    }
    if (verdict === 'refused') {
      const name = host!.replace(/:\d+$/, '')
      request.exchange.notes.push(`refused Host ${name}: not a loopback name and not in ALLOWED_HOSTS`)
      sendProxyError(reply, 403, 'host-not-allowed', `Host "${name}" is not allowed: the proxy answers loopback names (localhost, 127.0.0.1, [::1]) and the names in ALLOWED_HOSTS, so that other web pages cannot spend your API key. To use this name, set ALLOWED_HOSTS=${name}`)
      return
    }
    const origin = request.headers.origin
    if (origin !== undefined && !originAllowed(origin)) {
      request.exchange.notes.push(`refused origin ${origin}: not in CORS_ORIGINS; to allow it, add it to CORS_ORIGINS (e.g. CORS_ORIGINS=${suggestOrigins(origin, config)})`)
      sendProxyError(reply, 403, 'origin-not-allowed', `origin ${origin} is not allowed to use this proxy. Add it to CORS_ORIGINS (comma-separated; http://host:* allows any port).`)
      return
    }
    // A page on another site can still fire no-cors requests (an <img>, a form) that
    // carry no Origin; the browser marks them cross-site.
    if (origin === undefined && request.headers['sec-fetch-site'] === 'cross-site') {
      request.exchange.notes.push('refused a cross-site request without Origin (Sec-Fetch-Site: cross-site)')
      sendProxyError(reply, 403, 'origin-not-allowed', 'cross-site requests without an Origin are refused; call the proxy with fetch() from an allowed origin')
      return
    }
    // Chrome's Private Network Access preflight: granted only to origins allowed above.
    if (origin !== undefined && request.method === 'OPTIONS' && request.headers['access-control-request-private-network'] === 'true') {
      reply.header('access-control-allow-private-network', 'true')
    }
    done()
  })
})

// Node keeps only the first of duplicated Host/Authorization lines; the raw list tells.
function duplicatedUniqueHeader (request: FastifyRequest): string | undefined {
  const raw = request.raw.rawHeaders
  let hosts = 0
  let authorizations = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++
    else if (name.length === 13 && name.toLowerCase() === 'authorization') authorizations++
  }
  if (hosts > 1) return 'Host'
  if (authorizations > 1) return 'Authorization'
  return undefined
}

function suggestOrigins (origin: string, config: Config): string {
  const current = config.corsOrigins.join(',')
  return current ? `${current},${origin}` : origin
}
