// One http-proxy registration per forwarded prefix; the upstream call, body taps and
// failures of each request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import httpProxy from '@fastify/http-proxy'
import type { IncomingHttpHeaders } from 'node:http'
import { Readable, type Transform } from 'node:stream'
import type { Config } from '../config/settings.js'
import { buildUpstreamHeaders } from './upstream-headers.js'
import { injectableFor, upstreamPerRequest } from './request-upstream.js'
import { configOf } from '../config/request-config.js'
import { cancelWhenClientLeaves, dispatchWithCall, type UpstreamCall } from './upstream-call.js'
import { buildClientResponseHeaders, type ResponseHeaders } from './response-headers.js'
import type { UpstreamDispatcher } from './upstream-dispatcher.js'
import { classifyUpstreamError, rootErrorCode } from './upstream-failure.js'
import { ERRORS } from '../errors.js'
import { bodyLimiter, declaredTooLarge, payloadTooLargeMessage } from './body-limit.js'
import { sendProxyError } from '../reply-error.js'
import { cappedCollector, isTextual, ERROR_BODY_BYTES, PREVIEW_BYTES, REPLAY_BODY_BYTES, watchChunks } from './body-capture.js'
import type { BodyPreview } from '../log/exchange.js'
import type { BodyTaps } from './body-taps.js'
import { isEventStream, sseEventCounter } from '../log/sse-events.js'
import { MCP_DISCOVERY_PREFIXES, isProtectedResourcePath, mcpAddresses, proxiedAuthenticate, proxiedResourceMetadata } from './mcp-discovery.js'
import { rewrittenBody } from './rewritten-body.js'

// OPTIONS is left to @fastify/cors: preflights are answered, never forwarded.
const FORWARDED_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'] as const

export interface ProxyRoute {
  kind: 'api' | 'mcp' | 'mcp-discovery'
  prefix: string
  upstream: string
  /** Whether the prefix itself is part of the upstream path (/v1 is, /mcp is replaced by the MCP URL's path). */
  keepPrefix: boolean
  upstreamOf: (config: Config) => string
}

export function proxyRoutes (config: Config): ProxyRoute[] {
  const mcpOrigin = (settings: Config): string => new URL(settings.mcpUrl).origin
  return [
    { kind: 'api', prefix: config.apiPrefix, upstream: config.apiUrl, keepPrefix: true, upstreamOf: settings => settings.apiUrl },
    { kind: 'mcp', prefix: config.mcpPrefix, upstream: config.mcpUrl, keepPrefix: false, upstreamOf: settings => settings.mcpUrl },
    ...MCP_DISCOVERY_PREFIXES.map((prefix): ProxyRoute => ({ kind: 'mcp-discovery', prefix, upstream: mcpOrigin(config), keepPrefix: true, upstreamOf: mcpOrigin }))
  ]
}

