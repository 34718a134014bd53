import t from 'tap'
import { readFileSync } from 'node:fs'
import { SHIPPED_DEFAULTS_FILE } from '../src/config/load-config.js'
import { DEFAULT_HEADER_POLICY, builtInDefaults } from '../src/config/settings.js'

// settings.ts holds every default; config/default.json repeats some of them for users to
// read (and override in place), so it must never say something else.
t.test('config/default.json says what settings.ts says, headerPolicy included', async t => {
  const shipped = JSON.parse(readFileSync(SHIPPED_DEFAULTS_FILE, 'utf8')) as Record<string, unknown>
  const defaults = builtInDefaults() as unknown as Record<string, unknown>
  t.same(shipped.headerPolicy, DEFAULT_HEADER_POLICY)
  for (const [key, value] of Object.entries(shipped)) {
    if (key !== 'headerPolicy') t.same(value, defaults[key], key)
  }
})
