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

t.test('a request naming the replay route, however spelled, is answered 404 on the proxy port and never stored, so no replay can repeat it', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url })
  await (await fetch(new URL('/v1/data/posts', proxy.url))).arrayBuffer()
  // The first of these is exchange #2 (refusals are numbered) and asks to replay #2: itself.
  for (const path of ['/__proxy/api/exchanges/2/replay', '/%5F_proxy/api/exchanges/2/replay', '/_%5Fproxy/api/exchanges/2/replay']) {
    const res = await fetch(new URL(path, proxy.url), { method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) })
    t.equal(res.status, 404, `${path}: the proxy port has no replay route`)
    await res.arrayBuffer()
  }
  // Nor does the inspector's port keep its own requests, refused ones included.
  await (await fetch(new URL('/__proxy/api/exchanges/1/replay', proxy.inspectorUrl), { ...JSON_POST, signal: AbortSignal.timeout(10_000) })).arrayBuffer()
  await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl), { headers: { origin: 'http://localhost:3000' } })).arrayBuffer()
  await (await fetch(new URL('/__proxy/api/har', proxy.inspectorUrl))).arrayBuffer()
  t.same((await listed(proxy)).map(exchange => [exchange.url, exchange.replayOf]), [['/v1/data/posts', 1], ['/v1/data/posts', undefined]], 'only the plain request and its one replay are kept')
  await (await fetch(new URL('/v1/marker', proxy.url))).arrayBuffer()
  t.same(api.received.map(request => request.url), ['/v1/data/posts', '/v1/data/posts', '/v1/marker'], 'upstream: the request, its one replay, the marker')
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
