// Pure: literal copies of configured secrets, whole or cut short, replaced wherever they
// stand; the logger's scrubber remembers every secret it was told of.
import t from 'tap'
import { createSecretScrubber, scrubSecrets } from '../src/redact/secret-scrub.js'
import { configuredSecrets } from '../src/config/configured-secrets.js'
import { testConfig } from './helpers/proxy.js'
import { CUT_SECRET, redactSecret } from '../src/redact/redact.js'

const DEV = 'sk_test_SCRUBdev0123456789abcdefghij0001'
const PROD = 'sk_live_SCRUBprd0123456789abcdefghij0003'

t.test('whole copies become fingerprints, cut copies the cut mark, the rest is left alone', async t => {
  t.equal(scrubSecrets(`x-echo: Bearer ${DEV}; again ${DEV}`, [DEV]), `x-echo: Bearer ${redactSecret(DEV)}; again ${redactSecret(DEV)}`)
  t.equal(scrubSecrets(`{"echo":"${PROD.slice(0, 25)}`, [PROD]), `{"echo":"${CUT_SECRET}`, 'a copy cut off at the end of a preview')
  t.equal(scrubSecrets(`${PROD.slice(0, 20)}" and ${PROD}`, [PROD]), `${CUT_SECRET}" and ${redactSecret(PROD)}`)
  t.equal(scrubSecrets(`${PROD.slice(0, 11)} is only the kind prefix and 3 more`, [PROD]), `${PROD.slice(0, 11)} is only the kind prefix and 3 more`, 'under 12 characters: not a copy')
  t.equal(scrubSecrets('short', ['short']), 'short', 'secrets under 8 characters are not scrubbed')
  const STAGING = 'sk_test_SCRUBstg0123456789abcdefghij0002'
  t.equal(scrubSecrets(`${DEV} ${STAGING} ${STAGING.slice(0, 30)}`, [DEV, STAGING]), `${redactSecret(DEV)} ${redactSecret(STAGING)} ${CUT_SECRET}`, 'keys that share their first characters: each replaced whole, the cut one as far as it goes')
})

t.test('a scrubber remembers every secret it was told of, a replaced key included', async t => {
  const scrubber = createSecretScrubber()
  t.equal(scrubber.scrub(DEV), DEV, 'knows nothing yet')
  scrubber.remember([DEV])
  scrubber.remember([PROD])
  t.equal(scrubber.scrub(`${DEV} ${PROD}`), `${redactSecret(DEV)} ${redactSecret(PROD)}`)
})

t.test('a configuration\'s secrets: every profile\'s key without its scheme, and credential headers', async t => {
  const config = testConfig({ apiKey: `Bearer ${DEV}`, environments: { prod: { apiKey: PROD } }, headers: { 'x-api-key': 'xk_0123456789', 'x-client': 'my-app-name' } })
  t.same([...configuredSecrets(config)].sort(), [DEV, PROD, 'xk_0123456789'].sort())
})
