// What forwarding offers a watcher of bodies (the inspector): each call returns a watcher
// for the chunks of one body, so copies are taken as the bytes stream by.
import type { FastifyRequest } from 'fastify'
import type { HeaderBag } from '../log/exchange.js'
import type { SseEvent } from '../log/sse-events.js'

export interface BodyTaps {
  requestBody: (request: FastifyRequest) => (chunk: Buffer) => void
  upstreamResponse: (request: FastifyRequest, status: number, headers: HeaderBag) => (chunk: Buffer) => void
  /** For an event stream, after upstreamResponse: hears each event the log's parser reads. */
  streamEvent: (request: FastifyRequest) => ((event: SseEvent) => void) | undefined
}
