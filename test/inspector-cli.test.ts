// The inspector from the command line: it listens on its own port (INSPECTOR_PORT, 0 for
// any free one) whose URL the banner prints, --no-inspector / INSPECTOR=false /
// "inspector": false turn it off, a port in use stops start-up with one message, and its
// two limits are settings.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { runCli, startCli, tempDir } from './helpers/cli.js'

t.test('the banner prints the page URL on the inspector\'s own port, and the page answers there', async t => {
  const cli = await startCli(t)
  t.not(cli.inspectorPort, null)
  t.not(cli.inspectorPort, cli.port, 'a port of its own')
  t.match(cli.stdout(), new RegExp(`^ {2}inspector {4}http://localhost:${cli.inspectorPort}/__proxy/$`, 'm'))
  t.match(cli.stdout(), new RegExp(`^ {2}switch {7}curl -X POST http://localhost:${cli.inspectorPort}/__proxy/api/environment `, 'm'), 'the switch command names the inspector\'s port')
  const page = await fetch(`http://localhost:${cli.inspectorPort}/__proxy/`)
  t.same([page.status, page.headers.get('content-type')], [200, 'text/html; charset=utf-8'], 'served from the built package (dist/ beside inspector-page/)')
  await page.arrayBuffer()
  const moved = await fetch(`http://localhost:${cli.port}/__proxy/`, { redirect: 'manual' })
  t.same([moved.status, moved.headers.get('location')], [302, `http://localhost:${cli.inspectorPort}/__proxy/`], 'the proxy port sends the page there')
  const health = await (await fetch(`${cli.url}/__proxy/health`)).json() as { inspectorUrl: string }
  t.equal(health.inspectorUrl, `http://127.0.0.1:${cli.inspectorPort}/__proxy/`, 'health names it, by the name the client used')
  await cli.stop()
})

t.test('INSPECTOR_PORT in use: one message naming the setting and the fix, exit 1, and the proxy port is not left open', async t => {
  const taken = createServer()
  await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => taken.close(resolve)))
  const port = (taken.address() as { port: number }).port
  const run = await runCli(t, ['--port', '0'], { env: { INSPECTOR_PORT: String(port) } })
  t.equal(run.code, 1)
  t.equal(run.stderr, `config: port ${port} (INSPECTOR_PORT, from INSPECTOR_PORT) is already in use\n  fix: stop the other process, or INSPECTOR_PORT=${port + 1}\n`)
  t.notMatch(run.stdout, /listening on/, 'no banner: the proxy did not start')
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
    t.equal(cli.inspectorPort, null)
    const page = await fetch(`${cli.url}/__proxy/`)
    t.equal(page.status, 404)
    await page.arrayBuffer()
    const health = await (await fetch(`${cli.url}/__proxy/health`)).json() as { inspectorUrl: string | null }
    t.equal(health.inspectorUrl, null, 'health says there is none')
    await cli.stop()
  }
})

t.test('--inspector-max-exchanges sets the buffer size; a bad value is refused with a fix', async t => {
  const cli = await startCli(t, ['--inspector-max-exchanges', '3', '--inspector-max-body-bytes', '10'])
  const list = await (await fetch(`${cli.inspectorUrl}/__proxy/api/exchanges`)).json() as { capacity: number }
  t.equal(list.capacity, 3)
  await cli.stop()
  const bad = await runCli(t, [], { env: { INSPECTOR_MAX_EXCHANGES: 'lots' } })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /inspectorMaxExchanges "lots" \(from INSPECTOR_MAX_EXCHANGES\) must be a whole number from 1 to 100000\n {2}fix: INSPECTOR_MAX_EXCHANGES=500/)
})

t.test('--help lists the inspector switches', async t => {
  const run = await runCli(t, ['--help'])
  for (const flag of ['--no-inspector', '--inspector-port <value>', '--inspector-max-exchanges <value>', '--inspector-max-body-bytes <value>']) t.match(run.stdout, `  ${flag}`)
  t.match(run.stdout, /INSPECTOR_MAX_BODY_BYTES/)
})
