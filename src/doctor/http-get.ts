// One GET through the proxy's dispatcher (same TLS trust, same connect rules), bounded
// in time and in how much of the body it keeps.
import type { Readable } from 'node:stream'
import type { UpstreamDispatcher } from '../forward/upstream-dispatcher.js'

export type HttpOutcome =
  | { kind: 'answer', status: number, headers: Record<string, string | string[] | undefined>, body: string }
  | { kind: 'error', error: unknown }

const KEPT_BODY_BYTES = 4096

export function httpGet (dispatcher: UpstreamDispatcher, url: string, headers: Record<string, string>, timeoutMs: number, options: { readBody?: boolean } = {}): Promise<HttpOutcome> {
  const target = new URL(url)
  return new Promise(resolve => {
    let settled = false
    const finish = (outcome: HttpOutcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(outcome)
    }
    // The dispatcher bounds connect + headers; this also bounds a body that trickles.
    const timer = setTimeout(() => finish({ kind: 'error', error: Object.assign(new Error(`no complete answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }) }), timeoutMs + 500)
    dispatcher.request({ origin: target.origin, path: target.pathname + target.search, method: 'GET', headers: { ...headers } }, (error, data) => {
      if (error || !data) {
        finish({ kind: 'error', error })
        return
      }
      const body = data.body as unknown as Readable
      const answer = (text: string): void => finish({ kind: 'answer', status: data.statusCode, headers: data.headers as Record<string, string | string[] | undefined>, body: text })
      if (options.readBody === false) {
        body.destroy()
        answer('')
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      body.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        size += chunk.length
        if (size >= KEPT_BODY_BYTES) body.destroy()
      })
      body.on('error', () => answer(Buffer.concat(chunks).toString('utf8').slice(0, KEPT_BODY_BYTES)))
      body.on('close', () => answer(Buffer.concat(chunks).toString('utf8').slice(0, KEPT_BODY_BYTES)))
    })
  })
}
