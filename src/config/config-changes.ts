// What a reload changes, in one line, secrets by fingerprint. Settings fixed once the proxy
// runs (socket, routes, log format, dispatcher, inspector buffer) keep their running value.
import { isDeepStrictEqual } from 'node:util'
import { SETTING_KEYS, settingOf, type Config, type SettingKey } from './settings.js'
import { listedEnvironments, profilesOf } from './profiles.js'
import { ENVIRONMENTS, PROFILE_FIELDS } from './profile-table.js'
import { redactSecret } from '../redact/redact.js'
import { shownHeaderValues } from './configured-secrets.js'

export const RESTART_KEYS: ReadonlySet<SettingKey> = new Set<SettingKey>([
  'port', 'host', 'apiPrefix', 'mcpPrefix', 'allowedHosts', 'logFormat', 'upstreamTimeoutMs', 'shutdownGraceMs',
  'inspector', 'inspectorPort', 'inspectorMaxExchanges', 'inspectorMaxBodyBytes', 'watch'
])

// Listed under their environment (dev.apiKey ...), not twice.
const DERIVED_KEYS: ReadonlySet<SettingKey> = new Set<SettingKey>(['apiKey', 'authScheme', 'projectId', 'apiUrl', 'environments'])

export interface ConfigChanges {
  /** "logLevel info → debug", "apiKey sk_test_••••9f2c (40 chars) → ...", "staging.projectId p1 → p2". */
  applied: string[]
  restart: string[]
  /** The configuration to run with now: `next`, with the restart-only settings as they run. */
  config: Config
}

export function configChanges (running: Config, next: Config): ConfigChanges {
  const applied: string[] = []
  const restart: string[] = []
  const kept: Record<string, unknown> = { ...next }
  for (const key of SETTING_KEYS) {
    if (DERIVED_KEYS.has(key) || isDeepStrictEqual(running[key], next[key])) continue
    const change = `${key} ${shown(key, running[key])} → ${shown(key, next[key])}`
    if (RESTART_KEYS.has(key)) {
      restart.push(change)
      kept[key] = running[key]
    } else {
      applied.push(change)
    }
  }
  // With one environment listed, its fields go by their plain names.
  const before = profilesOf(running)
  const after = profilesOf(next)
  const listed = new Set([...listedEnvironments(running), ...listedEnvironments(next)])
  for (const name of ENVIRONMENTS.filter(environment => listed.has(environment))) {
    for (const field of PROFILE_FIELDS) {
      if (before[name][field] === after[name][field]) continue
      applied.push(`${listed.size === 1 ? '' : `${name}.`}${field} ${shown(field, before[name][field])} → ${shown(field, after[name][field])}`)
    }
  }
  return { applied, restart, config: restart.length === 0 ? next : Object.freeze(kept) as unknown as Config }
}

function shown (key: SettingKey, value: unknown): string {
  if (value === '' || value === undefined) return 'not set'
  if (settingOf(key).secret === true && typeof value === 'string') return redactSecret(value)
  if (key === 'headers') return JSON.stringify(shownHeaderValues(value))
  if (Array.isArray(value)) return value.join(',') || 'none'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** The one log line for a reload, or undefined when nothing changed. */
export function reloadLine (what: string, changes: Pick<ConfigChanges, 'applied' | 'restart'>): string | undefined {
  if (changes.applied.length === 0 && changes.restart.length === 0) return undefined
  const applied = changes.applied.length === 0 ? 'nothing applied' : `applied to new requests: ${changes.applied.join(', ')}`
  const restart = changes.restart.length === 0 ? '' : `; restart to apply: ${changes.restart.join(', ')}`
  return `config: reloaded ${what}; ${applied}${restart}`
}
