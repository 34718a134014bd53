// Per-environment credentials: each of bkend's environments (dev, staging, prod) may have
// its own API key, auth scheme, project id and API URL, from BKEND_API_KEY_<ENV> (and
// BKEND_AUTH_SCHEME_, BKEND_PROJECT_ID_, BKEND_API_URL_) in the environment or .env, or from
// the config file's "environments". What a profile leaves out falls back to the unsuffixed
// setting. The active profile's values are the configuration's apiKey, authScheme, projectId
// and apiUrl; withEnvironment() is the one way to change environments, so key, scheme,
// project, URL and X-Environment move together.
import type { Config } from './settings.js'
import { apiKey, headerValue, oneOf, SettingError, upstreamUrl, type Parse } from './parse-values.js'
import { closestName } from './did-you-mean.js'
import { deepFreeze } from './freeze.js'
import { redactSecret } from '../log/redact.js'
import { AUTH_SCHEME_SETTINGS, chooseAuthScheme, type AuthScheme, type AuthSchemeSetting } from './auth-scheme.js'

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const
export type EnvironmentName = typeof ENVIRONMENTS[number]

export const PROFILE_FIELDS = ['apiKey', 'authScheme', 'projectId', 'apiUrl'] as const
export type ProfileField = typeof PROFILE_FIELDS[number]

export interface Profile {
  apiKey: string
  authScheme: AuthSchemeSetting
  projectId: string
  apiUrl: string
  /** false: nothing of its own, every field is the unsuffixed setting. Absent counts as true. */
  configured?: boolean
}

/** As the config file gives them (fields may be missing), or complete once loaded. */
export type ProfileTable = Readonly<Partial<Record<EnvironmentName, Readonly<Partial<Profile>>>>>
export type CompleteProfiles = Readonly<Record<EnvironmentName, Readonly<Profile>>>

const FIELD_PARSERS: Record<ProfileField, Parse<string>> = { apiKey, authScheme: oneOf(AUTH_SCHEME_SETTINGS), projectId: headerValue, apiUrl: upstreamUrl }
const FIELD_EXAMPLES: Record<ProfileField, string> = { apiKey: 'pk_...', authScheme: 'auto', projectId: 'my-project', apiUrl: 'https://api-client.bkend.ai' }
const FIELD_VARIABLES: Record<ProfileField, string> = { apiKey: 'BKEND_API_KEY', authScheme: 'BKEND_AUTH_SCHEME', projectId: 'BKEND_PROJECT_ID', apiUrl: 'BKEND_API_URL' }

/** BKEND_API_KEY_STAGING and the like. */
export function profileVariable (field: ProfileField, environment: EnvironmentName): string {
  return `${FIELD_VARIABLES[field]}_${environment.toUpperCase()}`
}

export function isEnvironmentName (value: unknown): value is EnvironmentName {
  return (ENVIRONMENTS as readonly unknown[]).includes(value)
}

/** The config file's "environments": {"staging": {"apiKey": "...", "authScheme": "...", "projectId": "...", "apiUrl": "..."}}. */
export function profileTable (raw: unknown): ProfileTable {
  const example = '{"staging": {"apiKey": "pk_...", "authScheme": "auto", "apiUrl": "https://api-client.bkend.ai"}}'
  if (!isPlainObject(raw)) throw new SettingError('must be an object of environment name to profile', example)
  const table: Partial<Record<EnvironmentName, Partial<Profile>>> = {}
  for (const [name, fields] of Object.entries(raw)) {
    if (!isEnvironmentName(name)) {
      const near = closestName(name, ENVIRONMENTS) ?? ENVIRONMENTS.find(choice => name.toLowerCase().startsWith(choice))
      throw new SettingError(`has "${name}", which is not an environment: use dev, staging or prod`, near === undefined ? example : `rename "${name}" to "${near}"`, near !== undefined)
    }
    if (!isPlainObject(fields)) throw new SettingError(`has ${name}, which must be an object with apiKey, authScheme, projectId and apiUrl`, example)
    const profile: Partial<Profile> = {}
    for (const [field, value] of Object.entries(fields)) {
      if (!(PROFILE_FIELDS as readonly string[]).includes(field)) {
        const near = closestName(field, PROFILE_FIELDS)
        throw new SettingError(`has ${name}.${field}; a profile has apiKey, authScheme, projectId and apiUrl only`, near === undefined ? example : `rename "${field}" to "${near}"`, near !== undefined)
      }
      ;(profile as Record<ProfileField, string>)[field as ProfileField] = parseField(name, field as ProfileField, value)
    }
    table[name] = profile
  }
  return table
}

