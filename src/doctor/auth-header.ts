// The "Check auth headers" step of bkend's Connection Issues page, for the scheme in use,
// without a request: the header the proxy would send, the key's documented format, the one
// space after Bearer, and whether a forced BKEND_AUTH_SCHEME fits the key. Today's scheme
// (X-API-Key) needs no project id; the original one (Authorization: Bearer) does.
import type { Config } from '../config/settings.js'
import { redactSecret } from '../redact/redact.js'
import { API_KEY_FORMAT, BEARER_KEY_FORMAT, configuredAuthScheme, forcedAuthScheme } from '../diagnose/auth-scheme.js'
import { fail, pass, skip, type StepResult } from './step.js'

const STEP = 'auth-header'
const FORMATS = 'pk_… or sk_… + 64 hex for X-API-Key, ak_… + 64 hex for Authorization: Bearer'
const PUBLISHABLE_FIX = 'BKEND_API_KEY=pk_… (the environment\'s publishable key, console → API Keys)'
// A JWT: three base64url parts; the original scheme also took a user's token as the key.
const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/

export function checkAuthHeader (config: Pick<Config, 'apiKey' | 'projectId' | 'authScheme'>): StepResult {
  const key = config.apiKey
  const forced = forcedAuthScheme(config)
  const scheme = configuredAuthScheme(config)
  if (key === '') {
    return skip(STEP, `no key to check: BKEND_API_KEY is not set, so the app must send ${scheme === 'api-key' ? 'X-API-Key' : 'Authorization'} itself`)
  }
  const withScheme = /^bearer(\s*)/i.exec(key)
  const bare = withScheme ? key.slice(withScheme[0].length) : key
  const shown = redactSecret(bare)
  if (scheme === 'api-key') {
    if (withScheme) return fail(STEP, `BKEND_API_KEY starts with "${withScheme[0].trim()}", but X-API-Key takes the bare key`, 'BKEND_API_KEY=<the key alone, without "Bearer ">')
    if (API_KEY_FORMAT.test(key)) {
      const kind = key.startsWith('pk_') ? 'publishable' : 'secret'
      return pass(STEP, `X-API-Key: ${shown}, a ${kind} key; it carries the project and environment, and Authorization is left to the app's signed-in user`)
    }
    if (BEARER_KEY_FORMAT.test(key)) return fail(STEP, `BKEND_AUTH_SCHEME=api-key, but ${shown} is an ak_ key of the original scheme (Authorization: Bearer)`, `BKEND_AUTH_SCHEME=auto, or ${PUBLISHABLE_FIX}`)
    return fail(STEP, `${shown} is not a pk_/sk_ key, which bkend checks first (a missing pk_/sk_ prefix is answered 401)`, PUBLISHABLE_FIX)
  }
  if (withScheme && withScheme[1] !== ' ') {
    return fail(STEP, `BKEND_API_KEY is "${withScheme[0]}" then the key: Authorization needs exactly one space after Bearer`, 'BKEND_API_KEY=<the key alone>; the proxy adds "Bearer " itself')
  }
  if (API_KEY_FORMAT.test(bare)) {
    const kind = bare.startsWith('pk_') ? 'publishable' : 'secret'
    return forced === 'bearer'
      ? fail(STEP, `BKEND_AUTH_SCHEME=bearer, but ${shown} is a ${kind} key, which bkend reads from X-API-Key only`, 'BKEND_AUTH_SCHEME=auto (or api-key)')
      : fail(STEP, `BKEND_API_KEY is "Bearer " and a ${kind} key, so it goes as Authorization: Bearer; bkend reads pk_/sk_ keys from X-API-Key only`, 'BKEND_API_KEY=<the key alone>; the proxy then sends it as X-API-Key')
  }
  const header = `Authorization: Bearer ${shown}`
  const known = BEARER_KEY_FORMAT.test(bare) || JWT.test(bare)
  if (!known && forced !== 'bearer') {
    return fail(STEP, `${shown} matches none of bkend's key formats (${FORMATS}), so it goes as ${header} (the original scheme)`, `${PUBLISHABLE_FIX}; or BKEND_AUTH_SCHEME=api-key or bearer to choose the header yourself`)
  }
  if (config.projectId === '') {
    return fail(STEP, `${header} (the original scheme) without X-Project-Id: bkend on that scheme answers 400 MISSING_PROJECT_ID`, 'BKEND_PROJECT_ID=<your project id> (console → Project Settings); or move to today\'s scheme with the environment\'s pk_ key')
  }
  const why = known ? (BEARER_KEY_FORMAT.test(bare) ? 'an ak_ key' : 'a JWT') : 'as BKEND_AUTH_SCHEME=bearer says (its format is none of bkend\'s documented ones)'
  return pass(STEP, `${header}, ${why}, with X-Project-Id ${config.projectId} and X-Environment (the original scheme)`)
}
