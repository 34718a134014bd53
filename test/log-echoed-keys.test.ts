// Every profile's key is scrubbed from every log line, in every format, wherever it
// stands: a response header that echoes the Authorization the upstream received, a JSON
// body that echoes the request (LOG_BODIES), and a client's own URL and body carrying a
// key of another profile (a dev exchange with the prod key in it). The CLI runs as a child
// process with one canary key per profile; the keys do reach the upstream, where they belong.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startCli, tempDir } from './helpers/cli.js'
import { startFakeApi } from './helpers/fake-upstream.js'

const KEYS = {
  dev: 'sk_test_ECHOdev0123456789abcdefghijk0001',
  staging: 'sk_test_ECHOstg0123456789abcdefghijk0002',
  prod: 'sk_live_ECHOprd0123456789abcdefghijk0003'
}

/** The part of a key that its fingerprint hides. */
function hidden (key: string): string {
  return key.slice(8, -4)
}

for (const format of ['pretty', 'compact', 'json'] as const) {
  t.test(`LOG_FORMAT=${format}: no profile's key in full, echoed by the upstream or sent by the client`, async t => {
    const api = await startFakeApi(t, {
      handler: (req, res, body) => {
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
    await fetch(url('/__proxy/api/environment'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"environment":"staging"}' })
    await (await fetch(url('/v1/data/posts'))).text()
    await cli.stop()

    t.same(api.received.map(request => request.headers.authorization), [`Bearer ${KEYS.dev}`, `Bearer ${KEYS.dev}`, `Bearer ${KEYS.dev}`, `Bearer ${KEYS.staging}`], 'the keys went upstream, each with its profile')
    const output = cli.stdout() + cli.stderr()
    for (const [name, key] of Object.entries(KEYS)) t.notOk(output.includes(hidden(key)), `the ${name} key is not in the log`)
    // Not vacuous: the echoes and the client's copies were logged, as fingerprints.
    t.match(output, /\/v1\/data\/posts\/sk_live_••••0003 \(\d+ chars\)\?token=•••• \(1 chars\)&q=sk_test_••••0002 \(\d+ chars\)/, 'the client\'s URL shows the keys by their fingerprints')
    if (format === 'pretty') t.match(output, /< x-echo-auth: Bearer sk_test_••••0001 \(\d+ chars\)\n/, 'the echoed header is in the log')
    if (format === 'json') t.match(output, /\["x-echo-auth","Bearer sk_test_••••0001 \(\d+ chars\)"\]/, 'the echoed header is in the log')
  })
}
