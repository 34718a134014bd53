import t from 'tap'
import { buildClientResponseHeaders } from '../src/forward/response-headers.js'

t.test("the upstream's Access-Control-* headers never pass", async t => {
  const headers = buildClientResponseHeaders({
    'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'x-a', 'content-type': 'application/json'
  }, { cors: true })
  t.same(headers, { 'content-type': 'application/json', vary: 'Origin' })
})

t.test('hop-by-hop response headers are stripped, Connection-named ones too', async t => {
  const headers = buildClientResponseHeaders({
    connection: 'keep-alive, x-secret-hop', 'x-secret-hop': '1', 'keep-alive': 'timeout=1', 'proxy-authenticate': 'Basic', 'alt-svc': 'h2=":443"',
    'transfer-encoding': 'chunked', 'content-length': '2'
  }, { cors: false })
  t.same(headers, { 'content-length': '2' })
})

t.test('Vary is merged with Origin, and upstream header names are exposed', async t => {
  const headers = buildClientResponseHeaders({ vary: 'Accept-Encoding', 'x-request-id': 'r1', 'retry-after': '3', 'content-type': 'text/plain', 'set-cookie': ['a=1'] }, { cors: true })
  t.equal(headers.vary, 'Accept-Encoding, Origin')
  t.equal(headers['access-control-expose-headers'], 'x-request-id, retry-after')
  t.equal(buildClientResponseHeaders({ vary: 'origin' }, { cors: true }).vary, 'origin')
  t.equal(buildClientResponseHeaders({ vary: '*' }, { cors: true }).vary, '*')
})

t.test('without a browser Origin nothing CORS-related is added', async t => {
  t.same(buildClientResponseHeaders({ 'x-request-id': 'r1' }, { cors: false }), { 'x-request-id': 'r1' })
})
