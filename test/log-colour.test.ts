// Colour where a person reads the log: on a terminal by default, NO_COLOR off,
// FORCE_COLOR=1/2/3 on for pipes, FORCE_COLOR=0 off; JSON never.
import t from 'tap'
import { logColour } from '../src/config/surroundings.js'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startCli } from './helpers/cli.js'
import { startCliInPty } from './helpers/pty-cli.js'

const ESC = '\u001b['
const GREEN_STATUS = `${ESC}32m< HTTP/1.1 200 OK${ESC}39m`

t.test('the decision: TTY, NO_COLOR (any non-empty value) off, FORCE_COLOR on or off', async t => {
  const cases: Array<[boolean, Record<string, string>, boolean]> = [
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: 'yes please' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, { FORCE_COLOR: '1' }, true],
    [false, { FORCE_COLOR: '2' }, true],
    [false, { FORCE_COLOR: '3' }, true],
    [false, { FORCE_COLOR: 'true' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { FORCE_COLOR: 'false' }, false],
    [false, { FORCE_COLOR: 'sometimes' }, false],
    [false, { FORCE_COLOR: '1', NO_COLOR: '1' }, false]
  ]
  for (const [tty, env, expected] of cases) t.equal(logColour(tty, env), expected, `${tty ? 'TTY' : 'pipe'} ${JSON.stringify(env)}`)
})

t.test('on a pipe: plain by default, coloured with FORCE_COLOR=1, plain with FORCE_COLOR=0 or NO_COLOR', async t => {
  const api = await startFakeApi(t)
  for (const [env, coloured] of [[{}, false], [{ FORCE_COLOR: '1' }, true], [{ FORCE_COLOR: '0' }, false], [{ FORCE_COLOR: '3', NO_COLOR: '1' }, false]] as const) {
    const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url, ...env } })
    await (await fetch(new URL('/v1/x', cli.url))).text()
    await cli.waitForStdout(/200 OK in /)
    if (coloured) {
      t.ok(cli.stdout().includes(GREEN_STATUS), `${JSON.stringify(env)}: the status line is green`)
      t.match(cli.stdout(), `${ESC}32mINFO${ESC}39m:`, `${JSON.stringify(env)}: the level label is coloured`)
    } else {
      t.notMatch(cli.stdout(), ESC, `${JSON.stringify(env)}: no colour codes`)
    }
    await cli.stop()
  }
})

t.test('on a terminal: coloured by default, plain with NO_COLOR or FORCE_COLOR=0, never in JSON', async t => {
  const api = await startFakeApi(t)
  for (const [env, coloured] of [[{}, true], [{ NO_COLOR: '1' }, false], [{ FORCE_COLOR: '0' }, false], [{ LOG_FORMAT: 'json' }, false]] as const) {
    const terminal = await startCliInPty(t, { BKEND_API_URL: api.url, ...env })
    await (await fetch(`http://127.0.0.1:${terminal.port}/v1/x`)).text()
    await terminal.waitFor(/200 OK in |"status":200/)
    if (coloured) t.ok(terminal.output().includes(GREEN_STATUS), `${JSON.stringify(env)}: the status line is green`)
    else t.notMatch(terminal.output(), ESC, `${JSON.stringify(env)}: no colour codes`)
  }
})
