// The bkend auth calls that only sign a user in or out, which prod read-only lets through
// as POST. Everything else under /auth (sign-up, password change and reset, MFA, account
// linking, withdrawal, invitations, email verification, organization switch) creates or
// changes an account and stays refused. The README's "Prod read-only" list is this one.

/** Paths after API_PREFIX, as bkend documents them (authentication/19-api-reference, 04-magic-link, 05-social-overview). */
export const READ_ONLY_AUTH_POSTS = [
  '/auth/email/signin', // email and password (or a magic-link request)
  '/auth/email/callback', // a magic link's token
  '/auth/google/callback',
  '/auth/github/callback',
  '/auth/refresh',
  '/auth/signout'
] as const

const allowed = new Set<string>(READ_ONLY_AUTH_POSTS)

/** Whether a POST to this (canonical) path only signs in, refreshes or signs out. */
export function isReadOnlyAuthPost (path: string, apiPrefix: string): boolean {
  return path.startsWith(apiPrefix + '/auth/') && allowed.has(path.slice(apiPrefix.length))
}
