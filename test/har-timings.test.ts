// HAR timings are milliseconds to the microsecond: a subtraction of two durations must not
// leak float noise (3.9000000000000004) into an export that people read and diff.
import t from 'tap'
import { harEntry } from '../src/inspector/har.js'
import type { ExchangeDetail } from '../src/inspector/views.js'

const EMPTY = { kind: 'empty', totalBytes: 0 }

t.test('time, wait and receive are rounded to the microsecond', async t => {
  const detail = {
    id: 1, method: 'GET', url: '/v1/x', target: 'https://api.example/v1/x', status: 200, bytes: 2,
    startedAt: '2026-12-03T00:00:00.000Z', durationMs: 5.0000004, headersMs: 1.1, answeredBy: 'upstream', hints: [], notes: [],
    request: { headers: [], body: EMPTY },
    response: { line: 'HTTP/1.1 200 OK', headers: [], body: EMPTY }
  } as unknown as ExchangeDetail
  const { time, timings } = harEntry(detail, 'http://localhost:8787')
  t.same([time, timings.wait, timings.receive], [5, 1.1, 3.9])
})
