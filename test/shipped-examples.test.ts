// What we ship for users to copy: .env.example names every setting a user may set from the
// environment (and the per-environment keys), and config/example.json loads as it is.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { SETTINGS } from '../src/config/settings.js'
import { loadConfig } from '../src/config/load-config.js'
import { tempDir } from './helpers/cli.js'

const ROOT = new URL('..', import.meta.url).pathname

t.test('.env.example lists every environment variable, commented out or set', async t => {
  const example = readFileSync(`${ROOT}.env.example`, 'utf8')
  const names = Object.values(SETTINGS).flatMap(setting => 'env' in setting && setting.env !== undefined ? [setting.env] : [])
  for (const name of [...names, 'BKEND_API_KEY_DEV', 'BKEND_API_KEY_STAGING', 'BKEND_API_KEY_PROD']) {
    t.match(example, new RegExp(`^(# )?${name}=`, 'm'), name)
  }
  t.match(example, /compact/, 'the compact log format is named')
  t.match(example, /npm start --silent/, 'and how to keep npm\'s lines off a JSON stdout')
})

t.test('config/example.json loads and shows environments, headers and headerPolicy', async t => {
  const file = `${ROOT}config/example.json`
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  t.ok(raw.environments && raw.headers && raw.headerPolicy, 'the three structured keys are shown')
  const { config } = loadConfig({ env: {}, cwd: tempDir(t), configFile: file })
  t.equal(config.environments.prod.authScheme, 'api-key')
  t.same(config.headers, { 'x-client': 'my-app' })
})
