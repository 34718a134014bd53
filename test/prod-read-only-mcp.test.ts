// Prod read-only and MCP: while prod is active with PROD_READ_ONLY on, a POST to /mcp is
// read whole and forwarded only when each JSON-RPC message in it changes nothing
// (initialize, ping, notifications/*, the list and read methods, answers to the server);
// tools/call only for a tool the session's last tools/list marked readOnlyHint: true,
// whether that answer came as JSON or as an event stream. Anything else, a batch with one
// such message, and a body that is not JSON get 403 proxy/prod-read-only naming what was
// refused and PROD_READ_ONLY=false, with nothing sent upstream.
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type http from 'node:http'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { startFakeApi, type FakeApi } from './helpers/fake-upstream.js'
import { startProxy, type TestProxy } from './helpers/proxy.js'
import { WireClient, errorOf } from './helpers/raw-client.js'

const PROD_KEY = 'sk_live_PRDKEY0123456789abcdefghijprd3'

/** A stateful MCP server (the SDK's own) on loopback, with a read-only tool, a writing one and an unmarked one. */
async function startMcpUpstream (t: Test, options: { json: boolean }): Promise<FakeApi> {
  const sessions = new Map<string, StreamableHTTPServerTransport>()
  const api = await startFakeApi(t, {
    handler: (req, res, body) => {
      const id = req.headers['mcp-session-id']
      let transport = typeof id === 'string' ? sessions.get(id) : undefined
      const serve = (): void => { void transport!.handleRequest(req, res, body.length > 0 ? JSON.parse(body) : undefined) }
      if (transport) return serve()
      transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), enableJsonResponse: options.json, onsessioninitialized: sessionId => { sessions.set(sessionId, transport!) } })
      const server = new McpServer({ name: 'fake-bkend-mcp', version: '1.0.0' })
      const text = (value: string) => async () => ({ content: [{ type: 'text' as const, text: value }] })
      server.registerTool('get_context', { description: 'Organization and REST base URL', annotations: { readOnlyHint: true } }, text('org-1'))
      server.registerTool('backend_table_delete', { description: 'Deletes a table', annotations: { readOnlyHint: false, destructiveHint: true } }, text('deleted'))
      server.registerTool('search_docs', { description: 'Searches the docs' }, text('found'))
      void server.connect(transport).then(serve)
    }
  })
  t.teardown(async () => { for (const transport of sessions.values()) await transport.close() })
  return api
}

async function connectedClient (t: Test, proxy: TestProxy): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', proxy.url)))
  t.teardown(() => client.close())
  return client
}

/** The SDK's error for a call the proxy refused (its code is the HTTP status; its message quotes the body as JSON). */
async function refusal (call: Promise<unknown>): Promise<{ code?: number, message: string } | undefined> {
  return await call.then(() => undefined, (error: Error & { code?: number }) => error)
}

/** The JSON-RPC methods (or "answer") of every message that reached the upstream as a POST. */
function methodsReceived (api: FakeApi): string[] {
  return api.received.filter(request => request.method === 'POST').flatMap(request => {
    const body = JSON.parse(request.body) as unknown
    return (Array.isArray(body) ? body : [body]).map((message: { method?: string, params?: { name?: string } }) =>
      message.method === 'tools/call' ? `tools/call ${message.params?.name}` : message.method ?? 'answer')
  })
}

async function postMcp (proxy: TestProxy, body: string, headers: Record<string, string> = {}): Promise<{ status: number, code?: string, message?: string }> {
  const res = await fetch(new URL('/mcp', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body })
  const text = await res.text()
  const error = res.headers.get('content-type')?.startsWith('application/json') === true ? (JSON.parse(text) as { error?: { code?: string, message?: string } }).error : undefined
  return { status: res.status, code: error?.code, message: error?.message }
}

