// Merges the sources (weakest first: built-in defaults, config/default.json, the --config
// file, .env, the environment, flags), validates the result and freezes it.
import { readFileSync, existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { SETTING_KEYS, builtInDefaults, settingOf, type Config, type SettingKey } from './settings.js'
import { SettingError } from './parse-values.js'
import { closestName } from './did-you-mean.js'
import { withoutQuotes } from './quoted-values.js'
import { redactSecret } from '../redact/redact.js'
import { deepFreeze } from './freeze.js'
import { secretKeyRefusal } from './key-warnings.js'
import { jsonSyntaxError } from './json-syntax-error.js'
import { shownHeaderValues } from './configured-secrets.js'
import { resolveProfiles } from './profiles.js'
import { ENVIRONMENTS, PROFILE_FIELDS, profileVariable, type EnvironmentName, type Profile, type ProfileField } from './profile-table.js'

export class ConfigError extends Error {}

export interface ConfigSources {
  /** Flag values by setting key, as parsed from argv. */
  flags?: Partial<Record<SettingKey, string | boolean>>
  configFile?: string
  env?: Record<string, string | undefined>
  cwd?: string
  /** The shipped defaults file; tests point it elsewhere. */
  defaultsFile?: string
}

export interface LoadedConfig {
  config: Config
  /** Where each setting's value came from, for messages and the banner. */
  origin: Record<SettingKey, string>
}

export const SHIPPED_DEFAULTS_FILE = new URL('../../config/default.json', import.meta.url).pathname

interface Candidate { raw: unknown, from: string, fix: (example: string) => string }

export function loadConfig (sources: ConfigSources = {}): LoadedConfig {
  const cwd = sources.cwd ?? process.cwd()
  const env = sources.env ?? process.env
  const candidates = new Map<SettingKey, Candidate>()
  const offer = (key: SettingKey, candidate: Candidate): void => { candidates.set(key, candidate) }

  for (const file of [sources.defaultsFile ?? SHIPPED_DEFAULTS_FILE, sources.configFile && resolve(cwd, sources.configFile)]) {
    if (!file) continue
    const values = readConfigFile(file, file === sources.defaultsFile || file === SHIPPED_DEFAULTS_FILE)
    for (const [key, raw] of Object.entries(values)) {
      offer(key as SettingKey, { raw, from: `"${key}" in ${file}`, fix: example => `set "${key}": ${jsonExample(example)} in ${file}` })
    }
  }

  const dotenvPath = resolve(cwd, '.env')
  const dotenv = existsSync(dotenvPath) ? readDotenv(dotenvPath) : {}
  // A profile's own values (BKEND_API_KEY_STAGING, ...), by "environment.field".
  const ownValues = new Map<string, Candidate & ProfileSlot>()
  for (const [label, values] of [[dotenvPath, dotenv], ['the environment', env]] as const) {
    for (const [name, slot] of VARIABLES) {
      const raw = values[name]
      if (raw === undefined) continue
      const from = label === 'the environment' ? name : `${name} in ${label}`
      // NAME= (empty) means "not set", and like any value it wins over the weaker sources.
      if (raw === '') {
        if ('key' in slot) offer(slot.key, { raw: undefined, from: `${from} (empty: not set)`, fix: example => `${name}=${example}` })
        else ownValues.delete(`${slot.environment}.${slot.field}`)
        continue
      }
      const candidate = { raw, from, fix: (example: string) => `${name}=${example}` }
      if ('key' in slot) offer(slot.key, candidate)
      else ownValues.set(`${slot.environment}.${slot.field}`, { ...candidate, ...slot })
    }
  }

  for (const key of SETTING_KEYS) {
    const raw = sources.flags?.[key]
    const flag = settingOf(key).flag
    if (raw !== undefined && flag !== undefined) {
      offer(key, { raw, from: `--${flag}`, fix: example => `--${flag} ${example}` })
    }
  }

  const config: Record<string, unknown> = builtInDefaults()
  const origin = Object.fromEntries(SETTING_KEYS.map(key => [key, 'built-in default'])) as Record<SettingKey, string>
  for (const [key, candidate] of candidates) {
    if (candidate.raw !== undefined) config[key] = parseSetting(key, candidate)
    origin[key] = candidate.from
  }
  applyProfiles(config as unknown as Mutable<Config>, origin, ownValues)
  const refusal = secretKeyRefusal(config as unknown as Config, origin)
  if (refusal !== undefined) throw new ConfigError(`config: ${refusal.problem}\n  fix: ${refusal.fix}`)
  return { config: deepFreeze(config) as unknown as Config, origin }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
interface ProfileSlot { environment: EnvironmentName, field: ProfileField }

const VARIABLES: Array<[string, { key: SettingKey } | ProfileSlot]> = [
  ...SETTING_KEYS.flatMap(key => settingOf(key).env === undefined ? [] : [[settingOf(key).env!, { key }] as [string, { key: SettingKey }]]),
  ...ENVIRONMENTS.flatMap(environment => PROFILE_FIELDS.map(field => [profileVariable(field, environment), { environment, field }] as [string, ProfileSlot]))
]

// A variable over the config file's "environments"; the unsuffixed settings fill the rest.
// The active profile then becomes apiKey, authScheme, projectId and apiUrl.
function applyProfiles (config: Mutable<Config>, origin: Record<SettingKey, string>, variables: Map<string, Candidate & ProfileSlot>): void {
  const own: Partial<Record<EnvironmentName, Partial<Profile>>> = {}
  const ownOrigin = new Map<string, string>()
  for (const [environment, profile] of Object.entries(config.environments) as Array<[EnvironmentName, Partial<Profile>]>) {
    own[environment] = { ...profile }
    for (const field of PROFILE_FIELDS) ownOrigin.set(`${environment}.${field}`, `environments.${environment}.${field} (${origin.environments})`)
  }
  for (const [slot, candidate] of variables) {
    ((own[candidate.environment] ??= {}) as Record<ProfileField, unknown>)[candidate.field] = parseSetting(candidate.field, candidate)
    ownOrigin.set(slot, candidate.from)
  }
  const profiles = resolveProfiles(config, own)
  const active = profiles[config.environment]
  for (const field of PROFILE_FIELDS) {
    ;(config as Record<ProfileField, unknown>)[field] = active[field]
    if (own[config.environment]?.[field] !== undefined) origin[field] = ownOrigin.get(`${config.environment}.${field}`)!
  }
  config.environments = profiles
}

function parseSetting (key: SettingKey, candidate: Candidate): unknown {
  const setting = settingOf(key)
  try {
    return setting.parse(candidate.raw)
  } catch (error) {
    if (!(error instanceof SettingError)) throw error
    // A secret is shown by its fingerprint; a secret table (the profiles) by its own message.
    const shown = setting.secret && typeof candidate.raw === 'object' ? '' : ` ${JSON.stringify(setting.secret ? redactSecret(String(candidate.raw)) : key === 'headers' ? shownHeaderValues(candidate.raw) : candidate.raw)}`
    const unquoted = withoutQuotes(candidate.raw)
    if (unquoted !== undefined && parses(key, unquoted)) {
      const fix = candidate.fix(setting.secret ? setting.example : unquoted)
      throw new ConfigError(`config: ${key}${shown} (from ${candidate.from}) ${error.message}; the quotes are part of the value here\n  fix: ${fix}`)
    }
    const fix = error.advice ? error.fix : candidate.fix(error.fix || setting.example)
    throw new ConfigError(`config: ${key}${shown} (from ${candidate.from}) ${error.message}\n  fix: ${fix}`)
  }
}

function parses (key: SettingKey, raw: string): boolean {
  try {
    settingOf(key).parse(raw)
    return true
  } catch {
    return false
  }
}

function readConfigFile (file: string, shipped: boolean): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`
    throw new ConfigError(`config: config file ${file} (from ${shipped ? 'the installation' : '--config'}) ${reason}\n  fix: ${shipped ? 'reinstall the package' : 'pass the path of an existing JSON file to --config'}`)
  }
  let values: unknown
  try {
    values = JSON.parse(text)
  } catch {
    // V8's message quotes the text around the error, which can be part of a key: only where, and what was expected.
    const found = jsonSyntaxError(text)
    const where = found === undefined ? '' : `: line ${found.line}, column ${found.column}: ${found.problem}`
    throw new ConfigError(`config: config file ${file} is not valid JSON${where}\n  fix: correct the JSON (no comments or trailing commas), e.g. {"projectId": "my-project"}`)
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new ConfigError(`config: config file ${file} must hold a JSON object, not ${JSON.stringify(values)}\n  fix: {"projectId": "my-project"}`)
  }
  for (const key of Object.keys(values)) {
    if (!(SETTING_KEYS as string[]).includes(key)) {
      const guess = closestName(key, SETTING_KEYS)
      throw new ConfigError(`config: unknown key "${key}" in ${file}\n  fix: ${guess ? `did you mean "${guess}"? ` : ''}known keys are ${SETTING_KEYS.join(', ')}`)
    }
  }
  return values as Record<string, unknown>
}

function readDotenv (file: string): Record<string, string> {
  try {
    return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>
  } catch (error) {
    throw new ConfigError(`config: .env file ${file} cannot be read (${(error as Error).message})\n  fix: use NAME=value lines, or remove the file`)
  }
}

function jsonExample (example: string): string {
  return /^[\d{[]|^(true|false)$/.test(example) ? example : JSON.stringify(example)
}

