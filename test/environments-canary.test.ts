// Canary keys, one per profile (and one that arrives by a reload), never appear in full in
// any log line (pretty or JSON) or any response: exchanges, refusals, the switch, health,
// the inspector's API and HAR, reload lines, a refused edit, and the doctor.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, startCli, tempDir, type RunningCli } from './helpers/cli.js'
import { bkendReply, startFakeApi } from './helpers/fake-upstream.js'

const CANARIES = {
  dev: 'sk_test_CANARYdev0123456789abcdefghij0001',
  staging: 'sk_test_CANARYstg0123456789abcdefghij0002',
  prod: 'sk_live_CANARYprd0123456789abcdefghij0003',
  reloaded: 'sk_test_CANARYnew0123456789abcdefghij0004',
  refused: 'sk_test_CANARYbad0123456789abcdefghij0005'
}

function assertNoCanary (t: typeof import('tap'), text: string, where: string): void {
  for (const [name, key] of Object.entries(CANARIES)) {
    t.notOk(text.includes(key.slice(8, -4)), `the ${name} key is not in ${where}`)
  }
}

async function bodyOf (url: URL, init: RequestInit = {}): Promise<string> {
  const res = await fetch(url, init)
  return `${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`
}

async function traffic (cli: RunningCli): Promise<string> {
  // The inspector's API, the environment switch included, is on its own port.
  const url = (path: string): URL => new URL(path, path.startsWith('/__proxy/api/') ? cli.inspectorUrl : cli.url)
  const json = { method: 'POST', headers: { 'content-type': 'application/json' } }
  const answers = [
    await bodyOf(url('/v1/data/posts')),
    await bodyOf(url('/v1/fail'), { headers: { origin: 'http://localhost:5173' } }),
    await bodyOf(url('/__proxy/api/environment'), { ...json, body: '{"environment":"staging"}' }),
    await bodyOf(url('/v1/data/posts')),
    await bodyOf(url('/__proxy/api/environment'), { ...json, body: '{"environment":"prod"}' }),
    await bodyOf(url('/v1/data/posts'), { method: 'DELETE' }),
    await bodyOf(url('/__proxy/api/environment')),
    await bodyOf(url('/__proxy/health')),
    await bodyOf(url('/__proxy/api/har'))
  ]
  const list = JSON.parse(await (await fetch(url('/__proxy/api/exchanges'))).text()) as { exchanges: Array<{ id: number }> }
  for (const { id } of list.exchanges) answers.push(await bodyOf(url(`/__proxy/api/exchanges/${id}`)))
  return answers.join('\n')
}

t.test('no canary key in any log line or response, across profiles, switches and reloads', async t => {
  const api = await startFakeApi(t, {
    handler: (req, res, body) => req.url!.startsWith('/v1/fail')
      ? bkendReply(401, { success: false, error: { code: 'auth/unauthorized', message: 'Unauthorized' } })(req, res, body)
      : bkendReply(200, { success: true, data: { items: [] } })(req, res, body)
  })
  const cwd = tempDir(t)
  const dotenv = join(cwd, '.env')
  const settings = [`BKEND_API_URL=${api.url}`, `BKEND_MCP_URL=${api.url}/mcp`, `BKEND_API_KEY_DEV=${CANARIES.dev}`, `BKEND_API_KEY_PROD=${CANARIES.prod}`, 'LOG_CURL=true', 'LOG_BODIES=true']
  writeFileSync(dotenv, [...settings, `BKEND_API_KEY_STAGING=${CANARIES.staging}`].join('\n'))
  const pretty = await startCli(t, [], { cwd, env: { LOG_LEVEL: 'debug' } })
  const json = await startCli(t, [], { cwd, env: { LOG_LEVEL: 'debug', LOG_FORMAT: 'json' } })
  const answers = [await traffic(pretty), await traffic(json)]
  t.ok(api.received.some(request => request.headers.authorization === `Bearer ${CANARIES.staging}`), 'the canaries did go upstream, where they belong')

  writeFileSync(dotenv, [...settings, `BKEND_API_KEY_STAGING=${CANARIES.reloaded}`].join('\n'))
  await Promise.all([pretty, json].map(cli => cli.waitForStdout(/config: reloaded \.env/)))
  // A control character makes the value invalid; the message shows its fingerprint.
  writeFileSync(dotenv, [...settings, `BKEND_API_KEY_STAGING="${CANARIES.refused}\\nX-Evil: 1"`].join('\n'))
  await Promise.all([pretty, json].map(cli => cli.waitForStdout(/config: apiKey \\?"sk_test_••••/)))
  answers.push(await traffic(pretty))

  const doctor = await runCli(t, ['doctor', '--all-environments'], { cwd, timeoutMs: 20000 })
  for (const cli of [pretty, json]) await cli.stop()
  assertNoCanary(t, pretty.stdout() + pretty.stderr(), 'the pretty log')
  assertNoCanary(t, json.stdout() + json.stderr(), 'the JSON log')
  assertNoCanary(t, answers.join('\n'), 'any response')
  assertNoCanary(t, doctor.stdout + doctor.stderr, 'the doctor\'s report')
  t.match(pretty.stdout(), /staging\.apiKey sk_test_••••0002 \(41 chars\) → sk_test_••••0004 \(41 chars\)/, 'the reload names the key by fingerprint')
})
