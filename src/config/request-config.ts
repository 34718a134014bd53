// The configuration each request runs on: the one current when it arrived (live-config.ts),
// kept for the request's whole life, so a switch of environment or a reloaded .env never
// gives one request the key of one profile and the URL of another. It is kept beside the
// request, not copied onto the exchange record: the code that needs a setting asks for
// the request's configuration here. (A request decorator, not a WeakMap: a WeakMap entry
// per request made every young-generation collection walk its ephemeron table.)
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from './settings.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Read through configOf() and snapshotOf() only. */
    configSnapshot: Config | null
  }
}

/** Takes the request's snapshot; the hook below does it for every request a hook sees. */
export function snapshotConfig (request: FastifyRequest, runningConfig: () => Config): void {
  request.configSnapshot = runningConfig()
}

/** The request's configuration, or `fallback` for a request that has none (refused before any hook). */
export function configOf (request: FastifyRequest, fallback: Config): Config {
  return request.configSnapshot ?? fallback
}

/** The request's configuration, if it took one. */
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
