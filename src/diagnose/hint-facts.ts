// What a hint is chosen from: one exchange as the log records it, and the settings it ran with.
import type { Config } from '../config/settings.js'

export type HintSettings = Pick<Config, 'apiKey' | 'environment' | 'apiPrefix' | 'projectId'> & Partial<Pick<Config, 'watch' | 'authScheme' | 'headerPolicy'>>

export interface HintFacts {
  method: string
  /** Path and query as the client sent them. */
  url: string
  status: number
  answeredBy: 'upstream' | 'proxy' | 'mock' | 'fault'
  /** bkend's `error.code` from the response body, or the proxy's own `proxy/...` code. */
  errorCode?: string
  retryAfter?: string
  origin?: string
  /** The Authorization, X-API-Key and X-Environment the client sent, before injection. */
  clientAuthorization?: string
  clientApiKey?: string
  clientEnvironment?: string
  /** The headers the proxy set on the upstream request; absent when nothing was forwarded. */
  injected?: readonly string[]
  durationMs: number
  responseBytes: number
  /** Absent when the exchange never reached a forwarding route. */
  settings?: HintSettings
}
