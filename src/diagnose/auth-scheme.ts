// Which of bkend's two auth schemes the hints and the doctor speak of: the one the key is sent
// with, or with no key today's scheme, the one bkend's docs set a newcomer up with.
import type { Config } from '../config/settings.js'
import { chooseAuthScheme, type AuthScheme } from '../config/auth-scheme.js'

export type { AuthScheme } from '../config/auth-scheme.js'

/** The documented key formats (bkend security/08-api-reference). */
export const API_KEY_FORMAT = /^(pk|sk)_[0-9a-fA-F]{64}$/
export const BEARER_KEY_FORMAT = /^ak_[0-9a-fA-F]{64}$/

/** The scheme a key is spoken of with: the forced one, else by the key's documented format. */
export function authSchemeFor (apiKey: string, forced: string = 'auto'): AuthScheme {
  if (forced === 'api-key' || forced === 'bearer') return forced
  if (apiKey === '') return 'api-key'
  return chooseAuthScheme(apiKey, 'auto').scheme
}

/** The setting as configured: auto (the default), api-key or bearer. */
export function forcedAuthScheme (config: Pick<Config, 'authScheme'>): Config['authScheme'] {
  return config.authScheme
}

/** The scheme a configuration's key is spoken of with. */
export function configuredAuthScheme (config: Pick<Config, 'apiKey'> & Partial<Pick<Config, 'authScheme'>>): AuthScheme {
  return authSchemeFor(config.apiKey, config.authScheme ?? 'auto')
}
