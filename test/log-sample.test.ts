// docs/log-sample.md is generated from a real run (scripts/log-sample.mjs); it must be
// what a run produces now, so the README's sample never drifts from the log.
import t from 'tap'
import { readFileSync } from 'node:fs'
// @ts-expect-error: a plain ES module script without type declarations
import { renderLogSample, SAMPLE_FILE } from '../scripts/log-sample.mjs'

t.test('the committed log sample is what a run of the CLI produces now', async t => {
  const fresh = await (renderLogSample as () => Promise<string>)()
  t.equal(fresh, readFileSync(SAMPLE_FILE as string, 'utf8'), 'regenerate it with npm run log-sample')
  t.match(fresh, /\n\[09:41:07\.120\] #1 OPTIONS \/v1\/data\/posts\?limit=20 204 0\.4 ms 0 B preflight\n/, 'a compact preflight line')
  t.match(fresh, /\n\* #5 stream open \(text\/event-stream\), headers after 4\.6 ms\n/, 'the stream as it opened')
})
