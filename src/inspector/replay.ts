// POST /__proxy/api/exchanges/:id/replay sends a stored request again, through the proxy,
// with the configuration as its sources say now (so a key fixed in .env takes effect).
//
// What is sent: the client's own request as it arrived (its headers before injection, and
// its body), not what went upstream, so the current key, project and environment are
// injected afresh. Those raw parts are kept in memory beside the redacted copy the API
// shows (stored-exchange.ts), and never leave the process except in this request.
//
// How: over a loopback HTTP request to the proxy port (never the inspector's), so the
// replay passes every check a client request passes, appears in the log and the list
// like one, and is exactly one request: a replayed request that names the inspector's
// API meets the proxy port's 404, not another replay. When the
// configuration re-read from its sources equals the running one, that is this proxy;
// when it differs, a second app built from the new configuration (sharing this
// inspector) listens on 127.0.0.1:0 for the one request and is closed afterwards.
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { isDeepStrictEqual } from 'node:util'
import type { Config } from '../config/settings.js'
import { hopByHopNames } from '../forward/hop-by-hop.js'
import type { ReplayLinks } from './replay-links.js'
import { isTruncated } from './captured-body.js'
import { RAW, type StoredExchange } from './stored-exchange.js'
import { ERRORS, type ProxyErrorEntry } from '../errors.js'
import { MAX_CONCURRENT_REPLAYS, type ReplaySlots } from './replay-slots.js'

/** A listening proxy the replay can go through, and how to let it go afterwards. */
export interface ReplayTarget { address: AddressInfo, release: () => Promise<void> }

export interface ReplayDeps {
  links: ReplayLinks
  runningConfig: () => Config
  /** The configuration as its sources say now; absent: the running one. May throw. */
  rereadConfig?: () => Config
  /** The proxy port's address, or null when it does not listen. */
  proxyAddress: () => AddressInfo | string | null
  /** Builds and starts a proxy with another configuration. */
  startProxy: (config: Config) => Promise<ReplayTarget>
  /** Every replay request in flight, so closing the app can end them. */
  inFlight: Set<http.ClientRequest>
  /** The bound on replays running at once. */
  slots: ReplaySlots
}

export type ReplayOutcome =
  | { ok: true, id: number, status: number, replayOf: number, configuration: 'running' | 're-read', changed: string[] }
  | { ok: false, error: ProxyErrorEntry, status?: number, message: string }

/** How long a replayed response (an SSE stream, say) may run before the replay lets go of it. */
export const REPLAY_MAX_MS = 30000

/**
 * Why a replay must be confirmed, if it must: a refresh token is good for one use. bkend
 * rotates it on every refresh, and when a used one comes back it ends every session of the user.
 */
export function confirmationNeeded (entry: StoredExchange, apiPrefix: string): string | undefined {
  const { method, url } = entry[RAW].exchange
  if (method !== 'POST' || url.split('?', 1)[0] !== `${apiPrefix}/auth/refresh`) return undefined
  return `replaying #${entry.id} (POST ${apiPrefix}/auth/refresh) sends its refresh token again: bkend rotates refresh tokens, and when a used one comes back it ends every session of that user (every device must sign in again). To replay it anyway, send {"confirm": true}`
}

/** Whether a replay's JSON body says {"confirm": true}; anything else (or no JSON) does not confirm. */
export function confirmedIn (body: string): boolean {
  try {
    return (JSON.parse(body) as { confirm?: unknown } | null)?.confirm === true
  } catch {
    return false
  }
}

export async function replayExchange (entry: StoredExchange, deps: ReplayDeps, options: { confirmed?: boolean } = {}): Promise<ReplayOutcome> {
  const release = deps.slots.take()
  if (release === undefined) return { ok: false, error: ERRORS.replayBusy, message: `${MAX_CONCURRENT_REPLAYS} replays are running (each until its response has ended, at most ${REPLAY_MAX_MS / 1000} s); retry #${entry.id} when one has finished` }
  const outcome = await replayWithin(entry, deps, release, options)
  if (!outcome.ok) release()
  return outcome
}

