// Passes undici's per-request progress (written, body sent, answer begun) to an observer on the
// request options, one per attempt: agent.request()'s callback hears only of headers or failure.
// Checked against undici 7.30.2, whose handler API (onRequestStart…) has neither moment: these are
// the older API's hooks, still called on agent.request()'s handler (onConnect, onResponseStarted,
// the untyped onRequestSent). The body's 'end' (nodejs/undici#2723) never comes for a body undici
// does not read. test/request-progress.test.ts fails if undici stops calling them.
import { Agent, type Dispatcher } from 'undici'

export const kRequestProgress = Symbol('bkend-dev-proxy.request-progress')

export interface RequestProgress {
  /** The request has its socket; its head is written next. */
  onWriting: () => void
  onSent: () => void
  /** undici's parser began reading a response to this request (its first byte arrived). */
  onAnswerStarted: () => void
}

export type ProgressOptions = Agent.DispatchOptions & { [kRequestProgress]?: RequestProgress }

interface CallbackHandler extends Dispatcher.DispatchHandler {
  onRequestSent?: () => void
}

export class ProgressAgent extends Agent {
  override dispatch (options: ProgressOptions, handler: CallbackHandler): boolean {
    const progress = options[kRequestProgress]
    // Only agent.request()'s callback handler; undici wraps a newer-API handler itself.
    if (progress === undefined || handler.onRequestStart !== undefined) return super.dispatch(options, handler)
    return super.dispatch(options, new ObservedHandler(handler, progress))
  }
}

type Args<K extends keyof CallbackHandler> = Parameters<NonNullable<CallbackHandler[K]>>

class ObservedHandler implements CallbackHandler {
  // Let go once the request is over: undici may hold a finished request and its handler a while.
  private progress: RequestProgress | undefined

  constructor (private readonly handler: CallbackHandler, progress: RequestProgress) {
    this.progress = progress
  }

  onConnect (...args: Args<'onConnect'>): void {
    this.progress?.onWriting()
    this.handler.onConnect!(...args)
  }

  onRequestSent (): void {
    this.progress?.onSent()
    this.handler.onRequestSent?.()
  }

  onResponseStarted (): void {
    this.progress?.onAnswerStarted()
    this.handler.onResponseStarted?.()
  }

  onBodySent (...args: Args<'onBodySent'>): void { this.handler.onBodySent?.(...args) }

  onHeaders (...args: Args<'onHeaders'>): boolean {
    if (args[0] >= 200) this.progress = undefined
    return this.handler.onHeaders!(...args)
  }

  onUpgrade (...args: Args<'onUpgrade'>): void {
    this.progress = undefined
    this.handler.onUpgrade!(...args)
  }

  // Once per body chunk: no rest array.
  onData (chunk: Buffer): boolean { return this.handler.onData!(chunk) }

  onComplete (...args: Args<'onComplete'>): void { this.handler.onComplete!(...args) }

  onError (...args: Args<'onError'>): void {
    this.progress = undefined
    this.handler.onError!(...args)
  }
}
