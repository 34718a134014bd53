// createOriginMatcher is pure: exact expected verdicts, matched on parsed scheme, host
// and port, never on substrings.
import t from 'tap'
import { createOriginMatcher } from '../src/cors/origin-match.js'
import { builtInDefaults } from '../src/config/settings.js'

function verdicts (patterns: readonly string[], origins: string[]): Record<string, boolean> {
  const allowed = createOriginMatcher(patterns)
  return Object.fromEntries(origins.map(origin => [origin, allowed(origin)]))
}

t.test('the default list allows http and https loopback origins at any port', async t => {
  const origins = [
    'http://localhost:3000', 'http://localhost', 'http://localhost:80', 'https://localhost', 'https://localhost:8443',
    'http://127.0.0.1:5173', 'https://127.0.0.1:1', 'http://[::1]:3000', 'https://[::1]', 'HTTP://LOCALHOST:3000'
  ]
  t.same(verdicts(builtInDefaults().corsOrigins, origins), Object.fromEntries(origins.map(origin => [origin, true])))
})

t.test('the default list refuses look-alikes, other hosts and non-origins', async t => {
  const origins = [
    'https://evil.example',
    'null',
    'http://localhost.evil.example:3000',
    'http://localhost:3000.evil.example',
    'http://127.0.0.1.evil.example',
    'http://evil-localhost:3000',
    'http://127.0.0.2:3000',
    'http://0.0.0.0:3000',
    'http://192.168.1.10:3000',
    'http://[::2]:3000',
    'http://localhost:3000/',
    'http://localhost:3000/path',
    'http://localhost:3000?x=1',
    'http://localhost:3000#x',
    'http://user@localhost:3000',
    'http://evil.example@localhost:3000',
    'http://localhost:3000 ',
    'ws://localhost:3000',
    'file://',
    'localhost:3000',
    'http://',
    'http://localhost:99999',
    ''
  ]
  t.same(verdicts(builtInDefaults().corsOrigins, origins), Object.fromEntries(origins.map(origin => [origin, false])))
})

t.test('an exact origin matches only its scheme, host and port', async t => {
  t.same(verdicts(['http://localhost:3000'], [
    'http://localhost:3000', 'http://localhost:3001', 'https://localhost:3000', 'http://127.0.0.1:3000', 'http://localhost'
  ]), {
    'http://localhost:3000': true,
    'http://localhost:3001': false,
    'https://localhost:3000': false,
    'http://127.0.0.1:3000': false,
    'http://localhost': false
  })
})

t.test('a pattern without port means the scheme\'s default port', async t => {
  t.same(verdicts(['https://app.example.test', 'http://localhost'], [
    'https://app.example.test', 'https://app.example.test:443', 'https://app.example.test:8443',
    'http://app.example.test', 'https://sub.app.example.test', 'http://localhost:80', 'http://localhost:8080'
  ]), {
    'https://app.example.test': true,
    'https://app.example.test:443': true,
    'https://app.example.test:8443': false,
    'http://app.example.test': false,
    'https://sub.app.example.test': false,
    'http://localhost:80': true,
    'http://localhost:8080': false
  })
})

t.test('host:* allows any port of that scheme and host only', async t => {
  t.same(verdicts(['http://dev.test:*'], [
    'http://dev.test:1', 'http://dev.test:65535', 'http://dev.test', 'https://dev.test:1', 'http://sub.dev.test:1', 'http://dev.test.evil.example:1'
  ]), {
    'http://dev.test:1': true,
    'http://dev.test:65535': true,
    'http://dev.test': true,
    'https://dev.test:1': false,
    'http://sub.dev.test:1': false,
    'http://dev.test.evil.example:1': false
  })
})

t.test('an empty list allows nothing', async t => {
  t.same(verdicts([], ['http://localhost:3000', 'null']), { 'http://localhost:3000': false, null: false })
})
