// Credentials in bkend's documented formats, for tests: project keys (pk_ publishable,
// sk_ secret, ak_ the original scheme's; each + 64 hex characters) and a signed-in
// user's JWT with the claims a test chooses (its signature is not checked by anyone).

/** A documented key whose last four characters are `tail` (hex), e.g. documentedKey('pk', 'a1b2'). */
export function documentedKey (kind: 'pk' | 'sk' | 'ak', tail = '9f2c'): string {
  return `${kind}_${'0123456789abcdef'.repeat(4).slice(0, 60)}${tail}`
}

/** A user's access token: header.payload.signature, base64url, with these claims. */
export function userJwt (claims: Record<string, unknown>, signature = 'U0lHTkFUVVJFX0NBTkFSWV9kb19ub3Rfc2hvdw'): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.${signature}`
}

/** Epoch seconds `minutes` from now (negative: ago). */
export function minutesFromNow (minutes: number, nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000 + minutes * 60)
}
