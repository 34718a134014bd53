// The fixed-memory latency histogram the load tests use instead of arrays of every latency.
import t from 'tap'
import { percentile } from './helpers.js'
import { latencyHistogram } from './latency-histogram.js'

t.test('percentiles are the exact ones rounded up to their 0.1 ms bucket, capped at the maximum', async t => {
  const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000 / 10 + 0.05) // 0.05 .. 99.95 ms, shuffled
  const histogram = latencyHistogram()
  for (const ms of values) histogram.record(ms)
  t.same(
    { count: histogram.count(), p50: histogram.percentile(50), p99: histogram.percentile(99), p100: histogram.percentile(100), max: histogram.max() },
    { count: 1000, p50: Math.ceil(percentile(values, 50) * 10) / 10, p99: Math.ceil(percentile(values, 99) * 10) / 10, p100: 99.95, max: 99.95 }
  )
})

t.test('answers slower than 10 s share the last bucket; the maximum stays exact', async t => {
  const histogram = latencyHistogram()
  for (const ms of [1, 2, 25_000]) histogram.record(ms)
  t.same({ p50: histogram.percentile(50), p99: histogram.percentile(99), max: histogram.max() }, { p50: 2.1, p99: 10_000, max: 25_000 })
})

t.test('an empty histogram has no percentiles', async t => {
  t.ok(Number.isNaN(latencyHistogram().percentile(99)), 'NaN, as percentile() of an empty array')
})
