// Pure: the banner's lines for the active mocks and faults, and a warning for each error
// code bkend's docs do not name (still answered, with the status the docs' rule gives).
import type { Config } from '../config/settings.js'
import type { RequestMatch } from '../config/simulation-match.js'
import type { Fault } from '../config/fault-setting.js'
import type { Mock } from '../config/mock-setting.js'
import { closestName } from '../config/did-you-mean.js'
import { BKEND_CODES, bkendCode } from '../diagnose/bkend-codes.js'
import { statusOfCode } from './bkend-error-answer.js'

export interface SimulationSummary {
  /** "GET /v1/data/posts/* → 404 data/not-found, …", or null with no mocks. */
  mocks: string | null
  faults: string | null
  warnings: string[]
}

export function describeSimulations (config: Pick<Config, 'mocks' | 'faults' | 'faultSeed'>): SimulationSummary {
  const warnings: string[] = []
  const codeOf = (code: string, where: string): string => {
    if (bkendCode(code) === undefined) {
      const near = closestName(code, Object.keys(BKEND_CODES))
      warnings.push(`${where}: "${code}" is not a code bkend's docs name${near === undefined ? '' : ` (did you mean ${near}?)`}; it is answered with ${statusOfCode(code)} by the docs' rule for its words`)
    }
    return code
  }
  const mocks = config.mocks.map((mock, index) => `${matchText(mock.match)} → ${answerText(mock, code => codeOf(code, `mocks entry ${index}`))}${mock.times === undefined ? '' : ` (${mock.times}×)`}`)
  const faults = config.faults.map((fault, index) => `${matchText(fault.match)} → ${faultText(fault, code => codeOf(code, `faults entry ${index}`))}`)
  const seed = config.faultSeed === '' ? 'a new seed each start (FAULT_SEED repeats a run)' : `FAULT_SEED ${config.faultSeed}`
  return {
    mocks: mocks.length === 0 ? null : mocks.join('; '),
    faults: faults.length === 0 ? null : `${faults.join('; ')} (${seed}; POST {"enabled": false} to /__proxy/api/faults on the inspector's port turns them off)`,
    warnings
  }
}

function matchText (match: RequestMatch): string {
  const query = match.query === undefined ? '' : `?${new URLSearchParams(match.query as Record<string, string>).toString()}`
  const body = match.bodyContains === undefined ? '' : ` with ${JSON.stringify(match.bodyContains)}`
  return `${match.method === undefined ? '' : `${match.method} `}${match.path ?? 'any path'}${query}${body}`
}

function answerText (mock: Mock, codeOf: (code: string) => string): string {
  const { respond } = mock
  const delay = mock.delayMs > 0 ? ` after ${mock.delayMs} ms` : ''
  if (respond.error !== undefined) return `${respond.status ?? statusOfCode(respond.error)} ${codeOf(respond.error)}${delay}`
  return `${respond.status ?? 200}${respond.bodyFile === undefined ? '' : ` from ${respond.bodyFile}`}${delay}`
}

function faultText (fault: Fault, codeOf: (code: string) => string): string {
  const parts: string[] = []
  if (fault.tokenLifetimeS !== undefined) parts.push(`401 auth/access-token-expired for user tokens older than ${fault.tokenLifetimeS} s`)
  if (fault.rateLimit !== undefined) parts.push(`429 data/rate-limit-exceeded over ${fault.rateLimit.limit} requests per ${fault.rateLimit.windowS} s`)
  if (fault.latencyMs !== undefined) parts.push(`${fault.latencyMs[0]}–${fault.latencyMs[1]} ms latency`)
  if (fault.error !== undefined) {
    const what = typeof fault.error === 'number' ? String(fault.error) : ['reset', 'timeout', 'cut'].includes(fault.error) ? fault.error : `${statusOfCode(fault.error)} ${codeOf(fault.error)}`
    parts.push(`${what} at rate ${fault.rate}`)
  }
  return parts.join(', ')
}
