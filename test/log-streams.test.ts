// Streams in the log as they happen: the heads as soon as the response head goes out,
// one closing line when the stream ends, at info when the client closes it and at warn
// when the upstream cuts it.
import t from 'tap'
import http from 'node:http'
import { startFakeApi, type FakeHandler } from './helpers/fake-upstream.js'
import { waitFor } from './helpers/wait.js'
import { startProxy } from './helpers/proxy.js'
import { startCli } from './helpers/cli.js'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** An event stream that sends one event now and one more each time `next()` is called. */
function eventSource (): { handler: FakeHandler, next: () => void, cut: () => void } {
  let current: http.ServerResponse | undefined
  let sent = 0
  const send = (): void => { current?.write(`id: ${sent}\ndata: event ${sent++}\n\n`) }
  return {
    handler: (_req, res) => {
      current = res
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      send()
    },
    next: send,
    cut: () => current?.socket?.destroy()
  }
}

/** Opens a GET on its own connection and resolves with the response once its head is in. */
function open (url: string): Promise<{ request: http.ClientRequest, response: http.IncomingMessage, received: () => string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { origin: 'http://localhost:5173', accept: 'text/event-stream' } }, response => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      response.on('error', () => {})
      resolve({ request, response, received: () => text })
    })
    request.on('error', reject)
  })
}

t.test('CLI: a live event stream shows its heads while it runs, and one closing line when the client closes it', async t => {
  const source = eventSource()
  const api = await startFakeApi(t, { handler: source.handler })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url } })
  const stream = await open(`${cli.url}/v1/events`)
  await cli.waitForStdout(/^\* #1 stream open \(text\/event-stream\), headers after \d+\.\d ms$/m)
  const running = cli.stdout()
  t.match(running, /INFO: \* #1 GET \/v1\/events from http:\/\/localhost:5173 → http:\/\/127\.0\.0\.1:\d+\/v1\/events\n/, 'the request line')
  t.match(running, /^> accept: text\/event-stream$/m, 'the request headers')
  t.match(running, /^< HTTP\/1\.1 200 OK\n< content-type: text\/event-stream\n< cache-control: no-cache$/m, 'the response head')
  t.notMatch(running, /stream closed/, 'no closing line while it runs')
  t.equal(api.abortedResponses, 0, 'the stream is still open upstream')
  source.next()
  source.next()
  t.ok(await waitFor(() => stream.received().includes('event 2'), 2000), 'three events reached the client')
  stream.request.destroy()
  await cli.waitForStdout(/stream closed by the client/)
  const closing = cli.stdout().split('\n').filter(line => line.includes('stream closed by the client'))
  t.equal(closing.length, 1, 'one closing line')
  t.match(closing[0], /^\[[\d:.]+\] INFO: \* #1 200 OK, stream closed by the client after \d+\.\d m?s: 3 events, 63 bytes$/, 'at info: a client closing a stream is normal')
  t.ok(cli.stdout().indexOf('stream open') < cli.stdout().indexOf('stream closed'), 'the closing line comes after the open block')
  t.same(await cli.stop(), { code: 0, signal: null })
})

t.test('CLI: a response still open 1 s after its head is logged as a stream while it runs', async t => {
  let finish: (() => void) | undefined
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.write('a'.repeat(100))
      finish = () => res.end('b'.repeat(50))
    }
  })
  const cli = await startCli(t, [], { env: { BKEND_API_URL: api.url } })
  const startedAt = Date.now()
  const download = await open(`${cli.url}/v1/files/big`)
  await cli.waitForStdout(/^\* #1 stream open \(application\/octet-stream\), headers after \d+\.\d ms$/m, 3000)
  t.ok(Date.now() - startedAt >= 950, `logged after about a second (${Date.now() - startedAt} ms)`)
  t.notMatch(cli.stdout(), /#1 200 OK/, 'not finished yet')
  finish!()
  await new Promise(resolve => download.response.on('end', resolve))
  await cli.waitForStdout(/stream ended by the upstream/)
  t.match(cli.stdout(), /INFO: \* #1 200 OK, stream ended by the upstream after 1\.\d s: 150 bytes$/m)
  t.same(await cli.stop(), { code: 0, signal: null })
})

interface JsonLine { level: number, msg: string, stream?: string, id: number, status: number, exchange: { cutBy?: string, streamed?: boolean, events?: number } }

async function jsonLines (logs: () => Promise<string>): Promise<JsonLine[]> {
  return (await logs()).trim().split('\n').map(line => JSON.parse(line) as JsonLine)
}

t.test('log levels: a stream the client closes ends at info, one the upstream cuts at warn', async t => {
  const normal = eventSource()
  const api = await startFakeApi(t, { handler: normal.handler })
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'json' })
  const closed = await open(`${proxy.url}/v1/events`)
  t.ok(await waitFor(() => closed.received().includes('event 0'), 2000))
  closed.request.destroy()
  t.ok(await waitFor(() => api.abortedResponses === 1, 2000))
  await sleep(50)
  const [opened, ended] = await jsonLines(proxy.logs)
  t.same([opened?.level, opened?.stream, opened?.id, opened?.status], [30, 'open', 1, 200], 'the open line')
  t.same([ended?.level, ended?.stream, ended?.exchange.cutBy, ended?.exchange.streamed, ended?.exchange.events], [30, 'closed', 'client', true, 1], 'the client closed it: info')

  const cutSource = eventSource()
  const cutApi = await startFakeApi(t, { handler: cutSource.handler })
  const cutProxy = await startProxy(t, { apiUrl: cutApi.url, logFormat: 'json' })
  const cut = await open(`${cutProxy.url}/v1/events`)
  t.ok(await waitFor(() => cut.received().includes('event 0'), 2000))
  cutSource.cut()
  await new Promise(resolve => cut.response.once('close', resolve))
  await sleep(50)
  const lines = await jsonLines(cutProxy.logs)
  const end = lines.find(line => line.stream === 'closed')
  t.same([end?.level, end?.exchange.cutBy], [40, 'upstream'], 'the upstream cut it: warn')
  t.match(end?.msg, /^\* #1 200 OK, stream cut off by the upstream after \d+\.\d m?s: 1 event, 21 bytes/)
})

t.test('the pretty closing line of an upstream cut is a warning', async t => {
  const source = eventSource()
  const api = await startFakeApi(t, { handler: source.handler })
  const proxy = await startProxy(t, { apiUrl: api.url })
  const cut = await open(`${proxy.url}/v1/events`)
  t.ok(await waitFor(() => cut.received().includes('event 0'), 2000))
  source.cut()
  await new Promise(resolve => cut.response.once('close', resolve))
  await sleep(50)
  t.match(await proxy.logs(), /\] WARN: \* #1 200 OK, stream cut off by the upstream after [\d.]+ m?s: 1 event, 21 bytes \(the client's connection was aborted/)
})
