// An event stream in the inspector while it runs and after: a real upstream writes events
// when the test says so, through the real proxy; the feed (/api/events) tells each event
// and a growing count and byte total, the detail lists the events, and a stream the
// client closed is a normal end.
import t from 'tap'
import http, { type ServerResponse } from 'node:http'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy, type TestProxy } from './helpers/proxy.js'
import { openSse } from './helpers/inspector.js'

const KEY = 'sk_test_STREAM0123456789abcdefghijklmn'

interface StreamEvent { at: number, event?: string, id?: string, data: string }
interface Listed { id: number, state: string, bytes: number, events?: number, failed: boolean, endedBy?: string }
interface Detail extends Listed { streamEvents?: { items: StreamEvent[], dropped: number } }

/** An upstream whose one stream the test writes to. */
async function streamingUpstream (t: Parameters<typeof startFakeApi>[0]): Promise<{ url: string, opened: Promise<ServerResponse> }> {
  let open: (res: ServerResponse) => void = () => {}
  const opened = new Promise<ServerResponse>(resolve => { open = resolve })
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.flushHeaders()
      open(res)
    }
  })
  return { url: api.url, opened }
}

/** Opens the stream through the proxy as a page would; resolves once the response has started. */
function openStream (proxy: TestProxy): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get(new URL('/v1/events', proxy.url), { agent: false, headers: { accept: 'text/event-stream', origin: 'http://localhost:5173' } }, response => {
      response.resume()
      response.on('error', () => {})
      resolve(request)
    })
    request.on('error', reject)
  })
}

async function detail (proxy: TestProxy, id: number): Promise<Detail> {
  return await (await fetch(new URL(`/__proxy/api/exchanges/${id}`, proxy.inspectorUrl))).json() as Detail
}

t.test('events show as they arrive, the count and bytes grow, and a stream the client closed is not a failure', async t => {
  const upstream = await streamingUpstream(t)
  const proxy = await startProxy(t, { apiUrl: upstream.url, apiKey: KEY })
  const feed = await openSse(t, new URL('/__proxy/api/events', proxy.inspectorUrl).href)
  const client = openStream(proxy)
  const res = await upstream.opened
  const parsed = (kind: string) => feed.events.filter(event => event.event === kind).map(event => JSON.parse(event.data) as { id: number, event: StreamEvent } & Listed)

  const opened = JSON.parse((await feed.next(event => event.event === 'exchange')).data) as Listed
  t.same([opened.id, opened.state, opened.events], [1, 'open', 0], 'listed as open, no events yet')

  res.write('event: update\nid: 41\ndata: {"n":1}\n\n')
  const first = JSON.parse((await feed.next(event => event.event === 'stream-event')).data) as { id: number, event: StreamEvent }
  const page = await client
  t.same([first.id, first.event.event, first.event.id, first.event.data], [1, 'update', '41', '{"n":1}'])
  t.ok(first.event.at > 0 && Math.round(first.event.at * 10) === first.event.at * 10, `ms since the start, one decimal (${first.event.at})`)

  res.write(`id: ${KEY}\ndata: {"echo":"${KEY}","password":"hunter2hunter2"}\n\n`)
  res.write(`: ping\n\ndata: ${'x'.repeat(1000)}\n\n`)
  await feed.next(event => event.event === 'stream-event' && JSON.parse(event.data).event.data.startsWith('xxx'))
  const [, secret, long] = parsed('stream-event').map(event => event.event)
  t.notOk(JSON.stringify(secret).includes(KEY), 'the key is scrubbed, from the data and the id')
  t.same(Object.keys(first.event), ['at', 'event', 'id', 'data'])
  t.match(secret!.data, /"password":"•••• \(14 chars\)"/, 'secret fields hidden as in bodies')
  t.same([long!.data.length, 'event' in long!, 'id' in long!], [200, false, false], 'a preview of 200 characters; absent fields omitted')

  const grown = JSON.parse((await feed.next(event => event.event === 'exchange' && JSON.parse(event.data).events === 3)).data) as Listed
  t.same([grown.state, grown.bytes > 1000], ['open', true], `the list's count and bytes while open (${grown.bytes} B)`)
  const listed = await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).json() as { exchanges: Listed[] }
  t.same([listed.exchanges[0]!.events, listed.exchanges[0]!.bytes], [3, grown.bytes], 'the list endpoint says the same')

  const open = await detail(proxy, 1)
  t.same([open.state, open.events, open.streamEvents?.items.map(event => event.event ?? 'message'), open.streamEvents?.dropped], ['open', 3, ['update', 'message', 'message'], 0], 'the detail while open')

  page.destroy()
  const ended = JSON.parse((await feed.next(event => event.event === 'exchange' && JSON.parse(event.data).state === 'done')).data) as Listed
  t.same([ended.failed, ended.endedBy, ended.events], [false, 'client', 3], 'closed by the client: a normal end')
  const done = await detail(proxy, 1)
  t.same(done.streamEvents, open.streamEvents, 'the same event list after the end')
  t.same([done.failed, done.endedBy], [false, 'client'])
})

t.test('a long stream keeps its last 500 events and counts the rest; an upstream that ends it ended it', async t => {
  const upstream = await streamingUpstream(t)
  const proxy = await startProxy(t, { apiUrl: upstream.url, logLevel: 'silent' })
  const client = openStream(proxy)
  const res = await upstream.opened
  res.end(Array.from({ length: 600 }, (_, n) => `id: ${n}\ndata: ${n}\n\n`).join(''))
  const request = await client
  await new Promise(resolve => request.once('close', resolve))
  let ended = await detail(proxy, 1)
  while (ended.state !== 'done') {
    await new Promise(resolve => setTimeout(resolve, 20))
    ended = await detail(proxy, 1)
  }
  t.same([ended.events, ended.streamEvents?.items.length, ended.streamEvents?.dropped, ended.streamEvents?.items[0]?.id, ended.streamEvents?.items.at(-1)?.data], [600, 500, 100, '100', '599'])
  t.same([ended.failed, ended.endedBy], [false, 'upstream'])
})

t.test('other responses have no events, count or end', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, logLevel: 'silent' })
  await (await fetch(new URL('/v1/data/posts', proxy.url))).arrayBuffer()
  const plain = await detail(proxy, 1)
  t.same(['events' in plain, 'endedBy' in plain, 'streamEvents' in plain], [false, false, false])
})
