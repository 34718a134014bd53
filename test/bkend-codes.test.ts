// bkend's error catalogue (src/diagnose/bkend-codes.ts), walked whole: every code is
// well formed, carries a status the docs could give, and every code a developer can act
// on gets exactly one hint that says the catalogue's fix (or a row of the hint table that
// says it in terms of the proxy's settings).
import t from 'tap'
import { BKEND_CODES, bkendCode } from '../src/diagnose/bkend-codes.js'
import { HINT_TABLE, hintsFor } from '../src/diagnose/hints.js'
import type { HintFacts } from '../src/diagnose/hint-facts.js'
import { bkendErrorCode } from '../src/diagnose/bkend-error-code.js'
import { builtInDefaults } from '../src/config/settings.js'

const PK = 'pk_' + 'a1'.repeat(32)
const AK = 'ak_' + 'b2'.repeat(32)
const CODES = Object.entries(BKEND_CODES)

function facts (code: string, status: number, apiKey: string): HintFacts {
  return { method: 'GET', url: '/v1/data/posts?limit=1', status, answeredBy: 'upstream', errorCode: code, durationMs: 5, responseBytes: 80, settings: { ...builtInDefaults(), apiKey, projectId: 'p1' } }
}

const contextual = new Set(HINT_TABLE.flatMap(row => row.codes ?? []))

t.test('the catalogue holds the codes the docs name, in both families', async t => {
  t.ok(CODES.length >= 100, `${CODES.length} codes`)
  for (const code of ['auth/invalid-api-key-never-documented']) t.equal(bkendCode(code), undefined, 'an unknown code has no entry')
  for (const code of ['auth/invalid-credentials', 'auth/invalid-refresh-token', 'data/scope-insufficient', 'data/project-access-denied', 'SCOPE_INSUFFICIENT', 'PROJECT_ACCESS_DENIED', 'TOKEN_REVOKED', 'MISSING_PROJECT_ID']) {
    t.ok(bkendCode(code)?.fix, `${code} has a fix`)
  }
  t.equal(bkendCode('toString'), undefined, 'no inherited name reads as a code')
})

t.test('every entry is well formed', async t => {
  for (const [code, entry] of CODES) {
    t.match(code, /^([a-z]+\/[a-z0-9]+(-[a-z0-9]+)*|[A-Z]+(_[A-Z]+)*)$/, `${code}: domain/name or UPPER_CASE`)
    t.equal(bkendErrorCode(JSON.stringify({ success: false, error: { code, message: 'x' } })), code, `${code} is read back from an error body`)
    t.ok(entry.status >= 400 && entry.status < 600, `${code}: an error status`)
    t.notMatch(entry.meaning, /: /, `${code}: its meaning has no ": " (the hint's split)`)
    if (entry.fix !== undefined) t.ok(entry.fix.length > 0 && !/^[A-Z]/.test(entry.fix), `${code}: the fix reads on after a colon`)
  }
})

t.test('every actionable code gets one table hint, in both auth schemes', async t => {
  for (const apiKey of [PK, AK]) {
    for (const [code, entry] of CODES) {
      const table = hintsFor(facts(code, entry.status, apiKey)).filter(hint => hint.cause === `${entry.status} ${code}`)
      if (entry.fix === undefined) {
        t.same(table, [], `${code}: nothing to act on, no hint`)
        t.ok(entry.status < 500, `${code}: a server-side code always says what to do`)
        continue
      }
      t.equal(table.length, 1, `${code}: one hint`)
      if (!contextual.has(code)) t.equal(table[0]!.text, `${entry.meaning}: ${entry.fix}`, `${code}: the catalogue's meaning and fix`)
    }
  }
})

t.test('the code decides, not the status bkend gave it', async t => {
  // MISSING_HEADER is 400 on one page and 401 on another.
  const keyless = facts('MISSING_HEADER', 401, '')
  t.match(hintsFor(keyless)[0]!.text, /^bkend wants X-API-Key and no API key is configured: set BKEND_API_KEY/)
  t.equal(hintsFor(facts('auth/invitation-expired', 410, PK))[0]!.text, 'the invitation expired (after 7 days by default): send a new invitation')
})

t.test('a 429 code names the Retry-After beside its fix', async t => {
  t.equal(hintsFor({ ...facts('data/rate-limit-exceeded', 429, PK), retryAfter: '5' })[0]!.text, 'the plan\'s API call limit is reached: cache or batch the calls, or upgrade the plan (bkend says retry after 5 s)')
})

t.test('the proxy\'s own answers never get a bkend catalogue hint', async t => {
  t.same(hintsFor({ ...facts('data/not-found', 404, PK), answeredBy: 'proxy' }), [])
})
