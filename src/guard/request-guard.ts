// The guard room: the checks that refuse a request before anything is forwarded, in their
// documented order (parser refusals in raw-refusal.ts; then this file; the prod write
// guard; unrouted paths and methods last). It must not add CORS headers itself (it asks
// src/cors/) nor forward, log or rewrite anything; its answers go through the catalogue.
//
// The refusals that come before anything else, in this order: a request that is
// ambiguous (two Host or Authorization lines), a Host that is not ours (DNS
// rebinding), a request target that is not canonical (canonical-path.ts), a browser
// Origin that is not allowed. A refused request never reaches the upstream, so it never
// spends the injected key. The same checks run as an onRequest hook and, for a URL the
// router cannot decode, from Fastify's frameworkErrors (app.ts).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config/settings.js'
import { hostChecker } from './host-check.js'
import { nonCanonicalTargetOf, shownTarget } from './canonical-path.js'
import type { OriginMatcher } from '../cors/origin-match.js'
import { addRefusalCorsHeaders, grantPrivateNetworkAccess } from '../cors/cors.js'
import { originAdvice } from '../config/origin-setting.js'
import { sendProxyError } from '../reply-error.js'
import { ERRORS, type ProxyErrorEntry } from '../errors.js'

export interface GuardOptions {
  config: Config
  originAllowed: OriginMatcher
  /** Paths whose Origin rule another gate applies after this one (the inspector: same origin only). */
  ownOriginRule?: (url: string) => boolean
}

// Node cuts a request's header list silently at maxHeadersCount (we lift that limit);
// past this many the request is refused whole rather than forwarded with headers missing.
export const MAX_HEADER_COUNT = 200

export interface RequestGuard {
  /** Runs the checks in their order; true when the request was refused (and answered). */
  refused: (request: FastifyRequest, reply: FastifyReply) => boolean
  /** Answers with bkend's error shape, carrying CORS headers for an allowed page. */
  refuse: (request: FastifyRequest, reply: FastifyReply, error: ProxyErrorEntry, message: string) => void
}

export function createRequestGuard (options: GuardOptions): RequestGuard {
  const { config, originAllowed } = options
  const hostVerdict = hostChecker(config.allowedHosts)

  const refuse = (request: FastifyRequest, reply: FastifyReply, error: ProxyErrorEntry, message: string): void => {
    addRefusalCorsHeaders(request, reply, originAllowed)
    sendProxyError(reply, error, message)
  }

  const refused = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (request.raw.rawHeaders.length / 2 > MAX_HEADER_COUNT) {
      refuse(request, reply, ERRORS.headersTooLarge, `the request has ${request.raw.rawHeaders.length / 2} header lines; at most ${MAX_HEADER_COUNT} are forwarded`)
      return true
    }
    const duplicate = duplicatedUniqueHeader(request)
    if (duplicate) {
      refuse(request, reply, ERRORS.badRequest, `the request has more than one ${duplicate} header; send exactly one`)
      return true
    }
    // RFC 9112 §6.1: a coding other than a final "chunked" cannot be framed safely, and
    // Node would forward "gzip, chunked" with the gzip coding silently dropped.
    const transferEncoding = request.headers['transfer-encoding']
    if (transferEncoding !== undefined && transferEncoding.toLowerCase() !== 'chunked') {
      reply.header('connection', 'close')
      refuse(request, reply, ERRORS.badRequest, `Transfer-Encoding "${transferEncoding}" is not supported; send the body with Content-Length or Transfer-Encoding: chunked`)
      return true
    }
    const host = request.headers.host
    const verdict = hostVerdict(host)
    if (verdict === 'malformed') {
      // Node's own check (requireHostHeader) is off, so that this answer is ours and logged.
      refuse(request, reply, ERRORS.badRequest, host === undefined
        ? 'the request has no Host header; HTTP/1.1 requires one (e.g. Host: localhost)'
        : `the Host header ${JSON.stringify(host)} is malformed`)
      return true
    }
    if (verdict === 'refused') {
      const name = host!.replace(/:\d+$/, '')
      request.exchange.notes.push(`refused Host ${name}: not a loopback name and not in ALLOWED_HOSTS`)
      refuse(request, reply, ERRORS.hostNotAllowed, `Host "${name}" is not allowed: the proxy answers loopback names (localhost, 127.0.0.1, [::1]) and the names in ALLOWED_HOSTS, so that other web pages cannot spend your API key. To use this name, set ALLOWED_HOSTS=${name}`)
      return true
    }
    // The target as the router reads it (rewriteUrl); one that cannot be made canonical is refused.
    const notCanonical = nonCanonicalTargetOf(request.raw)
    if (notCanonical !== undefined) {
      request.exchange.notes.push(`refused the request target ${shownTarget(request.url)}: ${notCanonical}`)
      refuse(request, reply, ERRORS.nonCanonicalPath, `the request target is not canonical: ${notCanonical}`)
      return true
    }
    if (request.originalUrl !== request.url) request.exchange.notes.push(`request target ${shownTarget(request.originalUrl)} read as ${shownTarget(request.url)}`)
    // The inspector's paths answer their own page only (src/inspector/gate.ts), not CORS_ORIGINS.
    if (options.ownOriginRule?.(request.url) === true) return false
    const origin = request.headers.origin
    if (origin !== undefined && !originAllowed(origin)) {
      request.exchange.notes.push(`refused origin ${origin}: not in CORS_ORIGINS${originAdvice(origin, config.corsOrigins)}`)
      sendProxyError(reply, ERRORS.originNotAllowed, `origin ${origin} is not allowed to use this proxy. Add it to CORS_ORIGINS (comma-separated; http://host:* allows any port).`)
      return true
    }
    // A page on another site can still fire no-cors requests (an <img>, a form) that
    // carry no Origin; the browser marks them cross-site.
    if (origin === undefined && request.headers['sec-fetch-site'] === 'cross-site') {
      request.exchange.notes.push('refused a cross-site request without Origin (Sec-Fetch-Site: cross-site)')
      sendProxyError(reply, ERRORS.originNotAllowed, 'cross-site requests without an Origin are refused; call the proxy with fetch() from an allowed origin')
      return true
    }
    return false
  }
  return { refused, refuse }
}

export const requestGuard = fp(async function requestGuard (app: FastifyInstance, options: GuardOptions) {
  const { refused } = createRequestGuard(options)
  app.addHook('onRequest', (request, reply, done) => {
    if (refused(request, reply)) return
    // Chrome's Private Network Access preflight, for an Origin the checks above let through.
    grantPrivateNetworkAccess(request, reply)
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
