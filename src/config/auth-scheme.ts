// Which of bkend's two auth schemes a key is sent with: X-API-Key (pk_/sk_ keys carry project
// and environment; Authorization stays the user's token), or the original Authorization: Bearer
// (ak_) with X-Project-Id and X-Environment. auto goes by the key's documented format.

export const AUTH_SCHEME_SETTINGS = ['auto', 'api-key', 'bearer'] as const
export type AuthSchemeSetting = typeof AUTH_SCHEME_SETTINGS[number]
export type AuthScheme = Exclude<AuthSchemeSetting, 'auto'>

export type KeyKind = 'publishable' | 'secret' | 'original' | 'other' | 'none'

const KEY_FORMATS: ReadonlyArray<[RegExp, KeyKind]> = [
  [/^pk_[0-9a-fA-F]{64}$/, 'publishable'],
  [/^sk_[0-9a-fA-F]{64}$/, 'secret'],
  [/^ak_[0-9a-fA-F]{64}$/, 'original']
]

export const DOCUMENTED_FORMATS = 'pk_ or sk_ + 64 hex characters (sent as X-API-Key), ak_ + 64 hex characters (sent as Authorization: Bearer)'

export function keyKind (key: string): KeyKind {
  if (key === '') return 'none'
  return KEY_FORMATS.find(([format]) => format.test(key))?.[1] ?? 'other'
}

export interface SchemeChoice {
  scheme: AuthScheme
  kind: KeyKind
  auto: boolean
}

/** auto: pk_/sk_ keys go as X-API-Key; any other key (or none) the original way. */
export function chooseAuthScheme (key: string, setting: AuthSchemeSetting): SchemeChoice {
  const kind = keyKind(key)
  if (setting !== 'auto') return { scheme: setting, kind, auto: false }
  return { scheme: kind === 'publishable' || kind === 'secret' ? 'api-key' : 'bearer', kind, auto: true }
}

/** "X-API-Key (auto: pk_ publishable key)", "Authorization: Bearer ... (bearer, from --auth-scheme)". */
export function describeScheme (choice: SchemeChoice, from?: string): string {
  const header = choice.scheme === 'api-key' ? 'X-API-Key' : 'Authorization: Bearer, X-Project-Id, X-Environment'
  const why = choice.auto ? `auto: ${KIND_WORDS[choice.kind]}` : from === undefined ? choice.scheme : `${choice.scheme}, from ${from}`
  return `${header} (${why})`
}

const KIND_WORDS: Record<KeyKind, string> = {
  publishable: 'pk_ publishable key',
  secret: 'sk_ secret key',
  original: 'ak_ key, the original scheme',
  other: 'not a documented key format, the original scheme',
  none: 'no key, the original scheme'
}

/** A secret key sent the way bkend reads it: every request acts as admin. */
export function isSecretKeyInUse (choice: SchemeChoice): boolean {
  return choice.kind === 'secret' && choice.scheme === 'api-key'
}
