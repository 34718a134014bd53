// What the keys' formats call for: a warning for an undocumented format, a warning for a
// secret sk_ key (admin, past row-level security), and the one refusal: prod with a secret key.
import { chooseAuthScheme, DOCUMENTED_FORMATS, isSecretKeyInUse } from './auth-scheme.js'
import { redactSecret } from '../redact/redact.js'
import { listedEnvironments, profilesOf } from './profiles.js'
import { profileVariable, type EnvironmentName } from './profile-table.js'
import type { Config, SettingKey } from './settings.js'

export function unknownKeyFormatWarning (config: Config): string | undefined {
  const profiles = profilesOf(config)
  const unplaced = listedEnvironments(config).filter(name => {
    const choice = chooseAuthScheme(profiles[name].apiKey, profiles[name].authScheme)
    return choice.auto && choice.kind === 'other'
  })
  if (unplaced.length === 0) return undefined
  const keys = unplaced.map(name => `${name} (${redactSecret(profiles[name].apiKey)})`).join(' and ')
  return `the API key for ${keys} matches none of bkend's documented key formats (${DOCUMENTED_FORMATS}), so it is sent the original way, as Authorization: Bearer with X-Project-Id and X-Environment. Set BKEND_AUTH_SCHEME=api-key to send it as X-API-Key, or BKEND_AUTH_SCHEME=bearer to keep the original scheme without this warning (BKEND_AUTH_SCHEME_<ENV> for one environment).`
}

export function secretKeyAdvice (environment: EnvironmentName, profile: { apiKey: string, authScheme: Config['authScheme'] }): { warning: string, fix: string } | undefined {
  if (!isSecretKeyInUse(chooseAuthScheme(profile.apiKey, profile.authScheme))) return undefined
  return {
    warning: `the API key for ${environment} (${redactSecret(profile.apiKey)}) is a secret key: bkend answers every request made with it as admin, bypassing row-level security, so the app sees rows its users never will`,
    fix: `use ${environment}'s publishable key (pk_..., in the bkend console under API Keys): ${profileVariable('apiKey', environment)}=pk_... or BKEND_API_KEY=pk_...`
  }
}

export function secretKeyWarning (environment: EnvironmentName, profile: { apiKey: string, authScheme: Config['authScheme'] }): string | undefined {
  const advice = secretKeyAdvice(environment, profile)
  return advice === undefined ? undefined : `${advice.warning}. Fix: ${advice.fix}`
}

export function keyFormatWarnings (config: Config): string[] {
  const profiles = profilesOf(config)
  const secret = listedEnvironments(config).flatMap(name => secretKeyWarning(name, profiles[name]) ?? [])
  return [unknownKeyFormatWarning(config) ?? [], secret].flat()
}

/** Prod with a secret key sent as X-API-Key, unless ALLOW_SECRET_KEY=true. */
export function secretKeyRefusal (config: Config, origin?: Partial<Record<SettingKey, string>>): { problem: string, fix: string } | undefined {
  if (config.environment !== 'prod' || config.allowSecretKey) return undefined
  if (!isSecretKeyInUse(chooseAuthScheme(config.apiKey, config.authScheme))) return undefined
  const keyFrom = origin?.apiKey === undefined ? '' : ` (from ${origin.apiKey})`
  const prodFrom = origin?.environment === undefined ? '' : ` (from ${origin.environment})`
  return {
    problem: `apiKey ${redactSecret(config.apiKey)}${keyFrom} is a secret key and prod is active${prodFrom}: every request would act as admin on prod, bypassing row-level security, so the proxy refuses it`,
    fix: `give prod its publishable key (${profileVariable('apiKey', 'prod')}=pk_...), or set ALLOW_SECRET_KEY=true to use the secret key on prod on purpose`
  }
}
