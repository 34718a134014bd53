// `bkend-dev-proxy doctor`: walks bkend's "Connection Issues" checklist (URL, auth
// headers, CORS, MCP) for the auth scheme in use against the configured upstream, with the
// proxy's own configuration and TLS trust, one result per step. A step whose precondition failed is skipped, never guessed; the exit code is 0
// only when every step passed. The doctor room never starts the proxy nor changes the
// configuration; it shares the proxy's settings, dispatcher and error-code knowledge.
import type { Config } from '../config/settings.js'
import { ConfigError, type LoadedConfig } from '../config/load-config.js'
import { redactSecret } from '../redact/redact.js'
import { chooseAuthScheme, describeScheme } from '../config/auth-scheme.js'
import { secretKeyAdvice } from '../config/key-warnings.js'
import { createUpstreamDispatcher } from '../forward/upstream-dispatcher.js'
import { checkApiUrl, checkDns, checkTls } from './connection.js'
import { checkAuth, checkEnvironment } from './auth.js'
import { checkCors } from './cors.js'
import { checkMcp, checkMcpOAuth, checkNode } from './mcp.js'
import { checkAuthHeader } from './auth-header.js'
import { configuredAuthScheme } from '../diagnose/auth-scheme.js'
import { checkAllEnvironments } from './all-environments.js'
import { fail, pass, skip, type DoctorContext, type StepResult } from './step.js'

/** No step waits longer than this, whatever UPSTREAM_TIMEOUT_MS says. */
export const STEP_TIMEOUT_CAP_MS = 5000

export interface DoctorInput {
  /** Loads the configuration exactly as the proxy would; may throw ConfigError. */
  loadConfig: () => LoadedConfig
  origin?: string
  /** Auth and environment once per configured profile, and which key works where. */
  allEnvironments?: boolean
  nodeVersion?: string
  /** Extra trusted CAs (tests); NODE_EXTRA_CA_CERTS works as for the proxy. */
  upstreamCa?: string[]
}

export interface DoctorReport {
  ok: boolean
  /** The API URL checked, when the configuration loaded. */
  apiUrl?: string
  environment?: string
  steps: StepResult[]
}

export async function runDoctor (input: DoctorInput): Promise<DoctorReport> {
  const nodeVersion = input.nodeVersion ?? process.version
  let loaded: LoadedConfig
  try {
    loaded = input.loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    const [detail = error.message, fix = 'see bkend-dev-proxy --help'] = error.message.split('\n  fix: ')
    const steps = [
      fail('config', detail.replace(/^config: /, ''), fix),
      ...['api-url', 'dns', 'tls', 'auth-header', 'auth', 'environment', 'cors'].map(step => skip(step, 'not checked: the configuration is not valid')),
      checkNode(nodeVersion),
      skip('mcp', 'not checked: the configuration is not valid'),
      skip('mcp-oauth', 'not checked: the configuration is not valid')
    ]
    return report(steps)
  }
  const { config, origin } = loaded
  const stepTimeoutMs = Math.min(config.upstreamTimeoutMs, STEP_TIMEOUT_CAP_MS)
  const dispatcher = createUpstreamDispatcher({ ...config, upstreamTimeoutMs: stepTimeoutMs }, { ca: input.upstreamCa })
  const context: DoctorContext = { config, stepTimeoutMs, dispatcher }
  try {
    const steps: StepResult[] = [configStep(config, origin)]
    const url = checkApiUrl(config.apiUrl, config.apiPrefix)
    steps.push(url)
    const dns = url.status === 'pass' ? await checkDns(context) : skip('dns', 'not checked: the API URL is not right')
    steps.push(dns)
    const tls = dns.status === 'pass' ? await checkTls(context) : skip('tls', dns.status === 'fail' ? 'not checked: the host does not resolve' : 'not checked: the API URL is not right')
    steps.push(tls)
    steps.push(checkAuthHeader(config))
    if (tls.status === 'pass' && input.allEnvironments === true) {
      steps.push(...await checkAllEnvironments(context))
    } else if (tls.status === 'pass') {
      steps.push(await checkAuth(context))
      steps.push(checkEnvironment(context))
    } else {
      steps.push(skip('auth', 'not checked: no connection to the API'), skip('environment', 'not checked: no connection to the API'))
    }
    steps.push(checkCors(input.origin, config))
    steps.push(checkNode(nodeVersion))
    steps.push(await checkMcp(context))
    steps.push(await checkMcpOAuth(context))
    return { ok: report(steps).ok, apiUrl: config.apiUrl, environment: config.environment, steps }
  } finally {
    await dispatcher.destroy()
  }
}

function report (steps: StepResult[]): DoctorReport {
  return { ok: steps.every(step => step.status === 'pass'), steps }
}

// A secret key passes (it works) with a warning and its fix: it bypasses row-level security.
function configStep (config: Config, origin: LoadedConfig['origin']): StepResult {
  const scheme = chooseAuthScheme(config.apiKey, config.authScheme)
  const key = config.apiKey ? `API key ${redactSecret(config.apiKey)} from ${origin.apiKey}, sent as ${describeScheme(scheme, origin.authScheme)}` : 'no API key (BKEND_API_KEY not set)'
  const project = scheme.scheme === 'api-key' ? '' : config.projectId ? `, project ${config.projectId}` : ', no project id'
  const step = pass('config', `valid: ${key}${project}, environment ${config.environment}`)
  const secret = secretKeyAdvice(config.environment, config)
  return secret === undefined ? step : { ...step, detail: `${step.detail}; warning: ${secret.warning}`, fix: secret.fix }
}

const MARKS = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const

/** Pure: the report as the terminal shows it, one line per step and a fix under each failure. */
export function formatDoctorReport (report: DoctorReport): string {
  const lines = [`bkend-dev-proxy doctor${report.apiUrl ? `: ${report.apiUrl} (environment ${report.environment})` : ''}`]
  for (const step of report.steps) {
    lines.push(`${MARKS[step.status]}  ${step.step.padEnd(12)} ${step.environment === undefined ? '' : `[${step.environment}] `}${step.detail}`)
    if (step.fix) lines.push(`      ${''.padEnd(12)} fix: ${step.fix}`)
  }
  const count = (status: StepResult['status']): number => report.steps.filter(step => step.status === status).length
  lines.push(`${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped${report.ok ? '' : ' (exit code 1)'}`)
  return lines.join('\n')
}
