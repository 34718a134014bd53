import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import type { Config } from '../config/settings.js'
import type { Fault } from '../config/fault-setting.js'
import { configOf } from '../config/request-config.js'
import { isForwardedPath } from '../guard/missing-prefix.js'
import { addResponseCorsHeaders, isUpstreamCorsHeader } from '../cors/response-cors.js'
import { ERRORS } from '../errors.js'
import { sendProxyError } from '../reply-error.js'
import { matchesBody, matchesHead, needsBody } from './request-match.js'
import type { RequestMatch } from '../config/simulation-match.js'
import { holdBody } from './request-body.js'
import { mockAnswer } from './mock-answer.js'
import { bkendErrorAnswer, statusAnswer, type SimulatedAnswer } from './bkend-error-answer.js'
import { randomFor } from './seeded-random.js'
import { createRateLimitWindows } from './rate-limit-window.js'
import { tokenOutlived } from './token-lifetime.js'
import { cutMidway } from './stream-cut.js'
import type { FaultSwitch } from './fault-switch.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** What the faults add to the answer that goes out: rate-limit headers, a cut. */
    simulation: { headers?: Record<string, string>, cut?: true } | null
  }
}

export interface SimulateOptions {
  config: Config
  faultSwitch: FaultSwitch
}

export const simulate = fp(async function simulate (app: FastifyInstance, options: SimulateOptions) {
  const randomOf = randomFor()
  const windows = createRateLimitWindows()
  // Uses of each mock with "times", by entry: a reload that keeps an entry keeps its count.
  const used = new Map<string, number>()
  app.decorateRequest('simulation', null)

  // preHandler: after every guard (onRequest), and once the body can be read.
  app.addHook('preHandler', (request, reply, done) => {
    const config = configOf(request, options.config)
    const faults = options.faultSwitch.active(config)
    if ((faults.length === 0 && config.mocks.length === 0) || !isForwardedPath(request.url, config)) return done()
    simulateRequest(request, reply, config, faults).then(answered => { if (!answered) done() }, done)
  })

  app.addHook('onSend', (request, reply, payload, done) => {
    const simulation = request.simulation
    if (simulation === null) return done(null, payload)
    if (simulation.headers !== undefined) {
      reply.headers(simulation.headers)
      if (request.headers.origin !== undefined) exposeToo(reply, Object.keys(simulation.headers))
    }
    if (simulation.cut !== true) return done(null, payload)
    const declared = Number(reply.getHeader('content-length'))
    done(null, cutMidway(payload, Number.isInteger(declared) && declared > 0 ? declared : undefined))
  })

  async function simulateRequest (request: FastifyRequest, reply: FastifyReply, config: Config, faults: readonly Fault[]): Promise<boolean> {
    let body: Promise<string | undefined> | undefined
    const matches = async (match: RequestMatch): Promise<boolean> =>
      matchesHead(match, request) && (!needsBody(match) || matchesBody(match, await (body ??= bodyText(request))))
    const random = randomOf(config.faultSeed)
    for (const [index, fault] of faults.entries()) {
      if (!await matches(fault.match)) continue
      if (fault.tokenLifetimeS !== undefined && tokenOutlived(request.headers.authorization, fault.tokenLifetimeS, Date.now())) {
        return answer(request, reply, 'fault', bkendErrorAnswer('auth/access-token-expired'), `a fault answered: the user token was issued more than ${fault.tokenLifetimeS} s ago (tokenLifetimeS)`)
      }
      if (fault.rateLimit !== undefined) {
        const outcome = windows.take(keyOf(fault, index), fault.rateLimit, Date.now())
        const simulation = request.simulation ??= {}
        simulation.headers = { ...simulation.headers, ...outcome.headers }
        if (!outcome.allowed) return answer(request, reply, 'fault', bkendErrorAnswer('data/rate-limit-exceeded'), `a fault answered: over the rate limit of ${fault.rateLimit.limit} requests per ${fault.rateLimit.windowS} s`)
      }
      if (fault.latencyMs !== undefined) {
        const [min, max] = fault.latencyMs
        const ms = Math.round(min + random() * (max - min))
        request.exchange.notes.push(`a fault delayed this request by ${ms} ms (latencyMs)`)
        await delay(ms)
        if (clientLeft(request, reply)) return true
      }
      if (fault.error !== undefined && random() < fault.rate && await fail(request, reply, config, fault.error)) return true
    }
    for (const [index, mock] of config.mocks.entries()) {
      if (!await matches(mock.match)) continue
      const key = keyOf(mock, index)
      const count = used.get(key) ?? 0
      if (mock.times !== undefined) {
        if (count >= mock.times) continue
        used.set(key, count + 1)
      }
      const made = await mockAnswer(mock.respond)
      if (mock.delayMs > 0) await delay(mock.delayMs)
      if (clientLeft(request, reply)) return true
      return answer(request, reply, 'mock', made, `answered by mocks entry ${index}`)
    }
    return false
  }

  /** Makes a fault's error happen; false for a cut, which lets the answer start first. */
  async function fail (request: FastifyRequest, reply: FastifyReply, config: Config, error: Fault['error']): Promise<boolean> {
    if (error === 'cut') {
      request.exchange.notes.push('a fault cuts the response midway ("error": "cut")')
      ;(request.simulation ??= {}).cut = true
      return false
    }
    if (error === 'reset') {
      request.exchange.simulatedBy = 'fault'
      request.exchange.notes.push('a fault closed the connection without an answer ("error": "reset")')
      reply.hijack()
      const socket = request.clientSocket ?? request.raw.socket
      socket.resetAndDestroy()
      return true
    }
    if (error === 'timeout') {
      request.exchange.simulatedBy = 'fault'
      request.exchange.notes.push('a fault held the request without an answer ("error": "timeout")')
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, config.upstreamTimeoutMs)
        reply.raw.once('close', () => { clearTimeout(timer); resolve() })
      })
      if (clientLeft(request, reply)) return true
      sendProxyError(reply, ERRORS.upstreamTimeout, `no answer within UPSTREAM_TIMEOUT_MS (${config.upstreamTimeoutMs} ms): a fault held the request ("error": "timeout")`)
      return true
    }
    const made = typeof error === 'number' ? statusAnswer(error) : bkendErrorAnswer(error!)
    return answer(request, reply, 'fault', made, `a fault answered ${made.status} ("error": ${JSON.stringify(error)})`)
  }
})

