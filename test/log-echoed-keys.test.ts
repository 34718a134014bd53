// Every profile's key is scrubbed from every log line, in every format, wherever it
// stands: a response header that echoes the Authorization the upstream received, a JSON
// body that echoes the request (LOG_BODIES), and a client's own URL and body carrying a
// key of another profile (a dev exchange with the prod key in it), whole or cut short at
// the end of a body preview. The CLI runs as a child
// process with one canary key per profile; the keys do reach the upstream, where they belong.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startCli, tempDir } from './helpers/cli.js'
import { startFakeApi } from './helpers/fake-upstream.js'
import { fingerprint } from './helpers/fingerprint.js'
import { PREVIEW_BYTES } from '../src/forward/body-capture.js'
import { CUT_SECRET } from '../src/redact/redact.js'

const KEYS = {
  dev: 'sk_test_ECHOdev0123456789abcdefghijk0001',
  staging: 'sk_test_ECHOstg0123456789abcdefghijk0002',
  prod: 'sk_live_ECHOprd0123456789abcdefghijk0003'
}

/** Every 13-character piece of a key: more than its first 12 characters (kind prefix and a few) is a leak, even of a copy cut short. */
function leaks (text: string, key: string): boolean {
  for (let at = 0; at + 13 <= key.length; at++) if (text.includes(key.slice(at, at + 13))) return true
  return false
}

for (const format of ['pretty', 'compact', 'json'] as const) {
  t.test(`LOG_FORMAT=${format}: no profile's key in full, echoed by the upstream or sent by the client`, async t => {
    const api = await startFakeApi(t, {
      handler: (req, res, body) => {
        if (req.url === '/v1/long') {
          // The 2 KB preview of LOG_BODIES ends 20 characters into the echoed key.
          res.writeHead(200, { 'content-type': 'text/plain' })
          res.end(`${'a'.repeat(PREVIEW_BYTES - 20)}${KEYS.prod} and more`)
          return
        }
        res.writeHead(req.url!.includes('fail') ? 400 : 200, {
          'content-type': 'application/json',
          'x-echo-auth': String(req.headers.authorization),
          'x-echo-keys': `${KEYS.staging} ${KEYS.prod}`
        })
        res.end(JSON.stringify({ url: req.url, headers: req.headers, body, keys: KEYS }))
      }
    })
    const cwd = tempDir(t)
    writeFileSync(join(cwd, '.env'), [
      `BKEND_API_URL=${api.url}`,
      `BKEND_API_KEY_DEV=${KEYS.dev}`,
      `BKEND_API_KEY_STAGING=${KEYS.staging}`,
      `BKEND_API_KEY_PROD=${KEYS.prod}`,
      'LOG_BODIES=true',
      'LOG_CURL=true'
    ].join('\n'))
    const cli = await startCli(t, [], { cwd, env: { LOG_FORMAT: format } })
    const url = (path: string): URL => new URL(path, cli.url)
    await (await fetch(url('/v1/data/posts'))).text()
    await (await fetch(url(`/v1/data/posts/${KEYS.prod}?token=x&q=${KEYS.staging}`))).text()
    await (await fetch(url(`/v1/fail?note=${KEYS.prod}`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ copied: KEYS.staging, other: `Bearer ${KEYS.prod}` }) })).text()
    await (await fetch(url('/v1/long'))).text()
    await fetch(new URL('/__proxy/api/environment', cli.inspectorUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"environment":"staging"}' })
    await (await fetch(url('/v1/data/posts'))).text()
    await cli.stop()

    t.same(api.received.map(request => request.headers.authorization), [`Bearer ${KEYS.dev}`, `Bearer ${KEYS.dev}`, `Bearer ${KEYS.dev}`, `Bearer ${KEYS.dev}`, `Bearer ${KEYS.staging}`], 'the keys went upstream, each with its profile')
    const output = cli.stdout() + cli.stderr()
    for (const [name, key] of Object.entries(KEYS)) t.notOk(leaks(output, key), `the ${name} key is not in the log, whole or cut`)
    // Not vacuous: the echoes and the client's copies were logged, as fingerprints.
    t.match(output, new RegExp(`/v1/data/posts/${fingerprint(KEYS.prod)}\\?token=${fingerprint('x')}&q=${fingerprint(KEYS.staging)}`), 'the client\'s URL shows the keys by their fingerprints')
    if (format === 'pretty') t.match(output, new RegExp(`< x-echo-auth: Bearer ${fingerprint(KEYS.dev)}\n`), 'the echoed header is in the log')
    if (format !== 'compact') t.match(output, `${'a'.repeat(20)}${CUT_SECRET}`, 'the preview cut inside the key ends in the cut mark')
    if (format === 'json') t.match(output, new RegExp(`\\["x-echo-auth","Bearer ${fingerprint(KEYS.dev)}"\\]`), 'the echoed header is in the log')
  })
}
