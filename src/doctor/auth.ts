// The authenticated request (DOCTOR_PROBE_PATH, a one-record read by default) and what
// its answer says about the key, the project and the environment. bkend's error codes
// are read through the same hint table the proxy's log uses.
import { configuredHeaders } from '../forward/upstream-headers.js'
import { bkendErrorCode, hintsFor } from '../diagnose/hints.js'
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
  if (outcome.status >= 200 && outcome.status < 300) return pass('auth', `${answered}: key, project and environment accepted`)
  // The table lookup comes after authentication: the credentials were accepted.
  if (code === 'data/table-not-found') {
    return pass('auth', `${answered}: key, project and environment accepted (the probe's table does not exist; set DOCTOR_PROBE_PATH to a one-record read of one of your tables, e.g. /v1/data/<table>?limit=1, for a full read)`)
  }
  return fail('auth', answered, fixFor(outcome, code, config))
}

export function checkEnvironment (context: DoctorContext): StepResult {
  return interpretEnvironment(context.probe, context.config)
}

/** Pure: whether the upstream accepted the configured X-Environment, as far as the probe tells. */
export function interpretEnvironment (outcome: HttpOutcome | undefined, config: Config): StepResult {
  const configured = `X-Environment: ${config.environment}`
  if (outcome === undefined || outcome.kind === 'error') return skip('environment', `${configured} not verified: the authenticated request got no answer`)
  const code = bkendErrorCode(outcome.body)
  if (code === 'data/environment-not-found') return fail('environment', `${configured} was refused (404 ${code})`, fixFor(outcome, code, config))
  if ((outcome.status >= 200 && outcome.status < 300) || code === 'data/table-not-found') return pass('environment', `${configured} accepted by the API`)
  return skip('environment', `${configured} not verified: the authenticated request failed first (see auth)`)
}

function fixFor (outcome: Extract<HttpOutcome, { kind: 'answer' }>, code: string | undefined, config: Config): string {
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
    settings: config
  })
  if (hint) return hint.text
  if (outcome.status === 404) return `nothing at ${config.apiUrl}${config.doctorProbePath}: check BKEND_API_URL and DOCTOR_PROBE_PATH`
  return 'see the answer above; replay it with the copy-as-curl command from the proxy log for details'
}