function answer (request: FastifyRequest, reply: FastifyReply, by: 'mock' | 'fault', made: SimulatedAnswer, note: string): true {
  request.exchange.simulatedBy = by
  request.exchange.notes.push(note)
  // CORS is the proxy's decision alone, as for forwarded answers.
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(made.headers)) if (!isUpstreamCorsHeader(name)) headers[name] = value
  if (request.headers.origin !== undefined) addResponseCorsHeaders(headers)
  reply.code(made.status).headers(headers).send(made.body)
  return true
}

/** The request body as text (undefined when too long to hold); the body still goes upstream whole. */
async function bodyText (request: FastifyRequest): Promise<string | undefined> {
  if (!(request.body instanceof Readable)) return typeof request.body === 'string' ? request.body : ''
  const held = await holdBody(request.body)
  request.body = held.stream
  return held.text
}

/** A client gone while waiting: nothing is sent, and the exchange is logged as it left. */
function clientLeft (request: FastifyRequest, reply: FastifyReply): boolean {
  if (!reply.raw.destroyed && request.clientSocket?.destroyed !== true) return false
  reply.hijack()
  return true
}

function exposeToo (reply: FastifyReply, names: string[]): void {
  const exposed = reply.getHeader('access-control-expose-headers')
  const listed = typeof exposed === 'string' ? exposed.split(',').map(name => name.trim()).filter(Boolean) : []
  reply.header('access-control-expose-headers', [...new Set([...listed, ...names])].join(', '))
}

const keys = new WeakMap<object, string>()
/** A mock's or fault's identity across reloads: its place and its content. */
function keyOf (entry: object, index: number): string {
  let key = keys.get(entry)
  if (key === undefined) keys.set(entry, key = `${index} ${JSON.stringify(entry)}`)
  return key
}

function delay (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}
