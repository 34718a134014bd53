// The inspector from the command line: the banner prints its URL, --no-inspector /
// INSPECTOR=false / "inspector": false turn it off, and its two limits are settings.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, startCli, tempDir } from './helpers/cli.js'

t.test('the banner prints the page URL, and the page answers there', async t => {
  const cli = await startCli(t)
  t.match(cli.stdout(), new RegExp(`^ {2}inspector {4}http://localhost:${cli.port}/__proxy/$`, 'm'))
  const page = await fetch(`http://localhost:${cli.port}/__proxy/`)
  t.same([page.status, page.headers.get('content-type')], [200, 'text/html; charset=utf-8'], 'served from the built package (dist/ beside inspector-page/)')
  await page.arrayBuffer()
  await cli.stop()
})

t.test('--no-inspector, INSPECTOR=false and "inspector": false turn it off: 404 for the page', async t => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'off.json'), JSON.stringify({ inspector: false }))
  const runs = [
    await startCli(t, ['--no-inspector']),
    await startCli(t, [], { env: { INSPECTOR: 'false' } }),
    await startCli(t, ['--config', 'off.json'], { cwd: dir })
  ]
  for (const cli of runs) {
    t.match(cli.stdout(), /^ {2}inspector {4}off \(INSPECTOR=false\)$/m)
    const page = await fetch(`${cli.url}/__proxy/`)
    t.equal(page.status, 404)
    await page.arrayBuffer()
    await cli.stop()
  }
})

t.test('--inspector-max-exchanges sets the buffer size; a bad value is refused with a fix', async t => {
  const cli = await startCli(t, ['--inspector-max-exchanges', '3', '--inspector-max-body-bytes', '10'])
  const list = await (await fetch(`${cli.url}/__proxy/api/exchanges`)).json() as { capacity: number }
  t.equal(list.capacity, 3)
  await cli.stop()
  const bad = await runCli(t, [], { env: { INSPECTOR_MAX_EXCHANGES: 'lots' } })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /inspectorMaxExchanges "lots" \(from INSPECTOR_MAX_EXCHANGES\) must be a whole number from 1 to 100000\n {2}fix: INSPECTOR_MAX_EXCHANGES=500/)
})

t.test('--help lists the inspector switches', async t => {
  const run = await runCli(t, ['--help'])
  for (const flag of ['--no-inspector', '--inspector-max-exchanges <value>', '--inspector-max-body-bytes <value>']) t.match(run.stdout, `  ${flag}`)
  t.match(run.stdout, /INSPECTOR_MAX_BODY_BYTES/)
})