export async function registerProxy (app: FastifyInstance, options: { config: Config, dispatcher: UpstreamDispatcher, route: ProxyRoute, inspector?: BodyTaps }): Promise<void> {
  const { config: registered, dispatcher, route, inspector } = options
  const upstream = new URL(route.upstream)
  const rewritePrefix = upstream.pathname.replace(/\/$/, '') + (route.keepPrefix ? route.prefix : '')
  const perRequest = upstreamPerRequest(route.upstreamOf, registered)

  // Fastify's built-in text/plain parser would read such a body whole, ahead of the body
  // limit and the taps. Without it, every type reaches http-proxy's own catch-all parser,
  // which hands the request stream on unread (its scope adds JSON and '*' back).
  app.removeAllContentTypeParsers()
  await app.register(httpProxy, {
    // No fixed upstream: reply-from would send every request to it whatever getUpstream says.
    upstream: '',
    prefix: route.prefix,
    rewritePrefix: rewritePrefix || '/',
    httpMethods: [...FORWARDED_METHODS],
    undici: dispatcher as never,
    disableRequestLogging: true,
    preHandler: prepareBody,
    // The upstream call's handle reaches our dispatcher through this synchronous call (upstream-call.ts).
    handler: (request, reply, dest, handlerOptions) => dispatchWithCall(upstreamCallFor(request, reply), () => perRequest.handler(request, reply, dest, handlerOptions)),
    replyOptions: {
      getUpstream: perRequest.getUpstream,
      // http-proxy re-encodes the query it parsed; send the client's bytes instead.
      queryString: (_search: string, url: string) => {
        const index = url.indexOf('?')
        return index < 0 ? '' : url.slice(index + 1)
      },
      // No hidden retries: one client request, at most one upstream request.
      retryDelay: () => null,
      rewriteRequestHeaders: (request: FastifyRequest, headers: IncomingHttpHeaders) => {
        const exchange = request.exchange
        const config = configOf(request, registered)
        // Discovery documents are public: no key, project or environment goes with them.
        const discovery = route.kind === 'mcp-discovery'
        const outbound = buildUpstreamHeaders(headers, { config, injectable: discovery ? [] : injectableFor(config, route.kind === 'api' ? 'api' : 'mcp') })
        if (discovery) delete outbound.headers['accept-encoding']
        exchange.upstreamHeaders = outbound.headers
        exchange.injected = outbound.injected
        exchange.notes.push(...outbound.notes)
        return outbound.headers as IncomingHttpHeaders
      },
      rewriteHeaders: (headers: ResponseHeaders, request?: FastifyRequest) => {
        if (request) request.exchange.upstreamResponseHeaders = headers // not mutated after this
        const client = buildClientResponseHeaders(headers, { cors: request?.headers.origin !== undefined })
        return route.kind === 'mcp' && request ? withProxiedAuthenticate(client, request, configOf(request, registered)) : client
      },
      onResponse: (request: FastifyRequest, reply: FastifyReply, response: { statusCode: number, headers: ResponseHeaders, stream: Readable }) => {
        const exchange = request.exchange
        exchange.upstreamStatus = response.statusCode
        const preview: BodyPreview | undefined = configOf(request, registered).logBodies && isTextual(response.headers['content-type'])
          ? (exchange.responseBody = { text: '', totalBytes: 0, truncated: false })
          : undefined
        const collect = preview ? cappedCollector(preview, PREVIEW_BYTES) : undefined
        // Error answers are small JSON whose error.code names the hint; success bodies are never kept.
        const collectError = response.statusCode >= 400 && isTextual(response.headers['content-type'])
          ? cappedCollector(exchange.errorBody = { text: '', totalBytes: 0, truncated: false }, ERROR_BODY_BYTES)
          : undefined
        const inspect = inspector?.upstreamResponse(request, response.statusCode, response.headers)
        const countEvents = isEventStream(response.headers['content-type']) ? sseEventCounter(inspector?.streamEvent(request)) : undefined
        if (countEvents) exchange.events = 0
        const stream = route.kind === 'mcp-discovery' ? discoveryBody(request, reply, response, configOf(request, registered)) : response.stream
        const onData = (chunk: Buffer): void => {
          exchange.responseBytes += chunk.length
          if (countEvents) exchange.events = countEvents(chunk)
          collect?.(chunk)
          collectError?.(chunk)
          inspect?.(chunk)
        }
        // The body failing while the client is still there means the upstream cut it short.
        const onError = (): void => { if (!exchange.clientLeft) exchange.upstreamCut = true }
        stream.on('data', onData)
        stream.on('error', onError)
        // undici keeps finished requests per connection, body streams included: listeners left on a
        // finished stream (ours, Fastify's) would keep each exchange, request and reply alive with it.
        stream.on('close', () => { setImmediate(() => stream.removeAllListeners()) })
        reply.send(stream)
      },
      onError: (reply: FastifyReply, { error }: { error: Error }) => {
        // Ask the response whether the client is still there, not the request: undici sets
        // request.raw.socket to null before destroying the body, and that client still waits.
        if (reply.raw.destroyed || reply.raw.headersSent || reply.raw.socket?.destroyed === true) return
        // The rest of an unread body would stall the kept-alive connection (reply-from does the same).
        if (!reply.request.raw.complete) reply.header('connection', 'close')
        const config = configOf(reply.request, registered)
        if (rootErrorCode(error).code === 'PROXY_PAYLOAD_TOO_LARGE') {
          reply.header('connection', 'close')
          sendProxyError(reply, ERRORS.payloadTooLarge, payloadTooLargeMessage(config.maxBodyBytes))
          return
        }
        // The timeout is the dispatcher's, fixed at start-up (UPSTREAM_TIMEOUT_MS needs a restart).
        const failure = classifyUpstreamError(error, { upstream: route.upstreamOf(config), timeoutMs: registered.upstreamTimeoutMs, method: reply.request.method })
        sendProxyError(reply, failure.error, failure.message)
      }
    } as never
  })

  function prepareBody (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
    const config = configOf(request, registered)
    if (config.maxBodyBytes > 0) {
      if (declaredTooLarge(request.headers['content-length'], config.maxBodyBytes)) {
        reply.header('connection', 'close')
        sendProxyError(reply, ERRORS.payloadTooLarge, payloadTooLargeMessage(config.maxBodyBytes))
        return
      }
      // A declared length within the limit needs no counting: Node's parser ends the body there.
      if (request.body instanceof Readable && request.headers['content-length'] === undefined) request.body = passThrough(request.body, bodyLimiter(config.maxBodyBytes))
    }
    if (request.body instanceof Readable) {
      const watchers: Array<(chunk: Buffer) => void> = []
      if (isTextual(request.headers['content-type'])) {
        // Repeated by copy-as-curl only with --log-bodies; otherwise it needs just the size.
        const replay: BodyPreview = { text: '', totalBytes: 0, truncated: false }
        request.exchange.replayBody = replay
        watchers.push(cappedCollector(replay, config.logBodies ? REPLAY_BODY_BYTES : 0))
        if (config.logBodies) watchers.push(cappedCollector(request.exchange.requestBody = { text: '', totalBytes: 0, truncated: false }, PREVIEW_BYTES))
      }
      if (inspector) watchers.push(inspector.requestBody(request))
      if (watchers.length > 0) watchChunks(request.body, watchers)
    }
    done()
  }
}

