// Requests Node's HTTP parser refuses before any route or hook sees them (smuggling attempts,
// obs-fold, bare LF, headers too large): bkend's error shape while the connection allows an
// answer, and a log line with the parser's reason, never the raw bytes (they may carry a key).
import type { Socket } from 'node:net'
import type { Server, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { STATUS_CODES } from 'node:http'
import { ERRORS, proxyErrorBody, type ProxyErrorEntry } from '../errors.js'

export interface InvalidRequest {
  error: ProxyErrorEntry
  status: number
  failure: { code: string, message: string }
  /** The parser's error code and its fixed wording. */
  reason: string
}

interface ParserError extends Error {
  code?: string
  /** llhttp's fixed wording of the fault, e.g. "Invalid character in chunk size". */
  reason?: string
}

// A request whose exchange was under way when its body turned out invalid: the exchange
// log reads the verdict from here when the connection closes.
const refusedMidRequest = new WeakMap<Socket, InvalidRequest>()

// The response each connection answers now: Node keeps this to itself.
const responseOnSocket = new WeakMap<Socket, ServerResponse>()

/** Lets the refusal handler tell a request's body at fault from a new request's head. */
export function watchResponses (server: Server): void {
  server.on('request', (request, response) => { responseOnSocket.set(request.socket, response) })
}

/** Why the request on this socket was refused by the parser mid-request, if it was. */
export function invalidRequestOf (socket: Socket | null | undefined): InvalidRequest | undefined {
  return socket ? refusedMidRequest.get(socket) : undefined
}

function refusalFor (error: ParserError, midRequest: boolean): InvalidRequest {
  const code = error.code ?? 'unknown'
  const reason = `${code}: ${error.reason ?? error.message.replace(/^Parse Error: /, '')}`
  const [entry, message]: [ProxyErrorEntry, string] = code === 'HPE_HEADER_OVERFLOW'
    ? [ERRORS.headersTooLarge, `the request headers are too large (${reason})`]
    : [ERRORS.badRequest, `the request ${midRequest ? 'body ' : ''}is not valid HTTP (${reason})`]
  return { error: entry, status: entry.status, failure: { code: entry.code, message }, reason }
}

/** Fastify's clientErrorHandler: answers and logs what the parser refused. */
export function parserRefusalHandler (logger: Logger): (error: Error, socket: Socket) => void {
  return (error, socket) => {
    const code = (error as ParserError).code ?? ''
    // Anything else is the socket failing (ECONNRESET, EPIPE): the client is gone.
    if (!code.startsWith('HPE_') && !code.startsWith('ERR_HTTP_')) {
      socket.destroy()
      return
    }
    // Node's own handler asks the same question: a response still under way on this
    // connection means the fault is in that request's body, and its exchange will say so.
    const response = responseOnSocket.get(socket)
    const inFlight = response?.writableFinished === false ? response : undefined
    const refusal = refusalFor(error as ParserError, inFlight !== undefined)
    if (inFlight) refusedMidRequest.set(socket, refusal)
    else logRefusal(logger, refusal, code, socket)
    if (!socket.writable || inFlight?.headersSent === true) {
      socket.destroy()
      return
    }
    const body = JSON.stringify(proxyErrorBody(refusal.error, refusal.failure.message))
    socket.end(`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
}

function logRefusal (logger: Logger, refusal: InvalidRequest, parserCode: string, socket: Socket): void {
  const what = refusal.status === 431 ? 'whose headers are too large' : 'that is not valid HTTP'
  const client = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
  logger.warn({ refusal: { status: refusal.status, code: refusal.failure.code, reason: parserCode, client } },
    `refused a request ${what} from ${client}: ${refusal.status} ${refusal.failure.code} (${refusal.reason})`)
}
