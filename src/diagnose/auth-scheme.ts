// Pure: which of bkend's two auth schemes a key belongs to, as the hints and the doctor
// speak of it. Today's scheme ("api-key", bkend docs since 2026-02-17) sends a pk_/sk_ key
// in X-API-Key and leaves Authorization to the signed-in user's token; the original one
// ("bearer") sends an ak_ key as Authorization: Bearer with X-Project-Id and X-Environment.
import type { Config } from '../config/settings.js'

export type AuthScheme = 'api-key' | 'bearer'

/** The documented key formats (bkend security/08-api-reference). */
export const API_KEY_FORMAT = /^(pk|sk)_[0-9a-fA-F]{64}$/
export const BEARER_KEY_FORMAT = /^ak_[0-9a-fA-F]{64}$/

/**
 * The scheme a key is sent with: the forced one, else by the key's documented format.
 * A key of no documented format (a test key, a future format) keeps the original scheme;
 * with no key at all nothing is injected, and today's scheme is the one to talk about.
 */
export function authSchemeFor (apiKey: string, forced: string = 'auto'): AuthScheme {
  if (forced === 'api-key' || forced === 'bearer') return forced
  if (apiKey === '' || API_KEY_FORMAT.test(apiKey)) return 'api-key'
  return 'bearer'
}

/** The setting as configured: auto (the default), api-key or bearer. */
export function forcedAuthScheme (config: Pick<Config, 'apiKey'>): string {
  // THE ONE READ of `authScheme` in this room: the setting is added to SETTINGS on the
  // auth-scheme branch; until both are merged it is read untyped here, and only here.
  const value: unknown = (config as any).authScheme ?? 'auto'
  return typeof value === 'string' ? value : 'auto'
}

/** The scheme a configuration's key is sent with. */
export function configuredAuthScheme (config: Pick<Config, 'apiKey'>): AuthScheme {
  return authSchemeFor(config.apiKey, forcedAuthScheme(config))
}
