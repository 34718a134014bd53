import t from 'tap'
import { isEventStream, sseEventCounter, type SseEvent } from '../src/log/sse-events.js'

function count (chunks: string[]): number {
  const counter = sseEventCounter()
  let total = 0
  for (const chunk of chunks) total = counter(Buffer.from(chunk))
  return total
}

t.test('an event ends at a blank line after a data field, with LF, CRLF or CR line ends', async t => {
  t.equal(count(['data: a\n\ndata: b\n\n']), 2)
  t.equal(count(['data: a\r\n\r\nid: 2\r\ndata: b\r\n\r\n']), 2)
  t.equal(count(['data: a\r\rdata\r\r']), 2, '"data" alone is a data field too')
})

t.test('chunks may split anywhere, a CRLF or the field name included', async t => {
  const text = 'event: x\r\ndata: one\r\n\r\ndata: two\r\n\r\n'
  for (let cut = 0; cut <= text.length; cut++) t.equal(count([text.slice(0, cut), text.slice(cut)]), 2, `split at ${cut}`)
  t.equal(count([...'data: a\n\ndata: b\n'].concat(['\n'])), 2, 'byte by byte')
})

t.test('comments, id-only blocks and an unfinished event dispatch nothing', async t => {
  t.equal(count([': ping\n\n: ping\n\n']), 0)
  t.equal(count(['id: 1\nretry: 10\n\n']), 0)
  t.equal(count(['database: x\n\n']), 0, 'a field that only starts with "data"')
  t.equal(count(['data: a\n']), 0)
  t.equal(count(['data: a\n\n\n\n']), 1, 'extra blank lines are not events')
})

t.test('isEventStream reads the media type, not a look-alike', async t => {
  t.same(['text/event-stream', 'text/event-stream; charset=utf-8', 'Text/Event-Stream', 'text/event-streams', 'application/json', undefined].map(isEventStream), [true, true, true, false, false, false])
})

function read (chunks: string[], maxDataChars?: number): SseEvent[] {
  const events: SseEvent[] = []
  const counter = sseEventCounter(event => events.push(event), maxDataChars)
  for (const chunk of chunks) counter(Buffer.from(chunk))
  return events
}

t.test('with a listener, each event\'s name, id and data are read in the same pass', async t => {
  t.same(read(['event: update\nid: 42\ndata: {"n":1}\n\n: ping\n\ndata: two\ndata:lines\n\n']), [
    { event: 'update', id: '42', data: '{"n":1}' },
    { data: 'two\nlines' }
  ])
  t.same(read(['id: 7\r\nevent\r\ndata\r\n\r\n']), [{ id: '7', event: '', data: '' }], 'fields without a value, CRLF')
  t.same(read(['id: 1\nretry: 10\n\ndata: x\n\n']), [{ data: 'x' }], 'an id-only block dispatches nothing and leaves nothing behind')
})

t.test('fields split across chunks anywhere read the same; data is cut to the preview length', async t => {
  const text = 'event: tick\r\nid: 9\r\ndata: é-one\r\n\r\ndata: two\r\n\r\n'
  const whole = read([text])
  for (let cut = 0; cut <= text.length; cut++) t.same(read([text.slice(0, cut), text.slice(cut)]), whole, `split at ${cut}`)
  t.same(read([...'data: abc\n\n']), [{ data: 'abc' }], 'byte by byte')
  t.same(read([`data: ${'x'.repeat(5000)}\n`, `data: ${'y'.repeat(5000)}\n\n`], 10), [{ data: 'xxxxxxxxxx' }])
  t.same(read([`data: ${'z'.repeat(300)}`, 'z'.repeat(5000), '\n\n']), [{ data: 'z'.repeat(200) }], 'a long line is read up to the preview, however it is split')
})
