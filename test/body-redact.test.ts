import t from 'tap'
import { redactBody } from '../src/redact/body-redact.js'
import { redactSecret } from '../src/redact/redact.js'

const request = { path: '/v1/data/posts', side: 'request' } as const
const json = (text: string, context: Parameters<typeof redactBody>[1] = request): string => redactBody(text, context).text

t.test('secret JSON fields keep only their length; everything else byte for byte', async t => {
  t.equal(json('{ "email": "a@b.c",\n  "password" : "hunter2" }'), '{ "email": "a@b.c",\n  "password" : "•••• (7 chars)" }')
  t.same(redactBody('{"password":"hunter2","newPassword":"x","a":1}', request), { text: '{"password":"•••• (7 chars)","newPassword":"•••• (1 chars)","a":1}', redacted: ['password', 'newPassword'] })
})

t.test('every name the issue lists, in any case, is secret; ordinary names are not', async t => {
  const secret = ['password', 'passwd', 'PWD', 'secret', 'token', 'accessToken', 'refresh_token', 'idToken', 'apiKey', 'api_key', 'x-api-key', 'clientSecret', 'OTP', 'currentPassword', 'MY_SECRET_VALUE', 'csrfToken']
  for (const name of secret) t.equal(json(`{"${name}":"v"}`), `{"${name}":"•••• (1 chars)"}`, name)
  for (const name of ['email', 'key', 'title', 'id', 'passage']) t.equal(json(`{"${name}":"v"}`), `{"${name}":"v"}`, name)
})

t.test('tokens and keys are shown the way header secrets are', async t => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.payload-payload.signature'
  t.equal(json(`{"accessToken":"${token}"}`), `{"accessToken":"${redactSecret(token)}"}`)
  t.notMatch(json(`{"accessToken":"${token}"}`), 'payload')
})

t.test('nested at any depth, in arrays, and everything under a secret name', async t => {
  t.equal(json('{"data":{"users":[{"auth":{"password":"p1"}},{"password":"p22"}]}}'), '{"data":{"users":[{"auth":{"password":"•••• (2 chars)"}},{"password":"•••• (3 chars)"}]}}')
  t.equal(json('{"tokens":{"access":"abc","list":["de",7]},"after":"kept"}'), '{"tokens":{"access":"•••• (3 chars)","list":["•••• (2 chars)","•••• (1 chars)"]},"after":"kept"}')
  t.equal(json('{"otp":123456,"remember":true,"token":null}'), '{"otp":"•••• (6 chars)","remember":true,"token":null}')
})

t.test('escaped quotes inside values do not lose the place', async t => {
  t.equal(json('{"note":"say \\"password\\": \\"no\\"","password":"a\\"b"}'), '{"note":"say \\"password\\": \\"no\\"","password":"•••• (3 chars)"}')
})

t.test('code is secret in request bodies under /auth/, never in bkend error answers', async t => {
  t.equal(json('{"code":"123456"}', { path: '/v1/auth/otp/verify', side: 'request' }), '{"code":"•••• (6 chars)"}')
  t.equal(json('{"code":"draft"}'), '{"code":"draft"}')
  const error = '{"success":false,"error":{"code":"auth/invalid-token","message":"x"}}'
  t.equal(json(error, { path: '/v1/auth/otp/verify', side: 'response' }), error)
})

t.test('a cut-off or invalid JSON preview still hides secret values', async t => {
  t.equal(json('{"user":{"password":"hunt'), '{"user":{"password":"•••• (cut)')
  t.equal(json('{"password":"hunter2","tok'), '{"password":"•••• (7 chars)","tok')
  t.equal(json("{password: 'hunter2', title: 'x'}"), "{password: '•••• (7 chars)', title: 'x'}")
  t.equal(json('[{"a":1}]\n{"token":"abc"}\n'), '[{"a":1}]\n{"token":"•••• (3 chars)"}\n', 'one JSON value per line (ndjson)')
})

t.test('form bodies: names decoded to match, values hidden with their decoded length', async t => {
  const form = { path: '/v1/auth/signin', side: 'request', contentType: 'application/x-www-form-urlencoded' } as const
  t.same(redactBody('email=a%40b.c&pass%77ord=hun+ter%32&code=12&x', form), { text: 'email=a%40b.c&pass%77ord=•••• (8 chars)&code=•••• (2 chars)&x', redacted: ['password', 'code'] })
  t.equal(json('grant_type=refresh_token&refresh_token=abc'), 'grant_type=refresh_token&refresh_token=•••• (3 chars)', 'recognised without a content type')
})

t.test('plain text passes unchanged', async t => {
  t.same(redactBody('my password is hunter2', request), { text: 'my password is hunter2', redacted: [] })
  t.equal(json(''), '')
})

t.test('never throws, whatever the text: it runs on the logging path', async t => {
  t.equal(json('a: b, c'), 'a: b, c')
  t.equal(json('}}]:,{"password":'), '}}]:,{"password":')
  let seed = 7
  const random = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
  const pieces = ['{', '}', '[', ']', ':', ',', '"', "'", '\\', ' ', '\n', 'password', 'token', 'x', '1', 'null', '=', '&', '•']
  let thrown = 0
  for (let run = 0; run < 2000; run++) {
    const text = Array.from({ length: 1 + Math.floor(random() * 30) }, () => pieces[Math.floor(random() * pieces.length)]).join('')
    try {
      redactBody(text, request)
      redactBody(text, { ...request, contentType: 'application/x-www-form-urlencoded' })
    } catch {
      thrown++
    }
  }
  t.equal(thrown, 0)
})
