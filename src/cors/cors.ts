// @fastify/cors options from config. The request guard has already refused origins
// that are not allowed; this answers preflights and adds the headers for the rest.
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
