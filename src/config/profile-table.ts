// The config file's "environments" and the BKEND_API_KEY_<ENV> family name the same four fields.
import { apiKey, headerValue, oneOf, SettingError, upstreamUrl, type Parse } from './parse-values.js'
import { closestName } from './did-you-mean.js'
import { redactSecret } from '../redact/redact.js'
import { AUTH_SCHEME_SETTINGS, type AuthSchemeSetting } from './auth-scheme.js'

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

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
