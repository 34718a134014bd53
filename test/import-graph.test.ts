// src/ is a stack of rooms where every import runs down: no cycle between files, none
// between rooms (scripts/import-graph.mjs names the imports that close one).
import t from 'tap'
import { execFileSync } from 'node:child_process'

t.test('no import cycle between files or rooms of src/', async t => {
  let output: string
  try {
    output = execFileSync(process.execPath, ['scripts/import-graph.mjs'], { encoding: 'utf8' })
  } catch (error) {
    output = String((error as { stdout?: string }).stdout)
  }
  t.match(output, / 0 file cycles, 0 room cycles$/m, output)
})
