// Pure: upstream response headers → the headers the browser gets: hop-by-hop fields
// dropped here, the CORS part decided by the CORS room (src/cors/response-cors.ts).
import { hopByHopNames } from './hop-by-hop.js'
import { addResponseCorsHeaders, isUpstreamCorsHeader } from '../cors/response-cors.js'

export type ResponseHeaders = Record<string, string | string[] | undefined>

export function buildClientResponseHeaders (upstream: ResponseHeaders, context: { cors: boolean }): ResponseHeaders {
  const drop = hopByHopNames(upstream.connection)
  const headers: ResponseHeaders = {}
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || drop.has(name) || isUpstreamCorsHeader(name)) continue
    headers[name] = value
  }
  if (context.cors) addResponseCorsHeaders(headers)
  return headers
}