for (const json of [false, true]) {
  t.test(`a real MCP client in prod read-only: initialize, tools/list, ping and a read-only tool pass; other tools are refused (answers as ${json ? 'JSON' : 'an event stream'})`, async t => {
    const mcp = await startMcpUpstream(t, { json })
    const proxy = await startProxy(t, { mcpUrl: `${mcp.url}/mcp`, apiKey: PROD_KEY, environment: 'prod' })
    const client = await connectedClient(t, proxy)
    const { tools } = await client.listTools()
    t.same(tools.map(tool => tool.name), ['get_context', 'backend_table_delete', 'search_docs'])
    await client.ping()
    const context = await client.callTool({ name: 'get_context', arguments: {} })
    t.same(context.content, [{ type: 'text', text: 'org-1' }], 'the read-only tool ran')
    for (const name of ['backend_table_delete', 'search_docs', 'no_such_tool']) {
      const refused = await refusal(client.callTool({ name, arguments: {} }))
      t.equal(refused?.code, 403, `${name} is refused`)
      t.match(refused?.message, new RegExp(`tools/call of tool \\\\?"${name}\\\\?".*readOnlyHint: true.*PROD_READ_ONLY=false`), 'naming the tool and the switch')
    }
    t.same(methodsReceived(mcp), ['initialize', 'notifications/initialized', 'tools/list', 'ping', 'tools/call get_context'], 'only those reached the upstream')
  })
}

t.test('in prod read-only, a batch goes through only when every message changes nothing', async t => {
  const mcp = await startMcpUpstream(t, { json: true })
  const proxy = await startProxy(t, { mcpUrl: `${mcp.url}/mcp`, apiKey: PROD_KEY, environment: 'prod' })
  const client = await connectedClient(t, proxy)
  await client.listTools()
  const session = { 'mcp-session-id': (client.transport as StreamableHTTPClientTransport).sessionId! }
  const before = mcp.received.length
  const writing = JSON.stringify([
    { jsonrpc: '2.0', id: 10, method: 'tools/call', params: { name: 'get_context', arguments: {} } },
    { jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'backend_table_delete', arguments: { table: 'posts' } } }
  ])
  const refused = await postMcp(proxy, writing, session)
  t.same([refused.status, refused.code], [403, 'proxy/prod-read-only'])
  t.match(refused.message, /a JSON-RPC batch \(message 2 of 2: the MCP call tools\/call of tool "backend_table_delete"/, 'naming the message')
  t.match(refused.message, /PROD_READ_ONLY=false/)
  for (const method of ['resources/subscribe', 'logging/setLevel', 'completion/complete', 'sampling/createMessage']) {
    const answer = await postMcp(proxy, JSON.stringify({ jsonrpc: '2.0', id: 12, method, params: {} }), session)
    t.same([answer.status, answer.code], [403, 'proxy/prod-read-only'], method)
    t.match(answer.message, `the MCP method "${method}"`)
  }
  t.equal(mcp.received.length, before, 'nothing reached the upstream')
  const reading = JSON.stringify([
    { jsonrpc: '2.0', id: 20, method: 'ping' },
    { jsonrpc: '2.0', id: 21, method: 'tools/call', params: { name: 'get_context', arguments: {} } },
    { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } }
  ])
  t.equal((await postMcp(proxy, reading, session)).status, 200, 'a batch that changes nothing goes through')
  t.same(methodsReceived(mcp).slice(-3), ['ping', 'tools/call get_context', 'notifications/cancelled'])
})

t.test('in prod read-only, a tool is read-only only for the session whose tools/list said so', async t => {
  const mcp = await startMcpUpstream(t, { json: false })
  const proxy = await startProxy(t, { mcpUrl: `${mcp.url}/mcp`, apiKey: PROD_KEY, environment: 'prod' })
  const listed = await connectedClient(t, proxy)
  await listed.listTools()
  const unlisted = await connectedClient(t, proxy)
  const refused = await refusal(unlisted.callTool({ name: 'get_context', arguments: {} }))
  t.equal(refused?.code, 403)
  t.match(refused?.message, /no tools\/list answer was seen on this session/, 'another session has not listed the tools')
  t.same((await listed.callTool({ name: 'get_context', arguments: {} })).content, [{ type: 'text', text: 'org-1' }], 'the session that did may call it')
  t.equal(methodsReceived(mcp).filter(method => method.startsWith('tools/call')).length, 1)
})

