// A bug that escapes as an uncaught exception or an unhandled rejection stops the proxy the
// way a signal does: its stack is logged, the request in flight still finishes, exit code 1.
import t from 'tap'
import { startCli } from './helpers/cli.js'
import { startFakeApi, type FakeHandler } from './helpers/fake-upstream.js'
import { WireClient, rawGet } from './helpers/raw-client.js'
import { waitFor } from './helpers/wait.js'

const PRELOAD = new URL('./fixtures/throw-on-signal.mjs', import.meta.url).href

const slow: FakeHandler = (req, res) => {
  setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ url: req.url })) }, req.url === '/v1/slow' ? 800 : 0)
}

for (const kind of ['exception', 'rejection'] as const) {
  t.test(`an unhandled ${kind} drains and exits 1 with its stack in the log`, async t => {
    const api = await startFakeApi(t, { handler: slow })
    const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, THROW_KIND: kind, NODE_OPTIONS: `--import=${PRELOAD}`, LOG_FORMAT: 'compact' } })
    const client = await WireClient.connect(cli.port)
    client.send(rawGet(cli.port, '/v1/slow'))
    await waitFor(() => api.started === 1, 2000)
    cli.child.kill('SIGUSR2')
    const inFlight = await client.read({ timeoutMs: 4000 })
    t.equal(inFlight?.status, 200, 'the request in flight finishes')
    const exit = await cli.exited
    t.same(exit, { code: 1, signal: null }, 'exit code 1')
    t.match(cli.stdout(), `${kind === 'exception' ? 'uncaught exception' : 'unhandled rejection'}: the proxy stops once open requests finish`)
    t.match(cli.stdout(), `planted ${kind}`, 'the error is logged')
    t.match(cli.stdout(), /at .*throw-on-signal\.mjs/, 'with its stack')
    t.match(cli.stdout(), /stopped/)
    client.destroy()
  })
}
