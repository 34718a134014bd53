// PROD_READ_ONLY (on by default): while prod is the active environment, a request that
// writes (POST, PUT, PATCH, DELETE) under a forwarded prefix, API or MCP alike, is answered
// ERRORS.prodReadOnly (403) and nothing goes upstream. It reads the request's own
// configuration snapshot, so a request that started before a switch to prod is not cut.
// Registered after CORS, so a page can read the refusal.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/settings.js'
import { isForwardedPath } from './missing-prefix.js'
import { configOf } from '../config/request-config.js'
import { ERRORS, prodReadOnlyMessage } from '../errors.js'
import { sendProxyError } from '../reply-error.js'

const WRITING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Whether this request would write to prod while the configuration forbids it. */
export function refusedAsProdWrite (method: string, url: string, config: Config): boolean {
  return config.environment === 'prod' && config.prodReadOnly && WRITING_METHODS.has(method) && isForwardedPath(url, config)
}

export const prodReadOnly = fp(async function prodReadOnly (app: FastifyInstance, options: { config: Config }) {
  app.addHook('onRequest', (request, reply, done) => {
    if (!refusedAsProdWrite(request.method, request.url, configOf(request, options.config))) {
      done()
      return
    }
    sendProxyError(reply, ERRORS.prodReadOnly, prodReadOnlyMessage(request.method))
  })
})