t.test('in prod read-only, an MCP body that is not JSON-RPC is refused with 403, not forwarded', async t => {
  const mcp = await startFakeApi(t)
  const proxy = await startProxy(t, { mcpUrl: `${mcp.url}/mcp`, apiKey: PROD_KEY, environment: 'prod' })
  const cases: Array<[string, RegExp]> = [
    ['{"jsonrpc":"2.0","id":1,"method":"tools/list"', /an MCP request whose body is not valid JSON \(.+\), which prod read-only cannot tell changes nothing, is refused/],
    ['', /not valid JSON/],
    ['[]', /an empty JSON-RPC batch/],
    ['{"title":"x"}', /a JSON-RPC message without a method/],
    ['[{"jsonrpc":"2.0","id":1,"method":"ping"}, 7]', /message 2 of 2: a JSON-RPC message that is not an object/]
  ]
  for (const [body, message] of cases) {
    const answer = await postMcp(proxy, body)
    t.same([answer.status, answer.code], [403, 'proxy/prod-read-only'], JSON.stringify(body))
    t.match(answer.message, message)
    t.match(answer.message, /PROD_READ_ONLY=false/, 'naming the switch')
  }
  const compressed = await fetch(new URL('/mcp', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync('{"jsonrpc":"2.0","id":1,"method":"ping"}') })
  t.equal(compressed.status, 403, 'a compressed body cannot be read')
  await compressed.arrayBuffer()
  const large = await postMcp(proxy, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1024 * 1024) } }))
  t.match(large.message, /an MCP request body over 1048576 bytes/, 'a body past the cap is not read whole')
  const client = await WireClient.connect(proxy.port)
  const chunk = 'x'.repeat(1024 * 1024 + 1)
  client.send(`POST /mcp HTTP/1.1\r\nHost: localhost:${proxy.port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n`)
  const chunked = await client.read()
  client.destroy()
  t.same([chunked?.status, errorOf(chunked).code], [403, 'proxy/prod-read-only'], 'also a chunked body, once it passes the cap')
  const limited = await startProxy(t, { mcpUrl: `${mcp.url}/mcp`, apiKey: PROD_KEY, environment: 'prod', maxBodyBytes: 64 })
  const overLimit = await postMcp(limited, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(100) } }))
  t.same([overLimit.status, overLimit.code], [413, 'proxy/payload-too-large'], 'MAX_BODY_BYTES still applies')
  t.equal(mcp.started, 0, 'zero upstream requests')
  const open = await startProxy(t, { mcpUrl: `${mcp.url}/mcp`, apiKey: PROD_KEY, environment: 'prod', prodReadOnly: false })
  t.equal((await postMcp(open, '{"title":"x"}')).status, 200, 'PROD_READ_ONLY=false forwards it unread')
})

t.test('in prod read-only, a gzip-encoded tools/list answer is read too', async t => {
  const tools = [{ name: 'get_context', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } }, { name: 'search_docs', inputSchema: { type: 'object' } }]
  const mcp = await startFakeApi(t, {
    handler: (_req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
      const { id, method } = JSON.parse(body) as { id: number, method: string }
      const result = method === 'tools/list' ? { tools } : { content: [] }
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
      res.end(gzipSync(JSON.stringify({ jsonrpc: '2.0', id, result })))
    }
  })
  const proxy = await startProxy(t, { mcpUrl: `${mcp.url}/mcp`, apiKey: PROD_KEY, environment: 'prod' })
  t.equal((await postMcp(proxy, '{"jsonrpc":"2.0","id":"a","method":"tools/list"}')).status, 200)
  t.equal((await postMcp(proxy, '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_context"}}')).status, 200, 'the marked tool runs')
  t.equal((await postMcp(proxy, '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search_docs"}}')).status, 403, 'the unmarked one does not')
  t.same(methodsReceived(mcp), ['tools/list', 'tools/call get_context'])
})
