// Log injection is neutralised (LOG-03): control characters from the wire are escaped,
// no line can be forged, pretty blocks never interleave, and every json line parses.
import t from 'tap'
import { startFakeApi, startRawUpstream } from './helpers/fake-upstream.js'
import { WireClient } from './helpers/raw-client.js'
import { fetchText } from './helpers/fetch-body.js'
import { startProxy } from './helpers/proxy.js'

t.test('LOG-03 pretty log: control characters escaped, no forged lines, blocks never interleaved', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'pretty' })
  const P = proxy.port
  // A raw ESC in a request header is not valid HTTP: Node refuses it before any log line.
  const withEsc = await WireClient.connect(P)
  withEsc.send(`GET /v1/a HTTP/1.1\r\nHost: localhost:${P}\r\nUser-Agent: x\x1b[2Jy\r\n\r\n`)
  t.equal((await withEsc.read())?.status, 400, 'ESC in a request header → 400')
  withEsc.destroy()
  const hostile = `GET /v1/a%0d%0a%3c%20HTTP/1.1%20200%20OK HTTP/1.1\r\nHost: localhost:${P}\r\nX-Note: line1\\n< HTTP/1.1 200 OK\r\n\r\n`
  const client = await WireClient.connect(P)
  client.send(hostile)
  const [first] = await Promise.all([client.read(), ...Array.from({ length: 20 }, (_, i) => fetchText(new URL(`/v1/n/${i}`, proxy.url)))])
  client.destroy()
  t.equal(first?.status, 200)
  const logs = await proxy.logs()
  const lines = logs.split('\n')
  t.notMatch(logs, /[\u001b\u007f]/, 'no raw ESC or DEL reaches the output')
  t.equal(lines.filter(line => line === '< HTTP/1.1 200 OK').length, 21, 'exactly one status line per exchange: none forged')
  t.ok(lines.some(line => /^> x-note: line1\\n< HTTP\/1\.1 200 OK$/.test(line)), 'the X-Note value stays on its own line, literally')
  t.ok(lines.some(line => line.includes('/v1/a%0d%0a%3c%20HTTP/1.1%20200%20OK')), 'the encoded CRLF stays encoded')
  // Every block runs from "* #N GET" to "* #N <status>" with no other exchange inside.
  let open: string | undefined
  let interleaved = 0
  let blocks = 0
  for (const line of lines) {
    const summary = /\* #(\d+) /.exec(line)
    if (!summary) continue
    if (/\* #\d+ (GET|POST) /.test(line)) {
      if (open !== undefined) interleaved++
      open = summary[1]
    } else if (/\* #\d+ \d{3} /.test(line)) {
      if (open !== summary[1]) interleaved++
      open = undefined
      blocks++
    }
  }
  t.equal(blocks, 21, 'one block per exchange')
  t.equal(interleaved, 0, 'no block is interleaved with another')
})

t.test('LOG-03 json log: every line parses, one object per exchange, hostile input escaped', async t => {
  const api = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: api.url, logFormat: 'json' })
  const P = proxy.port
  const client = await WireClient.connect(P)
  client.send(`GET /v1/a%0d%0a HTTP/1.1\r\nHost: localhost:${P}\r\nX-Note: line1\\n< HTTP/1.1 200 OK\r\n\r\n`)
  await Promise.all([client.read(), ...Array.from({ length: 20 }, (_, i) => fetchText(new URL(`/v1/n/${i}`, proxy.url)))])
  client.destroy()
  const lines = (await proxy.logs()).trimEnd().split('\n')
  const parsed = lines.map(line => { try { return JSON.parse(line) as { exchange?: unknown } } catch { return undefined } })
  t.equal(parsed.filter(entry => entry === undefined).length, 0, 'every line is JSON')
  t.equal(parsed.filter(entry => entry?.exchange !== undefined).length, 21, 'one object per exchange')
  t.notMatch(lines.join('\n'), /[\u001b\u007f]/, 'no raw control characters, not even inside JSON strings')
})

t.test('LOG-03 an ESC sequence in an upstream response header never reaches the terminal', async t => {
  const upstream = await startRawUpstream(t, (_hit, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nX-Evil: a\x1b[2J\x1b[31mred\x07\r\nContent-Length: 2\r\n\r\nok')
  })
  const proxy = await startProxy(t, { apiUrl: upstream.url, logFormat: 'pretty' })
  const res = await fetch(new URL('/v1/evil', proxy.url))
  await res.text()
  t.ok(res.status === 200 || res.status === 502, `answered ${res.status}`)
  const logs = await proxy.logs()
  t.match(logs, /^\* #1 /m, 'the exchange was logged')
  t.notMatch(logs, /[\u001b\u0007]/, 'no raw ESC or BEL in the log')
})
