// The one way the proxy answers with its own error; the failure stays on the exchange for the log.
import type { FastifyReply } from 'fastify'
import { proxyErrorBody, statusOf, type ProxyErrorEntry } from './errors.js'

/** `status` only where the entry allows another one (errors.ts); otherwise the entry's own. */
export function sendProxyError (reply: FastifyReply, entry: ProxyErrorEntry, message: string = entry.message, status?: number): FastifyReply {
  // Framework errors (an undecodable URL) come before the exchange exists.
  const exchange = reply.request.exchange as typeof reply.request.exchange | null
  if (exchange) exchange.failure = { code: entry.code, message }
  return reply.code(statusOf(entry, status)).type('application/json; charset=utf-8').send(proxyErrorBody(entry, message))
}
