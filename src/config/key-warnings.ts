// What the keys' formats call for, at start-up, on a switch and on a reload: a warning for
// a key that matches none of bkend's documented formats (auto sends it the original way,
// as before), a warning for a secret sk_ key (bkend answers it as admin, bypassing
// row-level security, so the app sees rows its users never will), and the one refusal:
// prod active with a secret key, unless ALLOW_SECRET_KEY=true. Keys by fingerprint only.
import { chooseAuthScheme, DOCUMENTED_FORMATS, isSecretKeyInUse } from './auth-scheme.js'
import { redactSecret } from '../redact/redact.js'
import { listedEnvironments, profilesOf } from './profiles.js'
import { profileVariable, type EnvironmentName } from './profile-table.js'
import type { Config, SettingKey } from './settings.js'

/** One warning for every listed profile whose key auto could not place, or none. */
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

/** What to say of one profile whose secret key is sent as X-API-Key, if it is: the warning and its fix. */
export function secretKeyAdvice (environment: EnvironmentName, profile: { apiKey: string, authScheme: Config['authScheme'] }): { warning: string, fix: string } | undefined {
  if (!isSecretKeyInUse(chooseAuthScheme(profile.apiKey, profile.authScheme))) return undefined
  return {
    warning: `the API key for ${environment} (${redactSecret(profile.apiKey)}) is a secret key: bkend answers every request made with it as admin, bypassing row-level security, so the app sees rows its users never will`,
    fix: `use ${environment}'s publishable key (pk_..., in the bkend console under API Keys): ${profileVariable('apiKey', environment)}=pk_... or BKEND_API_KEY=pk_...`
  }
}

/** The same as one line, for the banner, a switch and a reload. */
export function secretKeyWarning (environment: EnvironmentName, profile: { apiKey: string, authScheme: Config['authScheme'] }): string | undefined {
  const advice = secretKeyAdvice(environment, profile)
  return advice === undefined ? undefined : `${advice.warning}. Fix: ${advice.fix}`
}

/** The banner's warnings about keys: one for formats auto could not place, one per secret key. */
export function keyFormatWarnings (config: Config): string[] {
  const profiles = profilesOf(config)
  const secret = listedEnvironments(config).flatMap(name => secretKeyWarning(name, profiles[name]) ?? [])
  return [unknownKeyFormatWarning(config) ?? [], secret].flat()
}

/**
 * Why the configuration may not run: prod active with a secret key in the api-key scheme,
 * unless ALLOW_SECRET_KEY=true. `origin` names where the key and the environment came from.
 */
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
