// The authenticated probe (DOCTOR_PROBE_PATH) and what its answer says about the key, project
// and environment, read through the same hint table the proxy's log uses.
import { configuredHeaders } from '../forward/upstream-headers.js'
import { bkendErrorCode, hintsFor } from '../diagnose/hints.js'
import { bkendCode } from '../diagnose/bkend-codes.js'
import { configuredAuthScheme } from '../diagnose/auth-scheme.js'
import { rootErrorCode } from '../forward/upstream-failure.js'
import type { Config } from '../config/settings.js'
import { rateLimitOf } from '../log/rate-limit.js'
import { httpGet, type HttpOutcome } from './http-get.js'
import { connectionFix } from './connection.js'
import { fail, pass, skip, type DoctorContext, type StepResult } from './step.js'

export async function checkAuth (context: DoctorContext): Promise<StepResult> {
  const headers = Object.fromEntries(configuredHeaders(context.config))
  context.probe = await httpGet(context.dispatcher, context.config.apiUrl + context.config.doctorProbePath, headers, context.stepTimeoutMs)
  return interpretProbe(context.probe, context.config)
}

/** Pure: the probe's outcome → the auth step. */
export function interpretProbe (outcome: HttpOutcome, config: Config): StepResult {
  const request = `GET ${config.doctorProbePath}`
  if (outcome.kind === 'error') {
    const { code, message } = rootErrorCode(outcome.error)
    return fail('auth', `${request} got no answer (${code || message})`, connectionFix(code))
  }
  const code = bkendErrorCode(outcome.body)
  const answered = `${request} answered ${outcome.status}${code ? ` ${code}` : ''}`
  // Today's scheme: the key alone carries the project and environment.
  const accepted = configuredAuthScheme(config) === 'api-key' ? 'the key was accepted (it carries the project and environment)' : 'key, project and environment accepted'
  if (outcome.status >= 200 && outcome.status < 300) return pass('auth', `${answered}: ${accepted}`)
  // The table lookup comes after authentication: the credentials were accepted.
  if (code === 'data/table-not-found' || code === 'TABLE_NOT_FOUND') {
    return pass('auth', `${answered}: ${accepted} (the probe's table does not exist; set DOCTOR_PROBE_PATH to a one-record read of one of your tables, e.g. /v1/data/<table>?limit=1, for a full read)`)
  }
  const fix = fixFor(outcome, code, config)
  // Without a known fix, the answer itself is the lead: show what bkend said.
  if (fix === undefined) return fail('auth', `${answered}${saidIn(outcome.body)}`, 'no known fix for this answer: bkend\'s message is the lead; the proxy log\'s copy-as-curl command repeats the request')
  if (bkendCode(code)?.keyAccepted === true) return fail('auth', `${answered}: the key was accepted, but this read was refused`, fix)
  return fail('auth', answered, fix)
}

const SHOWN_MESSAGE_CHARS = 200

/** Pure: `: "<bkend's message>"` (error.message, or the start of a body that is not bkend's), or ''. */
export function saidIn (body: string): string {
  let message: unknown
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown }, message?: unknown }
    message = typeof parsed.error === 'object' && parsed.error !== null ? parsed.error.message : parsed.message
  } catch {
    message = body
  }
  const text = typeof message === 'string' ? message.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim() : ''
  if (text === '') return ''
  return `: "${text.length > SHOWN_MESSAGE_CHARS ? `${text.slice(0, SHOWN_MESSAGE_CHARS)}…` : text}"`
}

export function checkEnvironment (context: DoctorContext): StepResult {
  return interpretEnvironment(context.probe, context.config)
}

/**
 * Pure: whether the upstream accepted the environment: the configured X-Environment in the
 * original scheme, the key's own in today's (the active profile's name goes nowhere there).
 */
export function interpretEnvironment (outcome: HttpOutcome | undefined, config: Config): StepResult {
  const keyed = configuredAuthScheme(config) === 'api-key'
  const configured = keyed ? 'the key\'s environment' : `X-Environment: ${config.environment}`
  if (outcome === undefined || outcome.kind === 'error') return skip('environment', `${configured} not verified: the authenticated request got no answer`)
  const code = bkendErrorCode(outcome.body)
  if (code === 'data/environment-not-found' || code === 'ENVIRONMENT_NOT_FOUND') return fail('environment', `${configured} was refused (${outcome.status} ${code})`, fixFor(outcome, code, config)!)
  if ((outcome.status >= 200 && outcome.status < 300) || bkendCode(code)?.keyAccepted === true) {
    return pass('environment', keyed ? `the key's environment exists (the key chooses it; the active profile is ${config.environment})` : `${configured} accepted by the API`)
  }
  return skip('environment', `${configured} not verified: the authenticated request failed first (see auth)`)
}

function fixFor (outcome: Extract<HttpOutcome, { kind: 'answer' }>, code: string | undefined, config: Config): string | undefined {
  const retryAfterS = rateLimitOf(outcome.headers)?.retryAfterS
  const [hint] = hintsFor({
    method: 'GET',
    url: config.doctorProbePath,
    status: outcome.status,
    answeredBy: 'upstream',
    errorCode: code,
    retryAfter: retryAfterS === undefined ? undefined : String(retryAfterS),
    durationMs: 0,
    responseBytes: 0,
    settings: config,
    injected: configuredHeaders(config).map(([name]) => name)
  })
  if (hint) return hint.text
  if (outcome.status === 404) return `nothing at ${config.apiUrl}${config.doctorProbePath}: check BKEND_API_URL and DOCTOR_PROBE_PATH`
  return undefined
}
