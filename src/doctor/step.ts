// What every doctor step returns, and what they share while the doctor runs.
import type { Config } from '../config/settings.js'
import type { UpstreamDispatcher } from '../forward/upstream-dispatcher.js'
import type { HttpOutcome } from './http-get.js'

export type StepStatus = 'pass' | 'fail' | 'skip'

/** Stable names, for --json readers, --skip and tests, in the order the steps run. */
export const STEP_NAMES = ['config', 'proxy', 'api-url', 'dns', 'tls', 'auth-header', 'auth', 'environment', 'keys', 'cors', 'node', 'mcp', 'mcp-oauth'] as const

export interface StepResult {
  step: string
  status: StepStatus
  /** What was found, in one line. */
  detail: string
  /** How to fix it; failed steps always have one. */
  fix?: string
  /** The profile a step checked (doctor --all-environments). */
  environment?: string
}

export interface DoctorContext {
  config: Config
  stepTimeoutMs: number
  /** Same TLS trust as the proxy's own upstream calls. */
  dispatcher: UpstreamDispatcher
  /** The authenticated probe's outcome, which the environment step reads too. */
  probe?: HttpOutcome
  /** The MCP URL's answer, which the OAuth discovery step reads too. */
  mcpProbe?: HttpOutcome
}

export function pass (step: string, detail: string): StepResult {
  return { step, status: 'pass', detail }
}

export function fail (step: string, detail: string, fix: string): StepResult {
  return { step, status: 'fail', detail, fix }
}

export function skip (step: string, detail: string): StepResult {
  return { step, status: 'skip', detail }
}
