// A key of another profile that a client itself puts into a dev exchange (pasted into a
// URL, copied into a body) shows as its fingerprint in the inspector's list, detail and
// HAR, and in the log: every profile's key is known, not only the active one's.
import t from 'tap'
import { startFakeApi } from './helpers/fake-upstream.js'
import { startProxy } from './helpers/proxy.js'
import { redactSecret } from '../src/redact/redact.js'

const KEYS = {
  dev: 'sk_test_CLIENTdev0123456789abcdefghi0001',
  staging: 'sk_test_CLIENTstg0123456789abcdefghi0002',
  prod: 'sk_live_CLIENTprd0123456789abcdefghi0003'
}

function leaked (text: string): string[] {
  return Object.entries(KEYS).filter(([, key]) => text.includes(key.slice(8, -4))).map(([name]) => name)
}

t.test('a dev exchange carrying the staging and prod keys in its URL and body: fingerprints only', async t => {
  const api = await startFakeApi(t, { handler: (_req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"ok":true}') } })
  const proxy = await startProxy(t, {
    apiUrl: api.url,
    apiKey: KEYS.dev,
    environments: { dev: { apiKey: KEYS.dev }, staging: { apiKey: KEYS.staging }, prod: { apiKey: KEYS.prod } },
    logBodies: true
  })
  const res = await fetch(new URL(`/v1/data/notes/${KEYS.prod}?q=${KEYS.staging}`, proxy.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ note: KEYS.prod, copied: `Bearer ${KEYS.staging}` })
  })
  t.equal(res.status, 200)
  await res.text()
  t.equal(api.received[0]?.url, `/v1/data/notes/${KEYS.prod}?q=${KEYS.staging}`, 'forwarded as the client sent it')

  const listText = await (await fetch(new URL('/__proxy/api/exchanges', proxy.inspectorUrl))).text()
  const { exchanges } = JSON.parse(listText) as { exchanges: Array<{ id: number, url: string }> }
  const detailText = await (await fetch(new URL(`/__proxy/api/exchanges/${exchanges[0]!.id}`, proxy.inspectorUrl))).text()
  const harText = await (await fetch(new URL('/__proxy/api/har', proxy.inspectorUrl))).text()
  const detail = JSON.parse(detailText) as { target: string, request: { line: string, body: { text: string } } }

  t.equal(exchanges[0]!.url, `/v1/data/notes/${redactSecret(KEYS.prod)}?q=${redactSecret(KEYS.staging)}`, 'the list shows fingerprints')
  t.equal(detail.target, `${api.url}/v1/data/notes/${redactSecret(KEYS.prod)}?q=${redactSecret(KEYS.staging)}`, 'the target too')
  t.equal(detail.request.line, `POST /v1/data/notes/${redactSecret(KEYS.prod)}?q=${redactSecret(KEYS.staging)} HTTP/1.1`, 'the request line too')
  t.equal(detail.request.body.text, JSON.stringify({ note: redactSecret(KEYS.prod), copied: `Bearer ${redactSecret(KEYS.staging)}` }), 'the body too')
  t.same(leaked(listText), [], 'no key in the list')
  t.same(leaked(detailText), [], 'no key in the detail')
  t.same(leaked(harText), [], 'no key in the HAR')
  t.same(leaked(await proxy.logs()), [], 'no key in the log')
})
