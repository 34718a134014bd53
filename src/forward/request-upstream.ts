// Where one request goes and what it carries, from the configuration snapshot it took on arrival,
// whatever is switched or reloaded meanwhile. http-proxy is registered once per prefix: getUpstream
// picks each request's origin, and the handler swaps the path when a profile's URL has another.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config/settings.js'
import { configuredHeaders } from './upstream-headers.js'
import { configOf } from '../config/request-config.js'

// Configurations are frozen and replaced whole, so each list is built once per configuration.
const injectables = { api: new WeakMap<Config, Array<[string, string]>>(), mcp: new WeakMap<Config, Array<[string, string]>>() }

export function injectableFor (config: Config, route: 'api' | 'mcp' = 'api'): Array<[string, string]> {
  let headers = injectables[route].get(config)
  if (headers === undefined) injectables[route].set(config, headers = configuredHeaders(config, route))
  return headers
}

type ReplyFrom = (this: void, request: FastifyRequest, reply: FastifyReply, dest: string, options: unknown) => unknown

export function upstreamPerRequest (upstreamOf: (config: Config) => string, fallback: Config): { getUpstream: (request: FastifyRequest) => string, handler: ReplyFrom } {
  const parsed = new WeakMap<Config, { origin: string, path: string }>()
  const upstream = (config: Config): { origin: string, path: string } => {
    let found = parsed.get(config)
    if (found === undefined) {
      const url = new URL(upstreamOf(config))
      parsed.set(config, found = { origin: url.origin, path: url.pathname.replace(/\/$/, '') })
    }
    return found
  }
  const registeredPath = upstream(fallback).path
  return {
    getUpstream: request => upstream(configOf(request, fallback)).origin,
    handler: (request, reply, dest, options) => {
      const path = upstream(configOf(request, fallback)).path
      // With an MCP URL without a path, http-proxy turns /mcp?x=1 into the empty path, and
      // reply.from('') falls back to the client's own URL (/mcp?x=1). The empty path is the root.
      return reply.from((path === registeredPath ? dest : rebase(dest, registeredPath, path)) || '/', options as never)
    }
  }
}

function rebase (dest: string, registeredPath: string, path: string): string {
  return path + dest.slice(registeredPath.length)
}
