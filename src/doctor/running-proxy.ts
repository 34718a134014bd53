// Whether the proxy answers on its port and runs with the settings the doctor loaded (one started
// elsewhere or switched runs with its own). Not running is fine; a port held by another program is not.
import type { Config } from '../config/settings.js'
import { profileSummaries } from '../config/profiles.js'
import { chooseAuthScheme } from '../config/auth-scheme.js'
import { rootErrorCode } from '../forward/upstream-failure.js'
import { fail, pass, type StepResult } from './step.js'

/** What the doctor compares; never the key itself, which health does not serve. */
interface RunningSettings {
  upstream: string
  environment: string
  authScheme: string
  key: string | null
}

export async function checkRunningProxy (config: Config, timeoutMs: number): Promise<StepResult> {
  if (config.port === 0) return pass('proxy', 'PORT is 0 (a free port at each start): no port to check')
  const url = `http://${reachableHost(config.host)}:${config.port}/__proxy/health`
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } })
  } catch (error) {
    const { code, message } = rootErrorCode(error)
    if (code === 'ECONNREFUSED') return pass('proxy', `nothing answers at ${url}: the proxy is not running (npm start runs it)`)
    return fail('proxy', `${url} got no answer (${code || message})`, `something holds port ${config.port} without answering: stop it, or set PORT to a free port`)
  }
  const running = settingsOf(await response.json().catch(() => undefined))
  if (running === undefined) return fail('proxy', `${url} answered ${response.status}, not as the proxy does: another program holds port ${config.port}`, `stop that program, or set PORT to a free port`)
  const differences = settingDifferences(running, settingsFor(config))
  const found = `the proxy answers at ${url.replace('/__proxy/health', '')}`
  if (differences.length === 0) return pass('proxy', `${found} with these settings (upstream, environment, auth scheme and key)`)
  return {
    ...pass('proxy', `${found}; warning: it runs with other settings: ${differences.join('; ')}`),
    fix: 'a proxy started from another directory or with other flags keeps its own settings: restart it here to use these (a switch on the inspector\'s port changes its environment)'
  }
}

/** Pure: the differences, each as "what: running (here: loaded)". */
export function settingDifferences (running: RunningSettings, loaded: RunningSettings): string[] {
  const names: Array<[keyof RunningSettings, string]> = [['upstream', 'upstream'], ['environment', 'environment'], ['authScheme', 'auth scheme'], ['key', 'key']]
  return names.filter(([field]) => running[field] !== loaded[field]).map(([field, name]) => `${name} ${running[field] ?? 'not set'} (here: ${loaded[field] ?? 'not set'})`)
}

function settingsFor (config: Config): RunningSettings {
  const active = profileSummaries(config).find(profile => profile.active)
  return { upstream: config.apiUrl, environment: config.environment, authScheme: chooseAuthScheme(config.apiKey, config.authScheme).scheme, key: active?.apiKey ?? null }
}

// The health document (lifecycle/health.ts), or undefined for anything else.
function settingsOf (body: unknown): RunningSettings | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const health = body as Record<string, unknown>
  if (health.status !== 'ok' || typeof health.upstream !== 'string' || typeof health.environment !== 'string' || !Array.isArray(health.environments)) return undefined
  const active = (health.environments as Array<{ active?: unknown, apiKey?: unknown }>).find(profile => profile.active === true)
  return { upstream: health.upstream, environment: health.environment, authScheme: String(health.authScheme), key: typeof active?.apiKey === 'string' ? active.apiKey : null }
}

// A proxy bound to every address answers on loopback.
function reachableHost (host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}
