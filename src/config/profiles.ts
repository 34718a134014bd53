// Per-environment key, scheme, project and URL; what a profile leaves out falls back to the
// unsuffixed setting. withEnvironment() is the one way to switch, so they all move together.
import type { Config } from './settings.js'
import { deepFreeze } from './freeze.js'
import { redactSecret } from '../redact/redact.js'
import { chooseAuthScheme, type AuthScheme } from './auth-scheme.js'
import { ENVIRONMENTS, PROFILE_FIELDS, type CompleteProfiles, type EnvironmentName, type Profile, type ProfileField, type ProfileTable } from './profile-table.js'

/** `own` over `base`; the start-up environment counts as configured (the unsuffixed settings are its profile). */
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

/** Complete profiles, also for a configuration built by hand (tests, replay) that lacks some. */
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
  /** What auto chose, or the setting. */
  authScheme: AuthScheme
  projectId: string | null
  apiUrl: string
  configured: boolean
}

/** Keys as fingerprints: safe to print and serve. */
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

/** "key pk_••••9f2c (67 chars) as X-API-Key, https://…", or "key ak_••••9f2c (67 chars), project p2, https://…". */
export function describeProfile (summary: Pick<ProfileSummary, 'apiKey' | 'authScheme' | 'projectId' | 'apiUrl'>): string {
  if (summary.authScheme === 'api-key') return `key ${summary.apiKey ?? 'not set'} as X-API-Key, ${summary.apiUrl}`
  return `key ${summary.apiKey ?? 'not set'}, project ${summary.projectId ?? 'not set'}, ${summary.apiUrl}`
}

