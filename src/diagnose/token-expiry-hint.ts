// Pure: the hint for bkend's 401 auth/access-token-expired, told with the app's own token's exp.
// Refresh tokens rotate, and bkend ends every session of the user when a used one comes back,
// so the hint says to send each one once.
import { expiryPhrase, userTokenOf } from '../log/user-token.js'

export const ACCESS_TOKEN_EXPIRED = 'auth/access-token-expired'

/** The hint, or undefined when the answer is another one or the app's token has no exp claim. */
export function expiredTokenHint (facts: { status: number, errorCode?: string, clientAuthorization?: string }, nowMs: number = Date.now()): { cause: string, text: string } | undefined {
  if (facts.status !== 401 || facts.errorCode !== ACCESS_TOKEN_EXPIRED) return undefined
  const token = userTokenOf(facts.clientAuthorization, nowMs)
  if (token?.exp === undefined) return undefined
  const cause = `401 ${ACCESS_TOKEN_EXPIRED}`
  const retry = 'refresh with POST /v1/auth/refresh and retry once (refresh tokens rotate: send each one only once, or bkend ends every session of the user)'
  if (token.exp * 1000 <= nowMs) return { cause, text: `the token ${expiryPhrase(token.exp, nowMs)} (${token.fingerprint}, exp claim not verified): ${retry}` }
  return { cause, text: `bkend says the token expired, but its exp claim says it ${expiryPhrase(token.exp, nowMs)} (${token.fingerprint}, not verified): this machine's clock may be off, or the session was ended; ${retry}` }
}
