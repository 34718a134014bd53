// Which signals stop the real CLI and how: SIGTERM and SIGINT exit 0 once open requests
// finish, a second signal more than 1 s later exits at once with 1 (but not a repeat within
// 1 s: one Ctrl-C on `npm start` arrives twice, see shutdown-ctrl-c.test.ts), and a signal
// to `npm start` reaches the proxy (SHD-04).
import t from 'tap'
import { lastLine, startCli } from './helpers/cli.js'
import { npmStart } from './helpers/npm-start.js'
import { connectRefused, endlessStream, startFakeApi, type FakeHandler } from './helpers/fake-upstream.js'
import { drain } from './helpers/stream-drain.js'
import { waitFor } from './helpers/wait.js'

const SIGNALS = ['SIGTERM', 'SIGINT'] as const

const slowReply: FakeHandler = (_req, res) => {
  setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end('{"slow":true}') }, 800)
}

for (const signal of SIGNALS) {
  t.test(`${signal} with no traffic exits 0 at once`, async t => {
    const cli = await startCli(t)
    const started = Date.now()
    const exit = await cli.stop(signal)
    const elapsedMs = Date.now() - started
    t.same(exit, { code: 0, signal: null })
    t.ok(elapsedMs < 1000, `exited in ${elapsedMs} ms`)
    t.match(cli.stdout(), new RegExp(`INFO: ${signal}: shutting down; open requests get 5000 ms to finish$`, 'm'))
    t.match(lastLine(cli.stdout()), /INFO: stopped$/, 'the last line says it stopped')
    t.equal(cli.stderr(), '')
  })

  t.test(`${signal} while a slow request is in flight: it completes with 200, then exit 0`, async t => {
    const api = await startFakeApi(t, { handler: slowReply })
    const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url } })
    const pending = fetch(new URL('/v1/slow', cli.url))
    await waitFor(() => api.started === 1)
    const started = Date.now()
    cli.child.kill(signal)
    const res = await pending
    t.same([res.status, await res.text()], [200, '{"slow":true}'])
    const exit = await cli.exited
    const elapsedMs = Date.now() - started
    t.same(exit, { code: 0, signal: null })
    t.ok(elapsedMs < 2500, `exited ${elapsedMs} ms after the signal, soon after the reply`)
    t.equal(api.abortedResponses, 0, 'the upstream response was not cut')
    t.match(cli.stdout(), /^\* #1 200 OK in /m, 'the exchange was logged')
    t.match(lastLine(cli.stdout()), /INFO: stopped$/)
  })
}

t.test('a second SIGTERM after the repeat window exits at once with 1', async t => {
  const api = await startFakeApi(t, { handler: endlessStream })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, SHUTDOWN_GRACE_MS: '20000' } })
  const res = await fetch(new URL('/v1/events', cli.url))
  t.equal(res.status, 200)
  const drained = drain(res.body!)
  cli.child.kill('SIGTERM')
  await cli.waitForStdout(/SIGTERM: shutting down; open requests get 20000 ms to finish/)
  await new Promise(resolve => setTimeout(resolve, 400))
  t.equal(cli.child.exitCode, null, 'still running while the stream is open')
  const started = Date.now()
  cli.child.kill('SIGTERM')
  const exit = await cli.exited
  const elapsedMs = Date.now() - started
  t.same(exit, { code: 1, signal: null })
  t.ok(elapsedMs < 1000, `exited ${elapsedMs} ms after the second SIGTERM`)
  t.match(lastLine(cli.stdout()), /WARN: SIGTERM again: exiting now$/)
  t.equal(await drained, 'cut')
})

for (const signal of SIGNALS) {
  t.test(`a repeated ${signal} a few ms later is the same request to stop: the open stream keeps its grace period`, async t => {
    const api = await startFakeApi(t, { handler: endlessStream })
    const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, SHUTDOWN_GRACE_MS: '1500' } })
    const res = await fetch(new URL('/v1/events', cli.url))
    t.equal(res.status, 200)
    const drained = drain(res.body!)
    await waitFor(() => api.started === 1)
    const started = Date.now()
    // As npm does after the terminal's own copy: the same signal a few milliseconds later.
    cli.child.kill(signal)
    await new Promise(resolve => setTimeout(resolve, 5))
    cli.child.kill(signal)
    const exit = await cli.exited
    const elapsedMs = Date.now() - started
    t.same(exit, { code: 0, signal: null })
    t.ok(elapsedMs >= 1400, `exited ${elapsedMs} ms after the first ${signal}, at the end of the 1500 ms grace period`)
    t.notMatch(cli.stdout(), /again: exiting now/)
    t.equal(await drained, 'cut')
    t.match(lastLine(cli.stdout()), /INFO: stopped$/)
  })
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // npm runs the script through `sh -c`; a signal sent to npm reaches sh, not the proxy.
  t.test(`SHD-04 ${signal} to \`npm start\` (npm as the parent process) stops the proxy: exit 0, last line flushed, port closed`, async t => {
    const run = npmStart(t)
    const port = await run.port
    const health = await fetch(`http://127.0.0.1:${port}/__proxy/health`)
    t.equal(health.status, 200)
    await health.text()
    const started = Date.now()
    process.kill(run.pid, signal)
    const exit = await Promise.race([run.exited, new Promise<'timeout'>(resolve => setTimeout(() => resolve('timeout'), 7000))])
    const elapsedMs = Date.now() - started
    t.not(exit, 'timeout', 'npm exited')
    if (exit !== 'timeout') {
      t.ok(exit.code === 0 || (signal === 'SIGINT' && exit.code === 130), `exit code ${exit.code} (signal ${exit.signal})`)
    }
    t.ok(elapsedMs < 5000, `within the grace period (${elapsedMs} ms)`)
    t.match(run.output(), /INFO: stopped\s*$/, 'the proxy itself shut down and flushed its last line')
    t.ok(await connectRefused(port), 'nothing listens on the port any more (no orphaned proxy)')
  })
}
