import t from 'tap'
import { createHash } from 'node:crypto'
import { redactHeaderValue, redactSecret } from '../src/redact/redact.js'

const KEY = 'sk_test_0123456789abcdefghijklmnopqr9f2c'

t.test('a key keeps its kind prefix, last four characters and length', async t => {
  t.equal(redactSecret(KEY), 'sk_test_••••9f2c (40 chars)')
  t.equal(redactHeaderValue('authorization', `Bearer ${KEY}`), 'Bearer sk_test_••••9f2c (40 chars)')
  t.equal(redactHeaderValue('x-api-key', KEY), 'sk_test_••••9f2c (40 chars)')
})

t.test('a known kind prefix is kept whole, whatever the length of the key', async t => {
  const tail = (length: number, prefix: string): string => prefix + 'x'.repeat(length - prefix.length - 4) + '9f2c'
  t.equal(redactSecret(tail(34, 'sk_test_')), 'sk_test_••••9f2c (34 chars)', 'not cut to sk_tes')
  t.equal(redactSecret(tail(30, 'sk_live_')), 'sk_live_••••9f2c (30 chars)')
  t.equal(redactSecret(tail(36, 'pk_test_')), 'pk_test_••••9f2c (36 chars)')
  t.equal(redactSecret(tail(52, 'pk_live_')), 'pk_live_••••9f2c (52 chars)')
  t.equal(redactSecret(tail(40, 'pk_')), 'pk_••••9f2c (40 chars)', 'a bare pk_ shows no more than its kind')
  t.equal(redactSecret(tail(40, 'ak_')), 'ak_••••9f2c (40 chars)')
  t.equal(redactSecret(tail(40, 'sk_')), 'sk_••••9f2c (40 chars)', 'a bare sk_ too')
})

t.test("bkend's documented keys (pk_, sk_, ak_ + 64 hex) show their three-character kind and the last four only", async t => {
  const hex = '0123456789abcdef'.repeat(3) + 'fedcba987654' + '9f2c'
  for (const kind of ['pk_', 'sk_', 'ak_']) {
    t.equal(redactSecret(kind + hex), `${kind}••••9f2c (67 chars)`, kind)
    t.equal(redactHeaderValue('x-api-key', kind + hex), `${kind}••••9f2c (67 chars)`, `${kind} in X-API-Key`)
  }
  t.equal(redactHeaderValue('authorization', `Bearer ak_${hex}`), 'Bearer ak_••••9f2c (67 chars)')
})

t.test('a JWT shows a hash of itself and its length, never a character of its signature', async t => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlc2lnbmF0dXJlOf2c'
  t.equal(redactSecret(jwt), `JWT sha256:${createHash('sha256').update(jwt).digest('hex').slice(0, 8)} (${jwt.length} chars)`)
  t.notMatch(redactHeaderValue('authorization', `Bearer ${jwt}`), /Of2c|c2ln|eyJ/)
})

t.test('a kind prefix is not kept when too little of the key would stay hidden', async t => {
  t.equal(redactSecret('sk_test_abcdefgh9f2c'), 'sk_••••9f2c (20 chars)', 'the shorter kind sk_ instead')
  t.equal(redactSecret('sk_test_abc'), '•••• (11 chars)', 'short secrets show only their length')
})

t.test('unknown formats show at most a short lead and the last four', async t => {
  t.equal(redactSecret('abcdefghijklmnopqrstuvwxyz'), 'abcde••••wxyz (26 chars)')
  t.equal(redactSecret('0123456789abcdefghijklmnopqrstuvwxyz0123456789'), '01234567••••6789 (46 chars)')
})

t.test('short secrets show only their length', async t => {
  t.equal(redactSecret('hunter2'), '•••• (7 chars)')
  t.equal(redactHeaderValue('authorization', 'Bearer abc'), 'Bearer •••• (3 chars)')
  t.equal(redactSecret(''), '(empty)')
})

t.test('cookie values are hidden, names and attributes kept', async t => {
  t.equal(redactHeaderValue('cookie', 'session=abcdefghijklmnopqrstuvwxyz; theme=dark'), 'session=abcde••••wxyz (26 chars); theme=•••• (4 chars)')
  t.equal(redactHeaderValue('set-cookie', 'sid=0123456789abcdefghijk; Path=/; HttpOnly'), 'sid=0123••••hijk (21 chars); Path=/; HttpOnly')
})

t.test('other headers pass unchanged', async t => {
  t.equal(redactHeaderValue('x-project-id', 'p1'), 'p1')
})

t.test('credential-like query parameters are redacted, the rest kept byte for byte', async t => {
  const { redactUrl } = await import('../src/redact/redact.js')
  t.equal(redactUrl('/v1/x?api_key=Q1&access_token=Q2&limit=1&a=1+2&b=%2F'), '/v1/x?api_key=•••• (2 chars)&access_token=•••• (2 chars)&limit=1&a=1+2&b=%2F')
  t.equal(redactUrl('/v1/x'), '/v1/x')
  t.equal(redactUrl('/v1/x?flag&token='), '/v1/x?flag&token=(empty)')
})

t.test('session ids, JWTs, signatures and X-API-Key spellings in a query are redacted too', async t => {
  const { redactUrl } = await import('../src/redact/redact.js')
  const url = '/v1/x?x_api_key=K1&X-Api-Key=K2&jwt=J1&session=S1&authorization=A1&sig=G1&signature=G2&page=2'
  t.equal(redactUrl(url), '/v1/x?x_api_key=•••• (2 chars)&X-Api-Key=•••• (2 chars)&jwt=•••• (2 chars)&session=•••• (2 chars)&authorization=•••• (2 chars)&sig=•••• (2 chars)&signature=•••• (2 chars)&page=2')
})
