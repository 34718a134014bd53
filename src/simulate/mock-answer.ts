// A mock's answer: its status, headers and body (JSON, text, a file read at each answer,
// or bkend's error for a code).
import { readFile } from 'node:fs/promises'
import type { MockAnswer } from '../config/mock-setting.js'
import { bkendErrorAnswer, type SimulatedAnswer } from './bkend-error-answer.js'

export async function mockAnswer (respond: MockAnswer): Promise<SimulatedAnswer> {
  const answer = respond.error !== undefined ? bkendErrorAnswer(respond.error, respond.status) : { status: respond.status ?? 200, headers: {}, body: await bodyOf(respond) }
  const headers = { ...answer.headers, ...respond.headers }
  if (headers['content-type'] === undefined && answer.body.length > 0) headers['content-type'] = contentTypeOf(respond)
  return { ...answer, headers }
}

/** Unless the mock names one: JSON for a JSON value or a .json file, text for a string. */
function contentTypeOf (respond: MockAnswer): string {
  if (typeof respond.body === 'string') return 'text/plain; charset=utf-8'
  if (respond.bodyFile !== undefined && !respond.bodyFile.endsWith('.json')) return 'application/octet-stream'
  return 'application/json; charset=utf-8'
}

async function bodyOf (respond: MockAnswer): Promise<string | Buffer> {
  if (respond.bodyFile !== undefined) return await readFile(respond.bodyFile)
  if (respond.body === undefined) return ''
  return typeof respond.body === 'string' ? respond.body : JSON.stringify(respond.body)
}
