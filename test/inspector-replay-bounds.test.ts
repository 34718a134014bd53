// Replay is bounded: each replay is exactly one request upstream (a replay of a replay
// too), a stored request that names the inspector's own replay route cannot make a replay
// replay itself, requests to the inspector are never stored as exchanges, and at most 4
// replays run at once (429 proxy/replay-busy beyond). Counted by a recording upstream.
import t from 'tap'
import type { ServerResponse } from 'node:http'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy, type TestProxy } from './helpers/proxy.js'
import { waitFor } from './helpers/wait.js'

interface Listed { id: number, url: string, status: number, replayOf?: number }

const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }

async function replay (proxy: TestProxy, id: number): Promise<{ status: number, body: { id?: number, status?: number, replayOf?: number, error?: { code: string, message: string } } }> {
  // A replay that sent itself again would never answer: give up well before tap's timeout.
  const res = await fetch(new URL(`/__proxy/api/exchanges/${id}/replay`, proxy.inspectorUrl), { ...JSON_POST, signal: AbortSignal.timeout(10_000) })
  return { status: res.status, body: await res.json() as never }
}

async function listed (proxy: TestProxy): Promise<Listed[]> {
  return ((await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).json()) as { exchanges: Listed[] }).exchanges
}

t.test('a replay, and a replay of that replay, each send exactly one request upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  await (await fetch(new URL('/v1/data/posts', proxy.url))).arrayBuffer()
  t.equal(api.started, 1)
  const first = await replay(proxy, 1)
  t.same([first.status, first.body.replayOf, api.started], [201, 1, 2], 'the replay: one more request upstream')
  const second = await replay(proxy, first.body.id!)
  t.same([second.status, second.body.replayOf, api.started], [201, first.body.id, 3], 'the replay of the replay: one more')
  // A later request through the proxy arrives after anything the replays could still have sent.
  await (await fetch(new URL('/v1/marker', proxy.url))).arrayBuffer()
  t.same(api.received.map(request => request.url), ['/v1/data/posts', '/v1/data/posts', '/v1/data/posts', '/v1/marker'], 'nothing else went upstream')
})

t.test('a stored request naming the replay route of its own id is replayed once, to the proxy port\'s 404, and nothing goes upstream', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  await (await fetch(new URL('/v1/data/posts', proxy.url))).arrayBuffer()
  // Exchange #2 asks (with the prefix percent-encoded, so the log's own-path check missed
  // it) to replay exchange #2: itself.
  // No body, so the replay has all of it.
  const self = await fetch(new URL('/%5F_proxy/api/exchanges/2/replay', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json' } })
  t.equal(self.status, 404, 'the proxy port has no replay route')
  await self.arrayBuffer()
  const stored = (await listed(proxy)).find(exchange => exchange.id === 2)
  if (stored === undefined) {
    // Once the path is made canonical before routing, it is an inspector path and never stored.
    t.same((await listed(proxy)).map(exchange => exchange.id), [1], 'the request to the inspector\'s path was not stored')
  } else {
    const again = await replay(proxy, 2)
    t.same([again.status, again.body.status, again.body.replayOf], [201, 404, 2], 'one replay, answered by the proxy port\'s 404')
    t.same((await listed(proxy)).map(exchange => [exchange.id, exchange.replayOf]), [[3, 2], [2, undefined], [1, undefined]], 'exactly one new exchange')
  }
  await (await fetch(new URL('/v1/marker', proxy.url))).arrayBuffer()
  t.same(api.received.map(request => request.url), ['/v1/data/posts', '/v1/marker'], 'nothing went upstream but the two plain requests')
})

t.test('requests to the inspector, on either port, are never stored as exchanges', async t => {
  const proxy = await startProxy(t)
  await (await fetch(new URL('/__proxy/api/exchanges/1/replay', proxy.url), JSON_POST)).arrayBuffer()
  await (await fetch(new URL('/__proxy/api/exchanges', proxy.url), { headers: { origin: 'http://localhost:3000' } })).arrayBuffer()
  await (await fetch(new URL('/__proxy/api/exchanges/1/replay', proxy.inspectorUrl), JSON_POST)).arrayBuffer()
  await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl), { headers: { origin: 'http://localhost:3000' } })).arrayBuffer()
  await (await fetch(new URL('/__proxy/api/har', proxy.inspectorUrl))).arrayBuffer()
  t.same(await listed(proxy), [])
})

t.test('at most 4 replays run at once: a fifth gets 429 proxy/replay-busy and sends nothing', async t => {
  const held: ServerResponse[] = []
  let holding = false
  const api = await startFakeApi(t, {
    handler: (_req, res) => {
      if (holding) held.push(res)
      else res.end('{}')
    }
  })
  const proxy = await startProxy(t, { apiUrl: api.url })
  await (await fetch(new URL('/v1/slow', proxy.url))).arrayBuffer()
  holding = true
  const replays = Array.from({ length: 5 }, () => replay(proxy, 1))
  t.ok(await waitFor(() => held.length === 4, 5000), 'four replays reached the upstream')
  const busy = await Promise.race(replays.map(async pending => { const answer = await pending; if (answer.status === 429) return answer; return new Promise<never>(() => {}) }))
  t.same([busy.status, busy.body.error?.code], [429, 'proxy/replay-busy'])
  t.match(busy.body.error?.message, /4 replays are running/)
  holding = false
  for (const res of held) res.end('{}')
  const answers = await Promise.all(replays)
  t.same(answers.map(answer => answer.status).sort(), [201, 201, 201, 201, 429], 'the other four replayed')
  t.equal(api.started, 5, 'the refused replay sent nothing upstream')
  // Each slot is given back when its replay's response has ended, a moment after its answer.
  let again = await replay(proxy, 1)
  for (let tries = 0; again.status === 429 && tries < 100; tries++) {
    await new Promise(resolve => setTimeout(resolve, 20))
    again = await replay(proxy, 1)
  }
  t.equal(again.status, 201, 'a replay runs again once they are over')
})
