// Pure: a fault's "tokenLifetimeS": whether the user's token (Authorization: Bearer <JWT>)
// was issued longer ago than that, by its iat claim, so an app's refresh logic meets
// 401 auth/access-token-expired in a minute instead of bkend's hour. The claim is read,
// not verified (src/log/user-token.ts); a token without iat, or no token, passes.
import { userTokenOf } from '../log/user-token.js'

export function tokenOutlived (authorization: string | string[] | undefined, lifetimeS: number, nowMs: number): boolean {
  const token = typeof authorization === 'string' ? userTokenOf(authorization, nowMs) : undefined
  return token?.iat !== undefined && nowMs - token.iat * 1000 > lifetimeS * 1000
}
