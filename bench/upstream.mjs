// The fake bkend upstream for the benchmark: plain node:http, fixed bodies built once,
// so it costs as little as possible per request. Prints "listening <port>" when ready.
import http from 'node:http'

const SMALL_BYTES = 1200
const LARGE_BYTES = 1024 * 1024

const small = Buffer.from(jsonOfSize(SMALL_BYTES))
const large = Buffer.alloc(LARGE_BYTES, 'bkend-')
const smallHeaders = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(small.length) }
const largeHeaders = { 'content-type': 'application/octet-stream', 'content-length': String(large.length) }

/** A JSON list of records, padded to exactly `bytes` bytes. */
function jsonOfSize (bytes) {
  const items = []
  let text = ''
  for (let i = 0; ; i++) {
    const next = JSON.stringify({ data: [...items, { id: `rec_${i}`, title: `Post number ${i}`, published: i % 2 === 0 }] })
    if (next.length > bytes - 20) break
    items.push({ id: `rec_${i}`, title: `Post number ${i}`, published: i % 2 === 0 })
    text = next
  }
  const body = JSON.parse(text)
  body.pad = ''
  const base = JSON.stringify(body).length
  body.pad = 'x'.repeat(bytes - base)
  return JSON.stringify(body)
}

const server = http.createServer((request, response) => {
  const path = request.url.split('?')[0]
  if (path === '/v1/bench/small') {
    response.writeHead(200, smallHeaders)
    response.end(small)
  } else if (path === '/v1/bench/echo') {
    let bytes = 0
    request.on('data', chunk => { bytes += chunk.length })
    request.on('end', () => {
      const body = `{"ok":true,"received":${bytes}}`
      response.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) })
      response.end(body)
    })
  } else if (path === '/v1/bench/large') {
    response.writeHead(200, largeHeaders)
    response.end(large)
  } else if (path === '/v1/bench/sse') {
    // The first event goes out with the headers; the stream then stays open until the
    // client leaves, as a real event stream does.
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    response.write('event: ready\ndata: {"n":1}\n\n')
    const timer = setInterval(() => response.write(': keep-alive\n\n'), 15000)
    response.on('close', () => clearInterval(timer))
  } else {
    response.writeHead(404, { 'content-type': 'application/json' })
    response.end('{"error":{"code":"not-found"}}')
  }
})
server.keepAliveTimeout = 60000
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})
process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)) })
