// SIGTERM/SIGINT on the real CLI: open requests finish within SHUTDOWN_GRACE_MS, streams
// that never end are cut when it runs out, and a second signal exits at once with 1 (but
// not a repeat within 1 s: one Ctrl-C on `npm start` arrives twice, see cli-ctrl-c.test.ts).
import t from 'tap'
import { startCli } from './helpers/cli.js'
import { startFakeApi, type FakeHandler } from './helpers/fake-upstream.js'
import { waitFor } from './helpers/wait.js'

const SIGNALS = ['SIGTERM', 'SIGINT'] as const

function lastLine (text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? ''
}

const slowReply: FakeHandler = (_req, res) => {
  setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end('{"slow":true}') }, 800)
}

/** Sends the head and one event, then never finishes the response. */
const endlessStream: FakeHandler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  res.write('data: 1\n\n')
}

/** Reads a stream to its end; says whether it ended cleanly or was cut. */
async function drain (body: ReadableStream<Uint8Array>): Promise<'ended' | 'cut'> {
  const reader = body.getReader()
  try {
    while (!(await reader.read()).done);
    return 'ended'
  } catch {
    return 'cut'
  }
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

t.test('SHUTDOWN_GRACE_MS=300 cuts a stream that never ends and exits 0 within ~2 s', async t => {
  const api = await startFakeApi(t, { handler: endlessStream })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, SHUTDOWN_GRACE_MS: '300' } })
  const res = await fetch(new URL('/v1/events', cli.url))
  t.equal(res.status, 200)
  const drained = drain(res.body!)
  await waitFor(() => api.started === 1)
  const started = Date.now()
  cli.child.kill('SIGTERM')
  const exit = await cli.exited
  const elapsedMs = Date.now() - started
  t.same(exit, { code: 0, signal: null })
  t.ok(elapsedMs >= 250 && elapsedMs < 2000, `exited ${elapsedMs} ms after SIGTERM (grace 300 ms)`)
  t.equal(await drained, 'cut', 'the client sees the stream cut, not a clean end')
  await waitFor(() => api.abortedResponses === 1)
  t.equal(api.abortedResponses, 1, 'the upstream stream was closed too')
  t.match(cli.stdout(), /WARN: grace period of 300 ms is over: closing the connections still open$/m)
  t.match(cli.stdout(), /\* #1 200 OK, stream cut by the proxy shutdown after [\d.]+ m?s: (\d+ events?, )?9 bytes$/m,
    'the log says the proxy cut the stream, not the upstream')
  t.notMatch(cli.stdout(), /upstream closed the connection|client closed the connection/)
})

t.test('the JSON log records cutBy "proxy" for a stream and for a request still unanswered when the grace period ends', async t => {
  const api = await startFakeApi(t, { handler: (req, res) => { if (req.url === '/v1/events') endlessStream(req, res, '') } })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, SHUTDOWN_GRACE_MS: '300', LOG_FORMAT: 'json' } })
  const res = await fetch(new URL('/v1/events', cli.url))
  const drained = drain(res.body!)
  const unanswered = fetch(new URL('/v1/never', cli.url)).then(() => 'answered', () => 'cut')
  await waitFor(() => api.started === 2)
  cli.child.kill('SIGTERM')
  t.same(await cli.exited, { code: 0, signal: null })
  t.same([await drained, await unanswered], ['cut', 'cut'])
  const exchanges = cli.stdout().trim().split('\n').map(line => JSON.parse(line) as { exchange?: { url: string, cutBy?: string, completed: boolean, response: { status: number } }, msg: string })
    // A stream also has its opening line; the closing one says who ended it.
    .filter(entry => entry.exchange !== undefined && !entry.msg.includes('stream open'))
    .map(entry => [entry.exchange!.url, entry.exchange!.cutBy, entry.exchange!.response.status, entry.msg.replace(/in [\d.]+ ms/, 'in N ms').replace(/after [\d.]+ m?s:/, 'after N:')])
    .sort()
  t.same(exchanges, [
    ['/v1/events', 'proxy', 200, '* #1 200 OK, stream cut by the proxy shutdown after N: 1 event, 9 bytes'],
    ['/v1/never', 'proxy', 503, '* #2 503 Service Unavailable, the proxy cut the response at shutdown after 0 bytes in N ms (SHUTDOWN_GRACE_MS elapsed)']
  ])
})

t.test('a second SIGTERM more than 1 s into the grace period exits at once with 1', async t => {
  const api = await startFakeApi(t, { handler: endlessStream })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, SHUTDOWN_GRACE_MS: '20000' } })
  const res = await fetch(new URL('/v1/events', cli.url))
  t.equal(res.status, 200)
  const drained = drain(res.body!)
  cli.child.kill('SIGTERM')
  await cli.waitForStdout(/SIGTERM: shutting down; open requests get 20000 ms to finish/)
  await new Promise(resolve => setTimeout(resolve, 1200))
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
  t.test(`a repeated ${signal} within 1 s is the same request to stop: the open stream keeps its grace period`, async t => {
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
