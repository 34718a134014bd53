import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyCorsOptions } from '@fastify/cors'
import type { OriginMatcher } from './origin-match.js'

export const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

export function corsOptions (originAllowed: OriginMatcher): FastifyCorsOptions {
  return {
    origin: (origin, callback) => callback(null, origin !== undefined && originAllowed(origin)),
    credentials: true,
    methods: ALL_METHODS,
    // allowedHeaders left unset: @fastify/cors then echoes Access-Control-Request-Headers,
    // so any header the app sends (Authorization included, which "*" would not cover) passes.
    maxAge: 600,
    strictPreflight: false,
    preflight: true,
    hideOptionsRoute: true,
    optionsSuccessStatus: 204
  }
}

/** The guard refuses before @fastify/cors runs; an allowed page must still be able to read why. */
export function addRefusalCorsHeaders (request: FastifyRequest, reply: FastifyReply, originAllowed: OriginMatcher): void {
  const origin = request.headers.origin
  if (origin !== undefined && originAllowed(origin)) {
    reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin')
  }
}

/** Chrome's Private Network Access preflight: granted to a request whose Origin the guard let through. */
export function grantPrivateNetworkAccess (request: FastifyRequest, reply: FastifyReply): void {
  if (request.headers.origin !== undefined && request.method === 'OPTIONS' && request.headers['access-control-request-private-network'] === 'true') {
    reply.header('access-control-allow-private-network', 'true')
  }
}
