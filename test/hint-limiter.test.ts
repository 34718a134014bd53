import t from 'tap'
import { createHintLimiter } from '../src/diagnose/hint-limiter.js'

function fakeClock (): { now: () => number, advance: (ms: number) => void } {
  let at = 1_000_000
  return { now: () => at, advance: ms => { at += ms } }
}

t.test('says a hint once per cause per minute, then counts the repeats', async t => {
  const clock = fakeClock()
  const limit = createHintLimiter({ now: clock.now })
  t.equal(limit('401 auth/unauthorized', 'set BKEND_API_KEY'), 'set BKEND_API_KEY')
  for (let i = 0; i < 12; i++) {
    clock.advance(1000)
    t.equal(limit('401 auth/unauthorized', 'set BKEND_API_KEY'), undefined)
  }
  clock.advance(60_000)
  t.equal(limit('401 auth/unauthorized', 'set BKEND_API_KEY'), 'set BKEND_API_KEY (same hint 12 more times in the last minute)')
  t.equal(limit('401 auth/unauthorized', 'set BKEND_API_KEY'), undefined, 'the count starts again')
})

t.test('each cause has its own minute', async t => {
  const clock = fakeClock()
  const limit = createHintLimiter({ now: clock.now })
  t.equal(limit('a', 'hint a'), 'hint a')
  t.equal(limit('b', 'hint b'), 'hint b')
  t.equal(limit('a', 'hint a'), undefined)
  clock.advance(59_999)
  t.equal(limit('b', 'hint b'), undefined)
  clock.advance(1)
  t.equal(limit('a', 'hint a'), 'hint a (same hint 1 more time in the last minute)')
})

t.test('a hint that was not repeated comes back plain after the minute', async t => {
  const clock = fakeClock()
  const limit = createHintLimiter({ now: clock.now, windowMs: 10 })
  t.equal(limit('a', 'hint a'), 'hint a')
  clock.advance(10)
  t.equal(limit('a', 'hint a'), 'hint a')
})