function parseField (environment: EnvironmentName, field: ProfileField, value: unknown): string {
  try {
    return FIELD_PARSERS[field](value)
  } catch (error) {
    if (!(error instanceof SettingError)) throw error
    const shown = JSON.stringify(field === 'apiKey' ? redactSecret(String(value)) : value)
    const good = field === 'apiKey' || error.fix === '' ? FIELD_EXAMPLES[field] : error.fix
    throw new SettingError(`has ${environment}.${field} ${shown}, which ${error.message}`, error.advice ? error.fix : JSON.stringify({ [environment]: { [field]: good } }), error.advice)
  }
}

/**
 * Every environment's profile, complete: its own values (`own`, strongest source already
 * chosen) over the unsuffixed settings (`base`). An environment is configured when it has
 * a value of its own, and the environment chosen at start-up always is (the unsuffixed
 * settings are its profile in a one-environment setup).
 */
export function resolveProfiles (base: Pick<Config, ProfileField | 'environment'>, own: ProfileTable): CompleteProfiles {
  const profiles = {} as Record<EnvironmentName, Profile>
  for (const name of ENVIRONMENTS) {
    const mine = own[name] ?? {}
    profiles[name] = {
      apiKey: mine.apiKey ?? base.apiKey,
      authScheme: mine.authScheme ?? base.authScheme,
      projectId: mine.projectId ?? base.projectId,
      apiUrl: mine.apiUrl ?? base.apiUrl,
      configured: name === base.environment || PROFILE_FIELDS.some(field => mine[field] !== undefined)
    }
  }
  return profiles
}

/**
 * The complete profiles of a configuration. A loaded (or switched) configuration has them
 * all; one built by hand (tests, replay) may not, and then its own apiKey, authScheme,
 * projectId and apiUrl are the unsuffixed settings the missing ones fall back to.
 */
export function profilesOf (config: Config): CompleteProfiles {
  const table = config.environments
  if (ENVIRONMENTS.every(name => isComplete(table[name]))) return table as CompleteProfiles
  const present = Object.fromEntries(Object.entries(table).map(([name, profile]) => [name, { configured: true, ...profile }])) as ProfileTable
  return resolveProfiles(config, present)
}

function isComplete (profile: Partial<Profile> | undefined): boolean {
  return profile !== undefined && PROFILE_FIELDS.every(field => profile[field] !== undefined)
}

/** The configuration with another environment active: its key, scheme, project, URL and X-Environment together. */
export function withEnvironment (config: Config, environment: EnvironmentName): Config {
  const profiles = profilesOf(config)
  const { apiKey, authScheme, projectId, apiUrl } = profiles[environment]
  return deepFreeze({ ...config, environments: profiles, environment, apiKey, authScheme, projectId, apiUrl })
}

const severalProfiles = new WeakMap<Config, boolean>()

/** Whether more than one environment is listed, asked per request: remembered per configuration. */
export function hasSeveralProfiles (config: Config): boolean {
  let several = severalProfiles.get(config)
  if (several === undefined) severalProfiles.set(config, several = listedEnvironments(config).length > 1)
  return several
}

/** The environments to list: configured ones, and the active one. */
export function listedEnvironments (config: Config): EnvironmentName[] {
  const profiles = profilesOf(config)
  return ENVIRONMENTS.filter(name => name === config.environment || profiles[name].configured !== false)
}

export interface ProfileSummary {
  environment: EnvironmentName
  active: boolean
  /** Fingerprint only ("pk_••••9f2c (67 chars)"), or null when no key is set. */
  apiKey: string | null
  /** The scheme in use: the setting, or what auto chose by the key's format. */
  authScheme: AuthScheme
  projectId: string | null
  apiUrl: string
  /** false: it has no values of its own and would use the unsuffixed settings. */
  configured: boolean
}

/** Safe to print and to serve: keys as fingerprints. */
export function profileSummaries (config: Config): ProfileSummary[] {
  const profiles = profilesOf(config)
  return listedEnvironments(config).map(environment => {
    const profile = profiles[environment]
    return {
      environment,
      active: environment === config.environment,
      apiKey: profile.apiKey === '' ? null : redactSecret(profile.apiKey),
      authScheme: chooseAuthScheme(profile.apiKey, profile.authScheme).scheme,
      projectId: profile.projectId === '' ? null : profile.projectId,
      apiUrl: profile.apiUrl,
      configured: profile.configured !== false
    }
  })
}

/**
 * "key pk_••••9f2c (67 chars) as X-API-Key, https://…" (the key carries its project), or in
 * the original scheme "key ak_••••9f2c (67 chars), project p2, https://…", for the banner and the log.
 */
export function describeProfile (summary: Pick<ProfileSummary, 'apiKey' | 'authScheme' | 'projectId' | 'apiUrl'>): string {
  if (summary.authScheme === 'api-key') return `key ${summary.apiKey ?? 'not set'} as X-API-Key, ${summary.apiUrl}`
  return `key ${summary.apiKey ?? 'not set'}, project ${summary.projectId ?? 'not set'}, ${summary.apiUrl}`
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
