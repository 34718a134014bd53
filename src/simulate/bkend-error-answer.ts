// Pure: bkend's own error answer for a code, as a mock or a fault sends it: the documented
// status and a body in the shape of the code's family.
import { STATUS_CODES } from 'node:http'
import { bkendCode } from '../diagnose/bkend-codes.js'

export interface SimulatedAnswer {
  status: number
  headers: Record<string, string>
  body: string | Buffer
}

const JSON_TYPE = 'application/json; charset=utf-8'

// The docs' own rule for a code their tables leave out (troubleshooting, common errors).
const STATUS_BY_WORDS: ReadonlyArray<[RegExp, number]> = [
  [/unauthorized|invalid-token|token-expired/i, 401],
  [/forbidden|permission-denied|access-denied/i, 403],
  [/not-found|not_found/i, 404],
  [/too-many|rate-limit/i, 429]
]

/** The status of a code: the documented one, or the docs' rule by its words. */
export function statusOfCode (code: string): number {
  return bkendCode(code)?.status ?? STATUS_BY_WORDS.find(([words]) => words.test(code))?.[1] ?? 400
}

/** `status` overrides the documented one (a mock may say so). */
export function bkendErrorAnswer (code: string, status = statusOfCode(code)): SimulatedAnswer {
  const message = bkendCode(code)?.meaning ?? STATUS_CODES[status] ?? 'error'
  const body = /^[A-Z]/.test(code)
    ? { statusCode: status, error: code, message }
    : { success: false, error: { code, message } }
  return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) }
}

/** A bare status (a fault's "error": 503): bkend's shape with the status as its code, as some of its pages show. */
export function statusAnswer (status: number): SimulatedAnswer {
  const body = { success: false, error: { code: status, message: STATUS_CODES[status] ?? 'error' } }
  return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) }
}
