// docs/log-sample.md and the README's sample are generated from a real run
// (scripts/log-sample.mjs); they must be what a run produces now, so they never drift from the log.
import t from 'tap'
import { readFileSync } from 'node:fs'
// @ts-expect-error: a plain ES module script without type declarations
import { runSamples, sampleDocument, readmeSection, withReadmeSection, SAMPLE_FILE, README_FILE } from '../scripts/log-sample.mjs'

t.test('the committed log samples are what a run of the CLI produces now', async t => {
  const samples = await runSamples()
  const fresh = sampleDocument(samples) as string
  t.equal(fresh, readFileSync(SAMPLE_FILE as string, 'utf8'), 'docs/log-sample.md: regenerate it with npm run log-sample')
  const readme = readFileSync(README_FILE as string, 'utf8')
  t.equal(withReadmeSection(readme, readmeSection(samples)), readme, 'README.md: regenerate it with npm run log-sample')
  t.match(fresh, /\n\[09:41:07\.120\] #1 OPTIONS \/v1\/data\/posts\?limit=20 204 0\.4 ms 0 B preflight\n/, 'a compact preflight line')
  t.match(fresh, /\n\* #5 stream open \(text\/event-stream\), headers after 4\.6 ms\n/, 'the stream as it opened')
})
