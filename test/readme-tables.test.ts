// The README's settings and error tables are a public contract: held here against the
// settings table (src/config/settings.ts) and the error catalogue (src/errors.ts), both ways.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { SETTING_KEYS, settingOf, type SettingKey } from '../src/config/settings.js'
import { ERRORS } from '../src/errors.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** The rows of the Markdown table whose header line is exactly `header`, as trimmed cells. */
function tableRows (header: string): string[][] {
  const lines = README.split('\n')
  const start = lines.indexOf(header)
  if (start < 0) throw new Error(`README has no table headed ${header}`)
  const rows: string[][] = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break
    rows.push(line.slice(1, -1).split(' | ').map(cell => cell.trim()))
  }
  return rows
}

const code = (cell: string): string | undefined => /^`([^`]*)`/.exec(cell)?.[1]

/** How the README writes a default: `value`, or words for the empty ones. */
function defaultMatches (cell: string, value: unknown): boolean {
  if (value === '') return cell === 'not set'
  if (value === false) return cell === 'off'
  if (Array.isArray(value) && value.length === 0) return cell === 'none'
  if (Array.isArray(value)) {
    // An origin list is described: its schemes and hosts, and "any port" for :*.
    const urls = value.map(item => new URL(String(item).replace(/:\*$/, '')))
    const words = [...new Set(urls.map(url => url.protocol.slice(0, -1))), ...new Set(urls.map(url => url.hostname))]
    const anyPort = value.every(item => String(item).endsWith(':*'))
    return words.every(word => cell.includes(`\`${word}\``)) && anyPort === cell.includes('any port')
  }
  return code(cell) === String(value)
}

const settingsRows = tableRows('| variable | flag | config key | default | meaning |')
const configOnlyRows = tableRows('| config key | default | meaning |')

t.test('every row of the README settings table matches the settings table', async t => {
  for (const [variable = '', flag = '', key = '', defaultCell = ''] of settingsRows) {
    const name = code(key) as SettingKey
    t.ok(SETTING_KEYS.includes(name), `${key} is a setting`)
    if (!SETTING_KEYS.includes(name)) continue
    const setting = settingOf(name)
    t.equal(code(variable), setting.env, `${name}: variable`)
    if (setting.flag === undefined) t.match(flag, /^\(none/, `${name}: no flag`)
    else {
      t.equal(code(flag), `--${setting.flag}`, `${name}: flag`)
      // A switch that is on by default is turned off with its --no- form, which the row shows.
      t.equal(flag.includes(`\`--no-${setting.flag}\``), setting.boolean === true && setting.default === true, `${name}: --no- form`)
    }
    t.ok(defaultMatches(defaultCell, setting.default), `${name}: default ${JSON.stringify(setting.default)} shown as "${defaultCell}"`)
  }
})

t.test('every setting with an environment variable has exactly one row', async t => {
  const listed = settingsRows.map(([, , key = '']) => code(key))
  for (const key of SETTING_KEYS.filter(key => settingOf(key).env !== undefined)) {
    t.equal(listed.filter(name => name === key).length, 1, key)
  }
})

t.test('the config-file-only rows name settings without a variable, with their defaults', async t => {
  for (const [key = '', defaultCell = ''] of configOnlyRows) {
    const name = code(key) as SettingKey
    t.ok(SETTING_KEYS.includes(name) && settingOf(name).env === undefined, `${key} is a config-file-only setting`)
    if (SETTING_KEYS.includes(name) && code(defaultCell) !== undefined) t.equal(code(defaultCell), JSON.stringify(settingOf(name).default), `${name}: default`)
  }
})

const errorRows = tableRows('| code | status | when |')

t.test('every row of the README error table is a catalogue entry with its status', async t => {
  const entries = new Map<string, number>(Object.values(ERRORS).map(entry => [entry.code, entry.status]))
  for (const [codeCell = '', status = ''] of errorRows) {
    const name = code(codeCell) ?? codeCell
    t.ok(entries.has(name), `${name} is in src/errors.ts`)
    if (entries.has(name)) t.equal(Number(status), entries.get(name), `${name}: status`)
  }
})

t.test('every catalogue entry has exactly one row in the README error table', async t => {
  const listed = errorRows.map(([codeCell = '']) => code(codeCell))
  for (const entry of Object.values(ERRORS)) {
    t.equal(listed.filter(name => name === entry.code).length, 1, entry.code)
  }
})
