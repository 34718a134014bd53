// The secrets to scrub from whatever is shown: every profile's key, not only the active one's
// (a dev exchange can carry the prod key, echoed or pasted), and configured credential headers,
// each without its scheme so the token is replaced wherever it stands.
import type { Config } from './settings.js'
import { profilesOf } from './profiles.js'
import { redactHeaderValue, redactSecret } from '../redact/redact.js'

// Shorter strings would match ordinary words; no key is this short.
const MIN_SECRET_CHARS = 8
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key']
const SCHEME = /^(bearer|basic|token)\s+/i

// Configurations are frozen and few: one list each.
const listed = new WeakMap<Config, readonly string[]>()

export function configuredSecrets (config: Config): readonly string[] {
  let secrets = listed.get(config)
  if (secrets === undefined) {
    const keys = [config.apiKey, ...Object.values(profilesOf(config)).map(profile => profile.apiKey)]
    const headers = CREDENTIAL_HEADERS.map(name => config.headers[name] ?? '')
    const tokens = [...keys, ...headers].map(value => value.replace(SCHEME, ''))
    // Longest first, so that a key which contains another is replaced whole.
    secrets = Object.freeze([...new Set(tokens)].filter(token => token.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length))
    listed.set(config, secrets)
  }
  return secrets
}

const pairs = new WeakMap<Config, WeakMap<Config, readonly string[]>>()

/** The secrets of two configurations (the one running now, the one an exchange ran on), one list per pair. */
export function configuredSecretsOfBoth (first: Config, second: Config | undefined): readonly string[] {
  if (second === undefined || second === first) return configuredSecrets(first)
  let bySecond = pairs.get(first)
  if (bySecond === undefined) pairs.set(first, bySecond = new WeakMap())
  let secrets = bySecond.get(second)
  if (secrets === undefined) {
    secrets = Object.freeze([...new Set([...configuredSecrets(first), ...configuredSecrets(second)])].sort((a, b) => b.length - a.length))
    bySecond.set(second, secrets)
  }
  return secrets
}

/** The configured `headers` for messages, every value redacted: they carry credentials as often as not. */
export function shownHeaderValues (headers: unknown): unknown {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return redactSecret(String(headers))
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, typeof value === 'string' ? redactHeaderValue('authorization', value) : value]))
}
