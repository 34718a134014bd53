// PROD_READ_ONLY (on by default): while prod is the active environment, a request that
// writes (POST, PUT, PATCH, DELETE) under a forwarded prefix, API or MCP alike, is answered
// ERRORS.prodReadOnly (403) and nothing goes upstream. So is a read that asks to be taken
// as a write through a method override (X-HTTP-Method-Override and kin, ?_method=), which
// frameworks behind an API gateway obey. It reads the request's own configuration
// snapshot, so a request that started before a switch to prod is not cut.
// Registered after CORS, so a page can read the refusal.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import type { Config } from '../config/settings.js'
import { isForwardedPath } from './missing-prefix.js'
import { configOf } from '../config/request-config.js'
import { ERRORS, prodReadOnlyMessage } from '../errors.js'
import { sendProxyError } from '../reply-error.js'

const WRITING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const OVERRIDE_HEADERS = [['x-http-method-override', 'X-HTTP-Method-Override'], ['x-http-method', 'X-HTTP-Method'], ['x-method-override', 'X-Method-Override']] as const

/** The write this request would make to prod while the configuration forbids it ("DELETE", "GET with _method=DELETE"), if any. */
export function refusedProdWrite (request: { method: string, url: string, headers: IncomingHttpHeaders }, config: Config): string | undefined {
  if (config.environment !== 'prod' || !config.prodReadOnly || !isForwardedPath(request.url, config)) return undefined
  if (WRITING_METHODS.has(request.method)) return request.method
  const override = methodOverrideToWrite(request.headers, request.url)
  return override === undefined ? undefined : `${request.method} with ${override}`
}

/** A method override naming a write, as "X-HTTP-Method-Override: DELETE" or "_method=delete". */
export function methodOverrideToWrite (headers: IncomingHttpHeaders, url: string): string | undefined {
  for (const [name, shown] of OVERRIDE_HEADERS) {
    const value = headers[name]
    if (typeof value !== 'string') continue
    // Node joins repeated lines of these headers with ", ".
    const write = value.split(',').map(token => token.trim()).find(isWritingMethod)
    if (write !== undefined) return `${shown}: ${write}`
  }
  const queryStart = url.indexOf('?')
  if (queryStart < 0) return undefined
  const write = new URLSearchParams(url.slice(queryStart + 1)).getAll('_method').map(value => value.trim()).find(isWritingMethod)
  return write === undefined ? undefined : `_method=${write}`
}

function isWritingMethod (method: string): boolean {
  return WRITING_METHODS.has(method.toUpperCase())
}

export const prodReadOnly = fp(async function prodReadOnly (app: FastifyInstance, options: { config: Config }) {
  app.addHook('onRequest', (request, reply, done) => {
    const write = refusedProdWrite(request, configOf(request, options.config))
    if (write === undefined) {
      done()
      return
    }
    sendProxyError(reply, ERRORS.prodReadOnly, prodReadOnlyMessage(write))
  })
})
