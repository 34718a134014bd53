// The HTTP level of the fake upstream: a real server on 127.0.0.1 (http, or https with
// a test/fixtures certificate) that records every request it receives and answers as
// JSON (or as a handler says). Tests assert on both sides of the proxy.
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { LOCALHOST_CERT, LOCALHOST_KEY, OTHER_CERT, OTHER_KEY } from './tls-fixtures.js'

export interface ReceivedRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  rawHeaders: string[]
  body: string
}

export type FakeHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void

export interface FakeApi {
  url: string
  port: number
  received: ReceivedRequest[]
  /** SNI names seen in TLS handshakes (https only). */
  serverNames: string[]
  /** Requests whose headers arrived, including ones still streaming. */
  started: number
  /** Requests whose connection closed before the response finished. */
  abortedResponses: number
  server: http.Server
  close: () => Promise<void>
}

interface Teardown { teardown: (fn: () => unknown) => void }

export interface FakeApiOptions {
  tls?: 'localhost' | 'other'
  handler?: FakeHandler
  /** A fixed port, to bring an upstream up where the proxy saw a closed one; 0 by default. */
  port?: number
}

/** Echoes method, url, headers and body as JSON unless a handler is given. */
export async function startFakeApi (t: Teardown, options: FakeApiOptions = {}): Promise<FakeApi> {
  const received: ReceivedRequest[] = []
  const serverNames: string[] = []
  const handler = options.handler ?? echo
  const api = { received, serverNames, started: 0, abortedResponses: 0 } as FakeApi
  const listener: http.RequestListener = (req, res) => {
    api.started++
    res.on('close', () => { if (!res.writableFinished) api.abortedResponses++ })
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body })
      handler(req, res, body)
    })
    req.on('error', () => {})
  }
  const server = options.tls
    ? https.createServer({ cert: options.tls === 'localhost' ? LOCALHOST_CERT : OTHER_CERT, key: options.tls === 'localhost' ? LOCALHOST_KEY : OTHER_KEY }, listener)
    : http.createServer(listener)
  if (options.tls) {
    server.on('secureConnection', (socket: TLSSocket) => { serverNames.push(String((socket as TLSSocket & { servername?: string }).servername)) })
  }
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(options.port ?? 0, '127.0.0.1', resolve) })
  const port = (server.address() as AddressInfo).port
  api.port = port
  api.url = `${options.tls ? 'https' : 'http'}://${options.tls ? 'localhost' : '127.0.0.1'}:${port}`
  api.server = server
  api.close = () => new Promise(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  t.teardown(() => api.close())
  return api
}

export const echo: FakeHandler = (req, res, body) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }))
}

/** A bkend-shaped JSON reply. */
export function bkendReply (status: number, body: unknown, headers: Record<string, string> = {}): FakeHandler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }
}

/** Sends the head and one event, then never finishes the response. */
export const endlessStream: FakeHandler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  res.write('data: 1\n\n')
}
