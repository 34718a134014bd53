// doctor --skip (steps left out on request, unknown names refused) and the proxy step
// (the proxy answering on PORT, with the same settings or others), as child processes.
import t from 'tap'
import { closedPortUrl, startFakeApi } from './helpers/fake-upstream.js'
import { startCli } from './helpers/cli.js'
import { bkendEnv, KEY, PK, runDoctor, runDoctorJson, stepOf } from './helpers/doctor-run.js'

t.test('--skip leaves steps out, offline MCP included: skipped on request, they do not fail the doctor', async t => {
  const { env } = await bkendEnv(t)
  const offline = { ...env, BKEND_MCP_URL: 'https://mcp.does-not-exist.invalid/mcp' }
  const unskipped = await runDoctorJson(t, [], offline)
  t.same([unskipped.code, unskipped.status.mcp, unskipped.status['mcp-oauth']], [1, 'fail', 'skip'], 'an unreachable MCP host fails the doctor')
  for (const args of [['--skip', 'mcp'], ['--skip', 'mcp,proxy'], ['--skip', 'proxy', '--skip', 'mcp']]) {
    const { code, report, status } = await runDoctorJson(t, args, offline)
    t.equal(code, 0, `${args.join(' ')}: exit 0`)
    t.same([report.ok, status.mcp, status['mcp-oauth'], status.auth], [true, 'skip', 'skip', 'pass'], args.join(' '))
    t.same(stepOf(report, 'mcp').detail, 'skipped on request (--skip mcp)')
    t.same(stepOf(report, 'mcp-oauth').detail, 'not checked: it reads the mcp step\'s answer (--skip mcp)')
    t.equal(status.proxy, args.some(arg => arg.includes('proxy')) ? 'skip' : 'pass')
  }
  const text = await runDoctor(t, ['--skip', 'mcp'], offline)
  t.match(text.stdout, /^SKIP {2}mcp {10}skipped on request \(--skip mcp\)$/m)
  t.match(text.stdout, /\n10 passed, 0 failed, 2 skipped\n$/)
  const skippedAuth = await runDoctorJson(t, ['--skip', 'auth'], { ...env, BKEND_API_KEY: '' })
  t.same([skippedAuth.code, skippedAuth.status.auth, skippedAuth.status.environment], [1, 'skip', 'skip'], 'the environment step goes with auth; the key\'s own skip still counts')
})

t.test('--skip with a name that is no step: exit 2, naming the steps there are', async t => {
  const run = await runDoctor(t, ['--skip', 'mcp,mpc'], {})
  t.equal(run.code, 2)
  t.equal(run.stdout, '')
  t.equal(run.stderr, 'bkend-dev-proxy doctor: --skip mpc: no such step\n  fix: did you mean mcp? the steps are proxy, api-url, dns, tls, auth-header, auth, environment, keys, cors, node, mcp, mcp-oauth\n')
  t.equal((await runDoctor(t, ['--skip', 'config'], {})).code, 2, 'the configuration is always loaded')
})

t.test('the proxy step: the proxy answering on PORT with the same settings, or with others (named, key by fingerprint)', async t => {
  const { api, env } = await bkendEnv(t)
  const same = await startCli(t, [], { env })
  const { code, report } = await runDoctorJson(t, [], { ...env, PORT: String(same.port) })
  t.equal(code, 0)
  t.same(stepOf(report, 'proxy'), { step: 'proxy', status: 'pass', detail: `the proxy answers at http://127.0.0.1:${same.port} with these settings (upstream, environment, auth scheme and key)` })

  const closedUrl = await closedPortUrl()
  const other = await startCli(t, [], { env: { ...env, BKEND_API_URL: closedUrl, BKEND_API_KEY: PK, BKEND_ENVIRONMENT: 'staging' } })
  const differs = await runDoctorJson(t, [], { ...env, PORT: String(other.port) })
  t.equal(differs.code, 0, 'a warning, not a failure')
  t.same(stepOf(differs.report, 'proxy'), {
    step: 'proxy',
    status: 'pass',
    detail: `the proxy answers at http://127.0.0.1:${other.port}; warning: it runs with other settings: upstream ${closedUrl} (here: ${api.url}); environment staging (here: dev); auth scheme api-key (here: bearer); key pk_••••3210 (67 chars) (here: ak_••••cdef (67 chars))`,
    fix: 'a proxy started from another directory or with other flags keeps its own settings: restart it here to use these (a switch on the inspector\'s port changes its environment)'
  })
  t.notMatch(JSON.stringify(differs.report), new RegExp(`${KEY}|${PK}`), 'keys by fingerprint only')
})

t.test('the proxy step fails when another program holds PORT', async t => {
  const { env } = await bkendEnv(t)
  const squatter = await startFakeApi(t, { handler: (req, res) => { res.writeHead(404); res.end('not here') } })
  const { code, report } = await runDoctorJson(t, [], { ...env, PORT: new URL(squatter.url).port })
  t.equal(code, 1)
  t.same(stepOf(report, 'proxy'), { step: 'proxy', status: 'fail', detail: `${squatter.url}/__proxy/health answered 404, not as the proxy does: another program holds port ${new URL(squatter.url).port}`, fix: 'stop that program, or set PORT to a free port' })
})

