// The one way the proxy answers with its own error: bkend's shape, the failure kept
// on the exchange for the log.
import type { FastifyReply } from 'fastify'
import { proxyError } from './errors.js'

export function sendProxyError (reply: FastifyReply, status: number, name: string, message: string): FastifyReply {
  // Framework errors (an undecodable URL) come before the exchange exists.
  const exchange = reply.request.exchange as typeof reply.request.exchange | null
  if (exchange) exchange.failure = { code: `proxy/${name}`, message }
  return reply.code(status).type('application/json; charset=utf-8').send(proxyError(name, message))
}
