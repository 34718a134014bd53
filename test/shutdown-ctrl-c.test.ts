// Ctrl-C on `npm start` in a real terminal (issue 10, item 6). One key press delivers
// SIGINT twice: from the terminal to the foreground process group, and again from npm,
// which forwards the signal to its child. The second copy must not count as "exit now".
import t, { type Test } from 'tap'
import http from 'node:http'
import { startFakeApi } from './helpers/fake-upstream.js'
import { waitFor } from './helpers/wait.js'
import { npmStartInTerminal } from './helpers/npm-start.js'
import { REPEAT_WINDOW_MS } from '../src/lifecycle/shutdown.js'

/** An SSE stream that stays open until the test ends it. */
async function startEventSource (t: Test): Promise<{ url: string, open: () => boolean, end: () => void }> {
  let stream: http.ServerResponse | undefined
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: first\n\n')
      stream = res
    }
  })
  return { url: api.url, open: () => stream !== undefined, end: () => stream?.end('data: last\n\n') }
}

async function readAll (body: ReadableStream<Uint8Array>): Promise<{ text: string, ended: 'cleanly' | 'cut' }> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { text, ended: 'cleanly' }
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    return { text, ended: 'cut' }
  }
}

t.test('one Ctrl-C on `npm start` in a terminal lets an open SSE stream finish, then exits 0', async t => {
  const events = await startEventSource(t)
  const run = npmStartInTerminal(t, { BKEND_API_URL: events.url, SHUTDOWN_GRACE_MS: '5000' })
  const port = await run.port
  const res = await fetch(`http://127.0.0.1:${port}/v1/events`)
  t.equal(res.status, 200)
  const body = readAll(res.body!)
  t.ok(await waitFor(events.open, 3000), 'the upstream stream is open')

  run.pressCtrlC()
  t.ok(await waitFor(() => /SIGINT: shutting down/.test(run.output()), 3000), 'the proxy began to shut down')
  // npm's forwarded copy arrives within milliseconds; give it ample time to do harm.
  await new Promise(resolve => setTimeout(resolve, 400))
  t.equal(run.child.exitCode, null, 'still running while the stream is open')
  events.end()

  t.same(await body, { text: 'data: first\n\ndata: last\n\n', ended: 'cleanly' }, 'the stream drained to its end')
  const exit = await Promise.race([run.exited, new Promise<'timeout'>(resolve => setTimeout(() => resolve('timeout'), 5000))])
  t.same(exit, { code: 0, signal: null }, 'npm (and so the proxy) exited 0')
  const output = run.output()
  t.notMatch(output, /again: exiting now/, 'the second copy of the signal was not taken as "exit now"')
  t.match(output, /\* #1 200 OK, stream ended by the upstream after .*25 bytes\r?$/m, 'the stream was logged as complete')
  t.match(output.trimEnd().split('\n').at(-1) ?? '', /INFO: stopped\r?$/, 'the last line says it stopped')
})

t.test('a double tap of Ctrl-C 400 ms apart exits at once, saying so once', async t => {
  const events = await startEventSource(t)
  const run = npmStartInTerminal(t, { BKEND_API_URL: events.url, SHUTDOWN_GRACE_MS: '10000', LOG_LEVEL: 'debug' })
  const port = await run.port
  const res = await fetch(`http://127.0.0.1:${port}/v1/events`)
  const body = readAll(res.body!)
  t.ok(await waitFor(events.open, 3000), 'the upstream stream is open')

  const firstPressAt = Date.now()
  run.pressCtrlC()
  t.ok(await waitFor(() => /SIGINT: shutting down/.test(run.output()), 3000), 'the first press began the shutdown')
  await new Promise(resolve => setTimeout(resolve, 400 - (Date.now() - firstPressAt)))
  // npm's copy of the press usually shows as a debug line; on a loaded machine the kernel
  // may merge it with the terminal's copy (a pending signal is not queued twice).
  const forwarded = /SIGINT again after ([\d.]+) ms/.exec(run.output())
  t.comment(forwarded === null ? 'npm\'s copy merged with the terminal\'s' : `npm's copy came ${forwarded[1]} ms after the terminal's (window ${REPEAT_WINDOW_MS} ms)`)
  t.equal(run.child.exitCode, null, 'one press (and npm\'s copy of it) did not exit at once')
  const pressedAt = Date.now()
  run.pressCtrlC()
  const exit = await Promise.race([run.exited, new Promise<'timeout'>(resolve => setTimeout(() => resolve('timeout'), 3000))])
  t.not(exit, 'timeout', `exited ${Date.now() - pressedAt} ms after the second press, with the stream still open`)
  t.equal((await body).ended, 'cut')
  t.equal(run.output().match(/SIGINT again: exiting now/g)?.length, 1, '"exiting now" is printed once')
})