// Holds the slot until the replayed request closes; on a failure the caller releases it.
async function replayWithin (entry: StoredExchange, deps: ReplayDeps, release: () => void, options: { confirmed?: boolean }): Promise<ReplayOutcome> {
  const { clientHeaders, requestBody, exchange } = entry[RAW]
  const unconfirmed = options.confirmed === true ? undefined : confirmationNeeded(entry, deps.runningConfig().apiPrefix)
  if (unconfirmed !== undefined) return { ok: false, error: ERRORS.replayNeedsConfirmation, message: unconfirmed }
  const declared = Number(clientHeaders['content-length'] ?? 0) > 0 || clientHeaders['transfer-encoding'] !== undefined
  if ((requestBody === undefined && declared) || (requestBody !== undefined && isTruncated(requestBody))) {
    const size = requestBody?.totalBytes ?? clientHeaders['content-length'] ?? 'unknown'
    return { ok: false, error: ERRORS.replayUnavailable, message: `exchange #${entry.id} cannot be replayed: its request body (${size} bytes) was not kept whole (INSPECTOR_MAX_BODY_BYTES, or the proxy refused it before reading it)` }
  }
  const running = deps.runningConfig()
  let config = running
  try {
    if (deps.rereadConfig) config = deps.rereadConfig()
  } catch (error) {
    return { ok: false, error: ERRORS.configInvalid, message: `the configuration as its sources say now is not valid, so nothing was replayed: ${(error as Error).message}` }
  }
  const changed = Object.keys(config).filter(key => !isDeepStrictEqual(config[key as keyof Config], running[key as keyof Config]))
  let target: ReplayTarget
  if (changed.length === 0) {
    const address = deps.proxyAddress()
    if (address === null || typeof address === 'string') return { ok: false, error: ERRORS.replayUnavailable, status: 503, message: 'the proxy is not listening on a TCP port, so it cannot send a request through itself' }
    target = { address, release: async () => {} }
  } else {
    target = await deps.startProxy(config)
  }
  const headers: Record<string, string | string[]> = {}
  const drop = hopByHopNames(clientHeaders.connection)
  for (const [name, value] of Object.entries(clientHeaders)) {
    if (value === undefined || drop.has(name) || name === 'content-length' || name === 'expect') continue
    headers[name] = value
  }
  const body = requestBody?.bytes
  if (body !== undefined && body.length > 0) headers['content-length'] = String(body.length)
  try {
    const sent = await send(target, { method: exchange.method, path: exchange.url, headers, body }, entry.id, deps, release)
    return { ok: true, ...sent, replayOf: entry.id, configuration: changed.length === 0 ? 'running' : 're-read', changed }
  } catch (error) {
    await target.release()
    return { ok: false, error: ERRORS.replayFailed, message: `the replay of #${entry.id} failed: ${(error as Error).message}` }
  }
}

interface ReplayRequest { method: string, path: string, headers: Record<string, string | string[]>, body: Buffer | undefined }

// Answers once the response headers are here and the new exchange has an id; the body is
// read on in the background (and let go after REPLAY_MAX_MS), then the target released.
async function send (target: ReplayTarget, replay: ReplayRequest, originalId: number, deps: ReplayDeps, release: () => void): Promise<{ id: number, status: number }> {
  const bound = target.address.address
  const host = bound === '0.0.0.0' ? '127.0.0.1' : bound === '::' ? '::1' : bound
  const socket = net.connect({ port: target.address.port, host })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  let linkedId: (id: number) => void = () => {}
  const linked = new Promise<number>(resolve => { linkedId = resolve })
  const forget = deps.links.expect({ port: socket.localPort!, address: socket.localAddress! }, originalId, id => linkedId(id))
  const request = http.request({ createConnection: () => socket, method: replay.method, path: replay.path, headers: replay.headers, setHost: false })
  request.on('error', () => {}) // after the answer, a cut (timer, closing) is the exchange's story, not ours
  deps.inFlight.add(request)
  const timer = setTimeout(() => request.destroy(), REPLAY_MAX_MS)
  const done = (): void => {
    clearTimeout(timer)
    forget()
    deps.inFlight.delete(request)
    release()
    void target.release()
  }
  request.once('close', done)
  const status = await new Promise<number>((resolve, reject) => {
    request.once('response', response => {
      response.on('error', () => {}) // cut by the timer or by closing: the exchange says so
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    request.once('error', reject)
    request.end(replay.body)
  })
  const id = await Promise.race([linked, new Promise<number>((_resolve, reject) => setTimeout(() => reject(new Error('the replayed exchange was not recorded in time')), REPLAY_MAX_MS).unref())])
  return { id, status }
}
