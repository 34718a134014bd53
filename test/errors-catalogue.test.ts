import t from 'tap'
import { ERRORS, proxyErrorBody, statusOf } from '../src/errors.js'

t.test('every catalogue entry is a distinct proxy/<name> code with a 4xx or 5xx status', async t => {
  const codes = Object.values(ERRORS).map(entry => entry.code)
  t.equal(new Set(codes).size, codes.length)
  for (const entry of Object.values(ERRORS)) {
    t.match(entry.code, /^proxy\/[a-z0-9]+(-[a-z0-9]+)*$/)
    t.ok(entry.status >= 400 && entry.status < 600, `${entry.code} ${entry.status}`)
  }
})

t.test('an entry goes out with its own status unless it names the other one', async t => {
  t.equal(statusOf(ERRORS.hostNotAllowed, 400), 403)
  t.equal(statusOf(ERRORS.replayUnavailable, 503), 503)
  t.equal(statusOf(ERRORS.replayUnavailable, 502), 409)
  t.equal(statusOf(ERRORS.badRequest, 413), 413)
  t.equal(statusOf(ERRORS.badRequest, 500), 400)
  t.equal(statusOf(ERRORS.upstreamTimeout), 504)
})

t.test('the body is bkend\'s error shape, with the default message when none is given', async t => {
  t.same(proxyErrorBody(ERRORS.shuttingDown), { success: false, error: { code: 'proxy/shutting-down', message: 'the proxy is shutting down; retry in a moment' } })
})
