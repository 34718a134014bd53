// Warnings about the active environment: prod open to writes, and a key that names another
// environment than its profile's (bkend answers 404 data/environment-not-found for that, so
// say it before the first request). Only what the key shows is read (sk_live_ prefix, a JWT's
// "environment"/"env" claim); nothing is guessed.
import { profilesOf, listedEnvironments } from './profiles.js'
import { type EnvironmentName } from './profile-table.js'
import type { Config } from './settings.js'
import { redactSecret } from '../redact/redact.js'
import { secretKeyWarning } from './key-warnings.js'

// "test" keys are not live keys: dev or staging.
const NAMES: Record<string, readonly EnvironmentName[]> = {
  live: ['prod'],
  prod: ['prod'],
  production: ['prod'],
  test: ['dev', 'staging'],
  dev: ['dev'],
  development: ['dev'],
  staging: ['staging'],
  stage: ['staging']
}

export interface KeyEnvironment {
  allows: readonly EnvironmentName[]
  /** How the key says so: 'its sk_live_ prefix', 'its JWT claim "environment": "prod"'. */
  because: string
}

/** What the key says about its environment, or undefined when it says nothing. */
export function keyEnvironment (key: string): KeyEnvironment | undefined {
  const token = key.replace(/^bearer\s+/i, '')
  const prefix = /^([a-z]{2})_([a-z]+)_/i.exec(token)
  if (prefix) {
    const allows = NAMES[prefix[2]!.toLowerCase()]
    if (allows !== undefined) return { allows, because: `its ${prefix[0]} prefix` }
  }
  const claim = jwtEnvironmentClaim(token)
  if (claim === undefined) return undefined
  const allows = NAMES[claim.value.toLowerCase()]
  return allows === undefined ? undefined : { allows, because: `its JWT claim "${claim.name}": ${JSON.stringify(claim.value)}` }
}

function jwtEnvironmentClaim (token: string): { name: string, value: string } | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || !parts[0]!.startsWith('eyJ')) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
    for (const name of ['environment', 'env']) {
      const value = payload[name]
      if (typeof value === 'string') return { name, value }
    }
  } catch {
    // Not a JWT after all: it says nothing.
  }
  return undefined
}

/** The warning for one profile whose key names another environment, if it does. */
export function keyMismatchWarning (environment: EnvironmentName, key: string): string | undefined {
  if (key === '') return undefined
  const said = keyEnvironment(key)
  if (said === undefined || said.allows.includes(environment)) return undefined
  const variable = `BKEND_API_KEY_${environment.toUpperCase()}`
  return `the API key for ${environment} (${redactSecret(key)}) looks like a key of ${said.allows.join(' or ')} (${said.because}), so bkend will likely answer 404 data/environment-not-found: give ${environment} a key issued for ${environment} (${variable}, or "environments": {"${environment}": {"apiKey": ...}} in the config file)`
}

export function profileKeyWarnings (config: Config): string[] {
  const profiles = profilesOf(config)
  return listedEnvironments(config).flatMap(name => keyMismatchWarning(name, profiles[name].apiKey) ?? [])
}

/** While prod is active: the banner's line that cannot be missed, and the switch's. */
export function prodNotice (config: Pick<Config, 'environment' | 'prodReadOnly'>): string | undefined {
  if (config.environment !== 'prod') return undefined
  return config.prodReadOnly
    ? '!!! PROD is the active environment: reads go to prod; POST, PUT, PATCH and DELETE are refused (PROD_READ_ONLY, on by default) !!!'
    : '!!! PROD is the active environment and PROD_READ_ONLY=false: every request, writes included, goes to prod !!!'
}

export function prodWritesWarning (config: Pick<Config, 'environment' | 'prodReadOnly'>): string | undefined {
  if (config.environment !== 'prod' || config.prodReadOnly) return undefined
  return 'prod is active and PROD_READ_ONLY=false: POST, PUT, PATCH and DELETE reach prod. Set PROD_READ_ONLY=true (the default) unless you mean to write to prod.'
}

/** Warnings when the active profile changed (a switch, a reload): its key, a secret key, prod open to writes. */
export function activeProfileWarnings (previous: Config, next: Config): string[] {
  if (previous.environment === next.environment && previous.apiKey === next.apiKey && previous.authScheme === next.authScheme && previous.prodReadOnly === next.prodReadOnly) return []
  return [keyMismatchWarning(next.environment, next.apiKey), secretKeyWarning(next.environment, next), prodWritesWarning(next)].filter(warning => warning !== undefined)
}