function withProxiedAuthenticate (headers: ResponseHeaders, request: FastifyRequest, config: Config): ResponseHeaders {
  const value = headers['www-authenticate']
  const addresses = mcpAddresses(config, request.headers.host)
  if (value === undefined || addresses === undefined) return headers
  const values = Array.isArray(value) ? value : [String(value)]
  const proxied = values.map(single => proxiedAuthenticate(single, addresses))
  if (proxied.every(single => single === undefined)) return headers
  request.exchange.notes.push(`WWW-Authenticate's resource_metadata now names ${addresses.proxyOrigin}, so the MCP client reads the sign-in metadata through the proxy`)
  const rewritten = values.map((single, index) => proxied[index] ?? single)
  return { ...headers, 'www-authenticate': Array.isArray(value) ? rewritten : rewritten[0] }
}

function discoveryBody (request: FastifyRequest, reply: FastifyReply, response: { statusCode: number, headers: ResponseHeaders, stream: Readable }, config: Config): Readable {
  const addresses = mcpAddresses(config, request.headers.host)
  const encoded = response.headers['content-encoding'] !== undefined && response.headers['content-encoding'] !== 'identity'
  if (addresses === undefined || response.statusCode !== 200 || encoded || !isProtectedResourcePath(request.url)) return response.stream
  reply.removeHeader('content-length')
  return rewrittenBody(response.stream, text => {
    const proxied = proxiedResourceMetadata(text, addresses)
    if (proxied === undefined) return text
    request.exchange.notes.push(`the metadata's resource now names ${addresses.proxyOrigin}${addresses.mcpPrefix}, the URL the MCP client was given`)
    return proxied
  })
}

function upstreamCallFor (request: FastifyRequest, reply: FastifyReply): UpstreamCall {
  const exchange = request.exchange
  const call: UpstreamCall = {
    onDispatched: url => { exchange.upstreamUrl = url },
    onRetry: note => { exchange.notes.push(note) }
  }
  cancelWhenClientLeaves(reply, call)
  return call
}

// Not pipeline(): when the limit trips, destroying the source would destroy the client's
// socket too, and the 413 could never be sent.
function passThrough (source: Readable, through: Transform): Transform {
  source.on('error', error => through.destroy(error))
  return source.pipe(through)
}
