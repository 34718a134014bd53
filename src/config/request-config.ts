// The configuration each request runs on, taken when it arrives and kept to its end. A request
// decorator, not a WeakMap: a WeakMap entry per request makes every young-generation GC walk it.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from './settings.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Read through configOf() and snapshotOf() only. */
    configSnapshot: Config | null
  }
}

export function snapshotConfig (request: FastifyRequest, runningConfig: () => Config): void {
  request.configSnapshot = runningConfig()
}

/** The request's configuration, or `fallback` for a request that has none (refused before any hook). */
export function configOf (request: FastifyRequest, fallback: Config): Config {
  return request.configSnapshot ?? fallback
}

export function snapshotOf (request: FastifyRequest): Config | undefined {
  return request.configSnapshot ?? undefined
}

/** Registered first, so every later hook and route reads the same snapshot. */
export const requestConfig = fp(async function requestConfig (app: FastifyInstance, options: { runningConfig: () => Config }) {
  app.decorateRequest('configSnapshot', null)
  app.addHook('onRequest', (request, _reply, done) => {
    snapshotConfig(request, options.runningConfig)
    done()
  })
})
