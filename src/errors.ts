// The one catalogue of the errors the proxy answers itself. Call sites name an entry, so a code
// cannot be misspelt or paired with another status; a code string appears nowhere else in src/.

export interface ProxyErrorEntry {
  /** Public: clients and tests match on it. */
  readonly code: `proxy/${string}`
  readonly status: number
  readonly message: string
  /** Where the status comes from elsewhere (see the entry). */
  readonly otherStatuses?: readonly number[] | 'any 4xx'
}

export const ERRORS = {
  // Also every 4xx Fastify itself refuses a body with (app.ts's error handler): a JSON body
  // over a route's bodyLimit keeps 413, a media type no parser takes keeps 415.
  badRequest: { code: 'proxy/bad-request', status: 400, message: 'the request is not valid', otherStatuses: 'any 4xx' },
  nonCanonicalPath: { code: 'proxy/non-canonical-path', status: 400, message: 'the request target is not in canonical form (a dot segment, a fragment, or an absolute-form target for another server)' },
  hostNotAllowed: { code: 'proxy/host-not-allowed', status: 403, message: 'the Host is not a loopback name and not in ALLOWED_HOSTS' },
  prodReadOnly: { code: 'proxy/prod-read-only', status: 403, message: 'prod is read-only (PROD_READ_ONLY)' },
  originNotAllowed: { code: 'proxy/origin-not-allowed', status: 403, message: 'this origin is not allowed to use the proxy (CORS_ORIGINS)' },
  missingV1Prefix: { code: 'proxy/missing-v1-prefix', status: 404, message: 'the path is outside the forwarded prefixes' },
  methodNotAllowed: { code: 'proxy/method-not-allowed', status: 405, message: 'the method is not part of the bkend API' },
  payloadTooLarge: { code: 'proxy/payload-too-large', status: 413, message: 'the request body is larger than MAX_BODY_BYTES' },
  headersTooLarge: { code: 'proxy/headers-too-large', status: 431, message: 'the request headers are too large' },
  upstreamUnreachable: { code: 'proxy/upstream-unreachable', status: 502, message: 'cannot reach the upstream' },
  upstreamTls: { code: 'proxy/upstream-tls', status: 502, message: 'TLS with the upstream failed; nothing was sent' },
  upstreamBadResponse: { code: 'proxy/upstream-bad-response', status: 502, message: 'the upstream closed the connection or sent a response that is not valid HTTP' },
  shuttingDown: { code: 'proxy/shutting-down', status: 503, message: 'the proxy is shutting down; retry in a moment' },
  upstreamTimeout: { code: 'proxy/upstream-timeout', status: 504, message: 'the upstream did not answer within UPSTREAM_TIMEOUT_MS' },
  internal: { code: 'proxy/internal', status: 500, message: 'the proxy failed on this request; the log has the details' },
  notFound: { code: 'proxy/not-found', status: 404, message: 'no such path under /__proxy/' },
  exchangeNotFound: { code: 'proxy/exchange-not-found', status: 404, message: "the exchange is not in the inspector's buffer (INSPECTOR_MAX_EXCHANGES)" },
  unsupportedMediaType: { code: 'proxy/unsupported-media-type', status: 415, message: 'send the body as JSON (Content-Type: application/json)' },
  // Also 503 when the proxy has no TCP address to send the replay through.
  replayUnavailable: { code: 'proxy/replay-unavailable', status: 409, message: 'the exchange cannot be replayed', otherStatuses: [503] },
  replayNeedsConfirmation: { code: 'proxy/replay-needs-confirmation', status: 409, message: 'this replay sends a refresh token again; send {"confirm": true} to replay it anyway' },
  configInvalid: { code: 'proxy/config-invalid', status: 409, message: 'the configuration as its sources say now is not valid; nothing was sent' },
  replayFailed: { code: 'proxy/replay-failed', status: 502, message: 'the replayed request failed before an answer' },
  replayBusy: { code: 'proxy/replay-busy', status: 429, message: 'as many replays as the inspector runs at once are running; retry when one has finished' },
  moved: { code: 'proxy/moved', status: 404, message: 'the inspector and its API are on their own port (INSPECTOR_PORT), not on the proxy port' }
} as const satisfies Record<string, ProxyErrorEntry>

export type ProxyErrorName = keyof typeof ERRORS

export interface ProxyErrorBody {
  success: false
  error: { code: string, message: string }
}

/** bkend's error shape for one catalogue entry. */
export function proxyErrorBody (entry: ProxyErrorEntry, message: string = entry.message): ProxyErrorBody {
  return { success: false, error: { code: entry.code, message } }
}

/** The status to send: `wanted` when the entry allows it, its own status otherwise. */
export function statusOf (entry: ProxyErrorEntry, wanted?: number): number {
  if (wanted === undefined || wanted === entry.status) return entry.status
  const others = entry.otherStatuses
  const allowed = others === 'any 4xx' ? wanted >= 400 && wanted < 500 : others?.includes(wanted) === true
  return allowed ? wanted : entry.status
}

export function prodReadOnlyMessage (method: string): string {
  return `prod is the active environment and PROD_READ_ONLY is on (the default), so ${method} is refused and nothing was sent upstream. To write to prod on purpose, set PROD_READ_ONLY=false (--no-prod-read-only, or "prodReadOnly": false in the config file); to work on another environment, POST {"environment": "dev"} to /__proxy/api/environment on the inspector's port (INSPECTOR_PORT, 8788 by default) or set BKEND_ENVIRONMENT in .env.`
}
