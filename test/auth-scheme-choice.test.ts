// The diagnose room's reading of which auth scheme a key is sent with (the hints and the
// doctor speak of it): by the key's documented format, or as BKEND_AUTH_SCHEME forces.
import t from 'tap'
import { authSchemeFor, configuredAuthScheme } from '../src/diagnose/auth-scheme.js'
import { builtInDefaults, type Config } from '../src/config/settings.js'

const PK = 'pk_' + 'aB'.repeat(32)
const SK = 'sk_' + '09'.repeat(32)
const AK = 'ak_' + 'f0'.repeat(32)

t.test('auto goes by the documented formats; anything else keeps the original scheme', async t => {
  t.same([PK, SK, AK, 'sk_test_CANARY0123456789abcdefghijklmnop', `${PK}0`, `Bearer ${PK}`, 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln'].map(key => authSchemeFor(key)),
    ['api-key', 'api-key', 'bearer', 'bearer', 'bearer', 'bearer', 'bearer'])
  t.equal(authSchemeFor(''), 'api-key', 'no key: today\'s scheme is the one to speak of')
})

t.test('a forced scheme wins; an unknown value counts as auto', async t => {
  t.same([authSchemeFor(AK, 'api-key'), authSchemeFor(PK, 'bearer'), authSchemeFor(PK, 'auto'), authSchemeFor(AK, 'sideways')], ['api-key', 'bearer', 'api-key', 'bearer'])
})

t.test('the configuration\'s authScheme is read when present', async t => {
  const config = (more: Record<string, unknown>): Config => ({ ...builtInDefaults(), apiKey: PK, ...more }) as Config
  t.same([configuredAuthScheme(config({})), configuredAuthScheme(config({ authScheme: 'bearer' })), configuredAuthScheme(config({ authScheme: 'auto' }))], ['api-key', 'bearer', 'api-key'])
})
