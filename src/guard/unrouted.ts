// Requests no route takes, answered after the Host and Origin hooks: 405 for a method outside
// the API, 204 with Allow for a plain OPTIONS under a forwarded prefix, else the missing-prefix 404.
import { ServerResponse, type Server } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config/settings.js'
import { ALL_METHODS } from '../cors/cors.js'
import { sendProxyError } from '../reply-error.js'
import { ERRORS } from '../errors.js'
import { isForwardedPath, missingPrefixMessage } from './missing-prefix.js'

const ALLOW = ALL_METHODS.join(', ')
const FORWARDED = ALL_METHODS.filter(method => method !== 'OPTIONS')

export function unroutedHandler (config: Config): (request: FastifyRequest, reply: FastifyReply) => void {
  return (request, reply) => {
    // `OPTIONS *` asks about the server as a whole, which no bkend route describes.
    const serverWide = request.method === 'OPTIONS' && request.url === '*'
    if (!ALL_METHODS.includes(request.method) || serverWide) {
      reply.header('allow', ALLOW)
      const what = serverWide ? 'OPTIONS * (about the whole server)' : request.method
      sendProxyError(reply, ERRORS.methodNotAllowed, `the proxy forwards ${FORWARDED.slice(0, -1).join(', ')} and ${FORWARDED.at(-1)!}, and answers OPTIONS (CORS preflight) itself; ${what} is not part of the bkend API`)
      return
    }
    if (request.method === 'OPTIONS' && isForwardedPath(request.url, config)) {
      reply.code(204).header('allow', ALLOW).send()
      return
    }
    sendProxyError(reply, ERRORS.missingV1Prefix, missingPrefixMessage(request.url, config, request.socket.localPort ?? config.port))
  }
}

/**
 * Node hands CONNECT to a 'connect' listener and, without one, drops the connection
 * unanswered and unlogged. Fed to the normal request path instead, it meets the Host and
 * Origin checks and the 405 above, and is logged like any other exchange.
 */
export function routeConnectRequests (server: Server): void {
  server.on('connect', (request, socket) => {
    // Node has taken its own listeners off the socket, its 'error' handler included.
    socket.on('error', () => {})
    const response = new ServerResponse(request)
    response.shouldKeepAlive = false
    response.assignSocket(socket as never)
    response.once('finish', () => {
      response.detachSocket(socket as never)
      socket.end()
    })
    server.emit('request', request, response)
  })
}
