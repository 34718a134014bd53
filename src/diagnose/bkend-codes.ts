// Pure data: every error code bkend's documentation names, with the docs' status, meaning and
// (where a developer can act) fix. One table for the hints, the doctor, the tests and the mocks.
// Two families: today's `domain/name` codes and the upper-case codes of the
// `{"statusCode", "error": "CODE"}` shape, which a bkend on the original scheme may still send.
// With no status in the docs, their own rule by the code's words applies (expired → 401,
// not-found → 404, too-many → 429, else 400). `meaning` never contains ": ": a hint reads
// "<meaning>: <fix>" and the compact log keeps what follows the first colon.

export interface BkendCode {
  status: number
  meaning: string
  /** Absent where the docs give no fix and the developer cannot change the outcome. */
  fix?: string
  /** The key was verified before this was refused: the credentials are not the problem. */
  keyAccepted?: true
}

const SIGN_IN_AGAIN = 'sign the user in again'
const CHECK_ID = 'check the id in the path'

export const BKEND_CODES: Readonly<Record<string, BkendCode>> = {
  'auth/access-token-expired': { status: 401, meaning: 'the user\'s access token expired (they live 1 hour)', fix: 'refresh it with POST /v1/auth/refresh and retry the request once' },
  'auth/account-already-linked': { status: 409, meaning: 'this social account is already linked to a user', fix: 'check the user\'s linked accounts (GET /v1/auth/accounts) before linking' },
  'auth/account-banned': { status: 403, meaning: 'the user\'s account is suspended' },
  'auth/account-exists-different-provider': { status: 409, meaning: 'the email is registered with another sign-in method', fix: 'sign in with the original provider, or link the accounts' },
  'auth/account-locked': { status: 429, meaning: 'the account is locked after too many failed sign-ins', fix: 'wait and try again, or reset the password' },
  'auth/account-not-found': { status: 404, meaning: 'no user account has this email or id', fix: 'check the email or user id' },
  'auth/already-verified': { status: 400, meaning: 'the email is verified already', fix: 'skip the verification step for this user' },
  'auth/cannot-unlink-last-account': { status: 400, meaning: 'the user\'s last sign-in method cannot be unlinked', fix: 'link another sign-in method first' },
  'auth/email-already-exists': { status: 409, meaning: 'the email is registered already', fix: 'sign in instead, reset the password, or use another email' },
  'auth/email-not-verified': { status: 403, meaning: 'signing in needs a verified email', fix: 'have the user open the verification link, or send a new one' },
  'auth/expired-password-reset-token': { status: 400, meaning: 'the password-reset link expired', fix: 'request a new reset email (POST /v1/auth/password/reset/request)' },
  'auth/forbidden': { status: 403, meaning: 'the user may not do this', fix: 'check the user\'s role and the permissions it needs' },
  'auth/invalid-access-token': { status: 401, meaning: 'the access token is invalid or expired', fix: 'check the token the app sends in Authorization: Bearer, or sign the user in again' },
  'auth/invalid-credentials': { status: 401, meaning: 'the email and password do not match', fix: 'check both, or reset the password' },
  'auth/invalid-email': { status: 400, meaning: 'the email address is malformed', fix: 'send a valid email address' },
  'auth/invalid-email-format': { status: 400, meaning: 'the email address is malformed', fix: 'send a valid email address' },
  'auth/invalid-mfa-code': { status: 401, meaning: 'the MFA code is wrong', fix: 'send the current 6-digit code from the authenticator app' },
  'auth/invalid-oauth-code': { status: 401, meaning: 'the social sign-in\'s authorization code is invalid', fix: 'restart the sign-in flow (a code works once, for a short time)' },
  'auth/invalid-password': { status: 401, meaning: 'the current password is wrong', fix: 'send the user\'s current password' },
  'auth/invalid-password-format': { status: 400, meaning: 'the password breaks the password policy', fix: 'use 8 to 128 characters with upper and lower case, a digit and a special character (unless the project sets its own policy)' },
  'auth/invalid-refresh-token': { status: 401, meaning: 'the refresh token is invalid, used already, or its session is gone', fix: `${SIGN_IN_AGAIN} (refresh tokens rotate: keep only the newest and never send one twice, or every session of the user ends)` },
  'auth/invalid-request': { status: 400, meaning: 'the request\'s parameters are invalid', fix: 'check the parameters against the API reference' },
  'auth/invalid-token': { status: 401, meaning: 'a link or invitation token is invalid', fix: 'use the latest link or invitation, or ask for a new one' },
  'auth/invalid-token-format': { status: 401, meaning: 'the token is neither a pk_/sk_ key nor a JWT', fix: 'check the key or token for quotes, whitespace or a missing part' },
  'auth/invitation-already-accepted': { status: 400, meaning: 'the invitation was accepted already', fix: 'nothing to accept: the user is a member already' },
  // 400 in the invitations guide, 410 in the API reference.
  'auth/invitation-expired': { status: 400, meaning: 'the invitation expired (after 7 days by default)', fix: 'send a new invitation' },
  'auth/invitation-not-found': { status: 404, meaning: 'no invitation has this id', fix: CHECK_ID },
  'auth/last-auth-method': { status: 400, meaning: 'the user\'s last sign-in method cannot be unlinked', fix: 'link another sign-in method first' },
  'auth/magic-token-expired': { status: 401, meaning: 'the magic link expired', fix: 'request a new link' },
  'auth/magic-token-missing': { status: 400, meaning: 'the magic-link token is missing', fix: 'open the full link, token included' },
  'auth/magiclink-disabled': { status: 400, meaning: 'magic-link sign-in is off for this project', fix: 'use another sign-in method' },
  'auth/magiclink-not-available-for-social': { status: 400, meaning: 'the email belongs to a social-login account', fix: 'sign in with that social provider' },
  // 400 in the MFA guide, 409 in the API reference.
  'auth/mfa-already-enabled': { status: 400, meaning: 'MFA is on already', fix: 'nothing to enable; skip this step' },
  'auth/mfa-backup-codes-exhausted': { status: 400, meaning: 'every MFA backup code is used', fix: 'turn MFA off and on again for new codes' },
  'auth/mfa-not-enabled': { status: 400, meaning: 'MFA is off for this user', fix: 'turn MFA on first (POST /v1/auth/mfa/enable)' },
  'auth/mfa-required': { status: 403, meaning: 'MFA is on and no code was sent', fix: 'send the sign-in again with mfaCode (the 6-digit code)' },
  'auth/mfa-setup-expired': { status: 400, meaning: 'the MFA setup session expired', fix: 'start the MFA setup again' },
  'auth/missing-authorization-header': { status: 401, meaning: 'this endpoint needs a signed-in user and no Authorization came', fix: 'send Authorization: Bearer <accessToken>' },
  'auth/oauth-callback-failed': { status: 500, meaning: 'bkend could not complete the social sign-in callback', fix: 'check the provider\'s settings in the console, then retry' },
  'auth/oauth-not-configured': { status: 400, meaning: 'the social provider is not (fully) configured', fix: 'configure it in the console (client id, secret, callback URL)' },
  'auth/rate-limit': { status: 429, meaning: 'too many requests', fix: 'wait a moment and retry' },
  'auth/same-as-previous-password': { status: 400, meaning: 'the new password is the current one', fix: 'choose a different password' },
  'auth/session-expired': { status: 401, meaning: 'the session expired (after 7 days)', fix: SIGN_IN_AGAIN },
  'auth/session-not-found': { status: 404, meaning: 'no session has this id', fix: 'list the sessions (GET /v1/auth/sessions); it may be signed out already' },
  'auth/template-not-found': { status: 404, meaning: 'the email template does not exist', fix: 'check the templates in the console (they are not managed over the REST API)' },
  'auth/token-expired': { status: 401, meaning: 'a token expired (access, refresh, magic-link or verification)', fix: 'refresh the access token, or sign in again or ask for a new link' },
  'auth/too-many-code-requests': { status: 429, meaning: 'too many verification codes were requested', fix: 'wait before asking for another code' },
  'auth/too-many-login-attempts': { status: 429, meaning: 'too many sign-in attempts', fix: 'wait before trying again' },
  'auth/too-many-requests': { status: 429, meaning: 'too many requests', fix: 'wait and retry, and slow down the loop or burst that sends them' },
  'auth/unauthorized': { status: 401, meaning: 'the credentials are missing or invalid', fix: 'send a valid key and, where the endpoint needs one, the user\'s token' },
  'auth/unsupported-provider': { status: 400, meaning: 'only Google and GitHub sign-in are supported', fix: 'use google or github in the path' },
  'auth/user-not-found': { status: 404, meaning: 'the user was deleted', fix: 'sign the user out and drop the stored tokens' },
  'auth/validation-error': { status: 400, meaning: 'a parameter is missing or malformed', fix: 'check the request body' },
  'auth/verification-token-expired': { status: 401, meaning: 'the reset or verification link expired (after 24 hours)', fix: 'ask for a new one' },
  'auth/verification-token-not-found': { status: 404, meaning: 'the reset or verification token is unknown', fix: 'use the latest link, or ask for a new one' },
  'auth/weak-password': { status: 400, meaning: 'the password is too weak or appears in a leaked-password list', fix: 'choose a stronger password' },

  'user/not-found': { status: 404, meaning: 'no user has this id', fix: CHECK_ID },
  'user/unauthorized': { status: 401, meaning: 'this endpoint needs a signed-in user', fix: 'send Authorization: Bearer <accessToken>' },
  'user/forbidden': { status: 403, meaning: 'this user may not change that user', fix: 'a user edits only their own profile; admin changes go through a secret key, server-side' },
  'user/invalid-role': { status: 400, meaning: 'the role is not valid', fix: 'send one of the project\'s roles' },
  'user/invalid-name': { status: 400, meaning: 'the name is not valid', fix: 'check the name\'s length and characters' },
  'user/invalid-nickname': { status: 400, meaning: 'the nickname is not valid', fix: 'check the nickname\'s length and characters' },

  'data/validation-error': { status: 400, meaning: 'the body breaks the table\'s schema (a required field, a type, a pattern or a range)', fix: 'compare the body with the table\'s schema (GET /v1/data/<table>/spec)', keyAccepted: true },
  'data/invalid-header': { status: 400, meaning: 'a required header is missing', fix: 'send X-API-Key (and Content-Type: application/json with a body)' },
  'data/permission-denied': { status: 403, meaning: 'the table\'s permissions deny this operation', fix: 'check the table\'s permissions, or sign the user in', keyAccepted: true },
  'data/system-table-access': { status: 403, meaning: 'only admin may use system tables (names starting with _)', fix: 'call it with a secret sk_ key, server-side only', keyAccepted: true },
  'data/scope-insufficient': { status: 403, meaning: 'the key\'s scopes do not include this table and operation (checked before permissions, even for admin)', fix: 'use a key whose scopes include it, e.g. posts:read or posts:*', keyAccepted: true },
  'data/project-access-denied': { status: 403, meaning: 'the token\'s project is not this project', fix: 'use a key and a user token issued for this project' },
  'data/table-not-found': { status: 404, meaning: 'the table does not exist in this project and environment', fix: 'check the spelling and case of the table name (names are case-sensitive)', keyAccepted: true },
  'data/environment-not-found': { status: 404, meaning: 'the environment named by the key does not exist', fix: 'use the key issued for that environment' },
  'data/not-found': { status: 404, meaning: 'no record has this id', fix: CHECK_ID, keyAccepted: true },
  'data/duplicate-value': { status: 409, meaning: 'a unique index holds this value already', fix: 'use another value, or look the record up first', keyAccepted: true },
  'data/rate-limit-exceeded': { status: 429, meaning: 'the plan\'s API call limit is reached', fix: 'cache or batch the calls, or upgrade the plan' },

  'file/invalid-name': { status: 400, meaning: 'the file name is not valid', fix: 'send a plain file name' },
  'file/file-too-large': { status: 400, meaning: 'the file is over the upload limit', fix: 'compress it, or upload it in parts (POST /v1/files/multipart/init)' },
  'file/file-too-small': { status: 400, meaning: 'the file is under the minimum size', fix: 'check the fileSize sent' },
  'file/invalid-format': { status: 400, meaning: 'the file type is not accepted', fix: 'check contentType (images: JPEG, PNG, GIF or WebP)' },
  'file/invalid-path': { status: 400, meaning: 'the storage path is not valid', fix: 'use the key the presigned-url call returned' },
  'file/invalid-part-number-range': { status: 400, meaning: 'a part number is outside 1 to 10000', fix: 'number the parts from 1 to 10000' },
  'file/invalid-parts-array': { status: 400, meaning: 'the parts list is malformed', fix: 'send parts as [{partNumber, etag}] with each part\'s ETag' },
  'file/s3-key-too-long': { status: 400, meaning: 'the storage key is too long', fix: 'use the key the presigned-url call returned' },
  'file/original-name-too-long': { status: 400, meaning: 'the original file name is too long', fix: 'shorten originalName' },
  'file/mime-type-too-long': { status: 400, meaning: 'the MIME type is too long', fix: 'send a plain MIME type, e.g. image/png' },
  'file/size-negative': { status: 400, meaning: 'the size is negative', fix: 'send the size in bytes' },
  'file/access-denied': { status: 403, meaning: 'this user may not use the file', fix: 'check the file\'s visibility and owner' },
  'file/not-found': { status: 404, meaning: 'no file has this id', fix: CHECK_ID },
  'file/s3-key-already-exists': { status: 409, meaning: 'metadata for this storage key is registered already', fix: 'register each upload once; ask for a new presigned URL for a new file' },
  'file/bucket-not-configured': { status: 500, meaning: 'the project\'s storage is not set up', fix: 'no request can change that: report it to bkend support with the curl command below' },
  'file/upload-init-failed': { status: 500, meaning: 'starting the multipart upload failed', fix: 'retry once; if it fails again, report it with the curl command below' },
  'file/too-large': { status: 413, meaning: 'the file is over 10 MB', fix: 'compress it to 10 MB or less' },

  'common/authentication-required': { status: 401, meaning: 'file APIs need a signed-in user', fix: 'send Authorization: Bearer <accessToken> (refresh it first if it expired)' },
  'common/invalid-parameters': { status: 400, meaning: 'parameters are invalid or missing', fix: 'check the parameters against the API reference' },
  'common/forbidden': { status: 403, meaning: 'a user may change only their own data', fix: 'act on the user\'s own records' },

  // Upper-case codes ({"statusCode", "error": "CODE", "message"}).
  UNAUTHORIZED: { status: 401, meaning: 'no credentials came with the request', fix: 'send X-API-Key with the environment\'s key' },
  INVALID_TOKEN: { status: 401, meaning: 'the token is neither a pk_/sk_ key nor a JWT', fix: 'check the key or token for quotes, whitespace or a missing part' },
  TOKEN_EXPIRED: { status: 401, meaning: 'the token expired', fix: 'refresh the access token (POST /v1/auth/refresh) and retry once' },
  TOKEN_REVOKED: { status: 401, meaning: 'the API key was revoked', fix: 'issue a new key in the console (API Keys) and use it' },
  PERMISSION_DENIED: { status: 403, meaning: 'the caller\'s group may not do this (or write this column)', fix: 'check the table\'s permissions, or sign the user in', keyAccepted: true },
  SCOPE_INSUFFICIENT: { status: 403, meaning: 'the key\'s scopes do not include this table and operation (checked before permissions, even for admin)', fix: 'use a key whose scopes include it, e.g. posts:delete or posts:*', keyAccepted: true },
  SYSTEM_TABLE_ACCESS: { status: 403, meaning: 'only admin may use system tables (names starting with _)', fix: 'call it with a secret sk_ key, server-side only', keyAccepted: true },
  PROJECT_ACCESS_DENIED: { status: 403, meaning: 'the key has no access to this project', fix: 'use a key issued for this project' },
  PROJECT_NOT_FOUND: { status: 404, meaning: 'the project named by the key does not exist', fix: 'use a current key of your project' },
  ENVIRONMENT_NOT_FOUND: { status: 404, meaning: 'the environment named by the key does not exist', fix: 'use the key issued for that environment' },
  VALIDATION_ERROR: { status: 400, meaning: 'the input is not valid', fix: 'check the body and the filter parameters', keyAccepted: true },
  TABLE_NOT_FOUND: { status: 404, meaning: 'the table does not exist in this project and environment', fix: 'check the spelling and case of the table name (names are case-sensitive)', keyAccepted: true },
  RECORD_NOT_FOUND: { status: 404, meaning: 'no record has this id', fix: CHECK_ID, keyAccepted: true },
  NOT_FOUND: { status: 404, meaning: 'the record or resource does not exist', fix: CHECK_ID },
  EMAIL_ALREADY_EXISTS: { status: 409, meaning: 'the email is registered already', fix: 'sign in instead, reset the password, or use another email' },
  DUPLICATE_VALUE: { status: 409, meaning: 'a unique index holds this value already', fix: 'use another value, or look the record up first', keyAccepted: true },
  RATE_LIMIT_EXCEEDED: { status: 429, meaning: 'the request limit is reached', fix: 'wait a moment and retry, and call less often' },
  AUTHENTICATION_REQUIRED: { status: 401, meaning: 'the token is invalid', fix: 'refresh the user\'s token, or check the auth headers' },
  MISSING_HEADER: { status: 400, meaning: 'X-API-Key is missing', fix: 'send X-API-Key with the environment\'s key' },
  FILE_TOO_LARGE: { status: 400, meaning: 'the file is over the limit', fix: 'compress it or lower its resolution' },
  // Only on the original pages (2026-02-12).
  MISSING_PROJECT_ID: { status: 400, meaning: 'X-Project-Id is missing (original scheme)', fix: 'send X-Project-Id with the project id' },
  INVALID_COLUMN_TYPE: { status: 400, meaning: 'the column type is unknown', fix: 'use String, Number, Boolean, Date, Array, Object or Mixed' },
  INVALID_FILTER: { status: 400, meaning: 'the filter is malformed', fix: 'send andFilters or orFilters as URL-encoded JSON' },
  INVALID_CREDENTIALS: { status: 401, meaning: 'the email and password do not match', fix: 'check both, or reset the password' },
  DUPLICATE_TABLE: { status: 409, meaning: 'a table with this name exists already', fix: 'choose another table name' },
  UNIQUE_CONSTRAINT: { status: 409, meaning: 'a unique index holds this value already', fix: 'use another value, or look the record up first', keyAccepted: true },
  EMAIL_RATE_LIMIT: { status: 429, meaning: 'the hourly email limit is reached', fix: 'wait before sending more emails' }
}

/** The entry of a code bkend sent, if the docs name it. */
export function bkendCode (code: string | undefined): BkendCode | undefined {
  return code === undefined || !Object.hasOwn(BKEND_CODES, code) ? undefined : BKEND_CODES[code]
}
