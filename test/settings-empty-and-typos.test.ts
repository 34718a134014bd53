// Settings that do what they say: NAME= (empty) in a stronger source means "not set" and
// wins over a weaker one, and a misspelt URL gets its repaired self as the fix.
import t from 'tap'
import { workdir, failure } from './helpers/config-dir.js'
import { loadConfig } from '../src/config/load-config.js'
import { repairedUrl } from '../src/config/parse-values.js'

const DOTENV_KEY = 'sk_test_DOTENVKEY0123456789abcdefghij'



t.test('an empty BKEND_API_KEY in the environment means no key, even with one in .env', async t => {
  const cwd = workdir({ '.env': `BKEND_API_KEY=${DOTENV_KEY}\nPORT=9000\n` })
  const { config, origin } = loadConfig({ env: { BKEND_API_KEY: '', PORT: '' }, cwd })
  t.equal(config.apiKey, '')
  t.equal(origin.apiKey, 'BKEND_API_KEY (empty: not set)')
  t.equal(config.port, 8787, 'PORT= falls back to the default, not to .env')
  t.equal(loadConfig({ env: {}, cwd }).config.apiKey, DOTENV_KEY, 'without the empty variable .env applies')
})

t.test('an empty per-environment key drops that profile\'s own key from .env', async t => {
  const cwd = workdir({ '.env': `BKEND_API_KEY_STAGING=${DOTENV_KEY}\n` })
  const { config } = loadConfig({ env: { BKEND_API_KEY_STAGING: '' }, cwd })
  t.equal(config.environments.staging.apiKey, '')
})

t.test('a misspelt API URL is answered with the URL it most likely was', async t => {
  const message = failure(() => loadConfig({ env: { BKEND_API_URL: 'htp:/127.0.0.1:9911' }, cwd: workdir({}) }))
  t.match(message, /fix: BKEND_API_URL=http:\/\/127\.0\.0\.1:9911$/)
  t.same(
    ['htp:/127.0.0.1:9911', 'htps://api-client.bkend.ai', 'localhost:9911', 'api-client.bkend.ai', '127.0.0.1:9911/base', 'not a url', 'mailto:someone'].map(repairedUrl),
    ['http://127.0.0.1:9911', 'https://api-client.bkend.ai', 'http://localhost:9911', 'https://api-client.bkend.ai', 'http://127.0.0.1:9911/base', undefined, undefined])
})
