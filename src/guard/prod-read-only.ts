// PROD_READ_ONLY (on by default): while prod is the active environment, a request that
// writes (POST, PUT, PATCH, DELETE) under a forwarded prefix, API or MCP alike, is answered
// ERRORS.prodReadOnly (403) and nothing goes upstream. So is a read that asks to be taken
// as a write through a method override (X-HTTP-Method-Override and kin, ?_method=), which
// frameworks behind an API gateway obey. Read-only stops writes, not sign-in: a POST that
// only signs in, refreshes or signs out (auth-read-only.ts) goes through, and so does a
// POST to the MCP endpoint whose JSON-RPC calls change nothing (mcp-read-only.ts), read
// whole before it is forwarded. It reads the request's own configuration snapshot, so a
// request that started before a switch to prod is not cut.
// Registered after CORS, so a page can read the refusal.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { Config } from '../config/settings.js'
import { isForwardedPath } from './missing-prefix.js'
import { configOf } from '../config/request-config.js'
import { ERRORS, prodReadOnlyMessage } from '../errors.js'
import { sendProxyError } from '../reply-error.js'
import { isReadOnlyAuthPost } from './auth-read-only.js'
import { judgeMcpBody, type ToolsListCall } from './mcp-read-only.js'
import { createToolHints } from './mcp-tool-hints.js'
import { payloadTooLargeMessage } from '../forward/body-limit.js'

// An MCP body is read whole to be judged; JSON-RPC calls are small.
export const MCP_CHECK_MAX_BYTES = 1024 * 1024

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
  const hints = createToolHints()
  // The MCP posts whose body decides, and the tools/list calls of those let through.
  const bodyToJudge = new WeakSet<FastifyRequest>()
  const toolsListsOf = new WeakMap<FastifyRequest, ToolsListCall[]>()
  const refuse = (reply: FastifyReply, what: string): void => { sendProxyError(reply, ERRORS.prodReadOnly, prodReadOnlyMessage(what)) }

  app.addHook('onRequest', (request, reply, done) => {
    const config = configOf(request, options.config)
    const write = refusedProdWrite(request, config)
    if (write === undefined) return done()
    const path = request.url.split('?', 1)[0]!
    // A POST may still carry an override naming another write.
    const override = write === 'POST' ? methodOverrideToWrite(request.headers, request.url) : undefined
    if (override !== undefined) return refuse(reply, `POST with ${override}`)
    if (write === 'POST' && isReadOnlyAuthPost(path, config.apiPrefix)) return done()
    if (write === 'POST' && (path === config.mcpPrefix || path === config.mcpPrefix + '/')) {
      bodyToJudge.add(request)
      return done()
    }
    refuse(reply, path.startsWith(config.apiPrefix + '/auth/')
      ? `${write} ${path} (an auth call that creates or changes an account or user; only sign-in, token refresh and sign-out go through)`
      : write)
  })

  app.addHook('preParsing', (request, reply, payload, done) => {
    if (!bodyToJudge.has(request)) return done(null, payload)
    const config = configOf(request, options.config)
    const encoding = request.headers['content-encoding']
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      reply.header('connection', 'close')
      return refuse(reply, `an MCP request with a compressed body (Content-Encoding: ${encoding}), which prod read-only cannot read,`)
    }
    const limited = config.maxBodyBytes > 0 && config.maxBodyBytes < MCP_CHECK_MAX_BYTES
    const maxBytes = limited ? config.maxBodyBytes : MCP_CHECK_MAX_BYTES
    const chunks: Buffer[] = []
    let bytes = 0
    const tooLarge = (): void => {
      payload.off('data', onData)
      reply.header('connection', 'close') // the rest of the body stays unread
      if (limited) sendProxyError(reply, ERRORS.payloadTooLarge, payloadTooLargeMessage(maxBytes))
      else refuse(reply, `an MCP request body over ${MCP_CHECK_MAX_BYTES} bytes, too large for prod read-only to read and judge,`)
    }
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length
      if (bytes > maxBytes) return tooLarge()
      chunks.push(chunk)
    }
    if (Number(request.headers['content-length']) > maxBytes) return tooLarge()
    payload.on('data', onData)
    payload.on('error', error => done(error))
    payload.on('end', () => {
      if (bytes > maxBytes) return
      const body = Buffer.concat(chunks)
      const verdict = judgeMcpBody(body.toString('utf8'), hints.readOnlyTools(mcpSessionOf(request, config)))
      if (!verdict.allowed) return refuse(reply, verdict.refused)
      if (verdict.toolsLists.length > 0) toolsListsOf.set(request, verdict.toolsLists)
      done(null, Readable.from(body.length > 0 ? [body] : [], { objectMode: false }))
    })
  })

  // The answer to a tools/list let through says which tools are read-only.
  app.addHook('onSend', (request, reply, payload, done) => {
    const calls = toolsListsOf.get(request)
    if (calls !== undefined && reply.statusCode === 200 && payload instanceof Readable) {
      hints.observe(mcpSessionOf(request, configOf(request, options.config)), calls, { contentType: reply.getHeader('content-type'), contentEncoding: reply.getHeader('content-encoding'), body: payload })
    }
    done(null, payload)
  })
})

// A session of one MCP upstream: a switch or reload that changes BKEND_MCP_URL starts afresh.
function mcpSessionOf (request: FastifyRequest, config: Config): string {
  return `${config.mcpUrl} ${String(request.headers['mcp-session-id'] ?? '')}`
}
