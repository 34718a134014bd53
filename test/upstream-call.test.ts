import t from 'tap'
import { dispatchWithCall, takeDispatchingCall, type UpstreamCall } from '../src/forward/upstream-call.js'

const call = (): UpstreamCall => ({ onDispatched: () => {}, onRetry: () => {} })

t.test('the dispatcher takes the call of the reply.from() it runs inside, once', async t => {
  const mine = call()
  const taken = dispatchWithCall(mine, () => [takeDispatchingCall(), takeDispatchingCall()])
  t.equal(taken[0], mine)
  t.equal(taken[1], undefined)
})

t.test('a dispatch outside reply.from() (the doctor, a later tick) gets no call', async t => {
  t.equal(takeDispatchingCall(), undefined)
  await dispatchWithCall(call(), async () => { await Promise.resolve() })
  t.equal(takeDispatchingCall(), undefined)
})

t.test('the slot is emptied when reply.from() throws', async t => {
  t.throws(() => dispatchWithCall(call(), () => { throw new Error('GET with a body') }))
  t.equal(takeDispatchingCall(), undefined)
})
