import t from 'tap'
import Fastify from 'fastify'
import httpProxy from '@fastify/http-proxy'
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

t.test('@fastify/http-proxy reaches the dispatcher within the handler, so the call gets there', async t => {
  const mine = call()
  let taken: UpstreamCall | undefined
  let dispatched = false
  // A dispatcher as reply-from sees ours: request(options, callback).
  const dispatcher = {
    request: (_options: unknown, callback: (error: Error) => void) => {
      dispatched = true
      taken = takeDispatchingCall()
      callback(new Error('no upstream in this test'))
    }
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(httpProxy, {
    upstream: 'http://upstream.invalid',
    undici: dispatcher as never,
    handler: (request, reply, dest, options) => dispatchWithCall(mine, () => reply.from(dest, options)),
    replyOptions: { retryDelay: () => null, onError: reply => { reply.code(502).send() } } as never
  })
  t.equal((await app.inject('/v1/x')).statusCode, 502)
  t.ok(dispatched, 'the dispatcher was called')
  t.equal(taken, mine, 'and took the call of the request it was dispatching')
})
