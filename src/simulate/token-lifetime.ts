// Pure: a fault's "tokenLifetimeS": whether the user's token was issued longer ago than that (by
// its iat claim, read not verified), so refresh logic meets auth/access-token-expired in a minute.
import { userTokenOf } from '../log/user-token.js'

export function tokenOutlived (authorization: string | string[] | undefined, lifetimeS: number, nowMs: number): boolean {
  const token = typeof authorization === 'string' ? userTokenOf(authorization, nowMs) : undefined
  return token?.iat !== undefined && nowMs - token.iat * 1000 > lifetimeS * 1000
}
