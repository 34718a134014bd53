// What ProgressAgent (src/forward/request-progress.ts) relies on undici for: its older
// handler hooks, called on agent.request()'s handler. The upstream timeout waits for the
// body to be sent before it counts the wait for an answer; if undici stops calling these
// hooks, this fails before a slow upload or a hung upstream goes unnoticed.
import t from 'tap'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough, Readable } from 'node:stream'
import { kRequestProgress, ProgressAgent, type ProgressOptions } from '../src/forward/request-progress.js'
import { waitFor } from './helpers/wait.js'

async function readingUpstream (t: { teardown: (fn: () => unknown) => void }): Promise<string> {
  const server: Server = createServer((request, response) => {
    request.resume()
    request.on('end', () => response.end('ok'))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => server.close(resolve)))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function progressOf (t: Parameters<typeof readingUpstream>[0], options: Omit<ProgressOptions, 'origin'>, whileSending?: (events: string[]) => Promise<void>): Promise<string[]> {
  const origin = await readingUpstream(t)
  const agent = new ProgressAgent()
  t.teardown(() => agent.close())
  const events: string[] = []
  const progress = { onWriting: () => events.push('writing'), onSent: () => events.push('sent'), onAnswerStarted: () => events.push('answer started') }
  const answer = agent.request({ ...options, origin, [kRequestProgress]: progress } as ProgressOptions & { path: string, method: 'GET' | 'POST' })
  await whileSending?.(events)
  await (await answer).body.text()
  return events
}

t.test('a request without a body is sent once its head is written', async t => {
  t.same(await progressOf(t, { path: '/', method: 'GET' }), ['writing', 'sent', 'answer started'])
})

t.test('a streamed body is sent only once it has ended', async t => {
  const body = new PassThrough()
  const events = await progressOf(t, { path: '/', method: 'POST', body }, async events => {
    body.write('first part')
    t.ok(await waitFor(() => events.length > 0, 2000), 'the request got its socket')
    t.same(events, ['writing'], 'not sent while the body still streams')
    body.end('last part')
  })
  t.same(events, ['writing', 'sent', 'answer started'])
})

t.test('a body that ended empty before it was sent (one undici never reads) is sent too', async t => {
  const body = new Readable({ read () {} })
  body.push(null)
  t.same(await progressOf(t, { path: '/', method: 'POST', body }), ['writing', 'sent', 'answer started'])
})
