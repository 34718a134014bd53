// `bkend-dev-proxy doctor` run as a child process (the built dist/cli.js) against fake
// upstreams on ephemeral ports, and its step logic as units.
import t from 'tap'
import { bkendReply, startFakeApi, closedPortUrl } from './helpers/fake-upstream.js'
import { AUTHORIZATION_SERVER, bkendEnv, healthyBkend, KEY, PK, PROTECTED_RESOURCE, runDoctor, runDoctorJson, stepOf } from './helpers/doctor-run.js'
import { builtInDefaults, type Config } from '../src/config/settings.js'
import { checkApiUrl, explainTlsError } from '../src/doctor/connection.js'
import { interpretEnvironment, interpretProbe } from '../src/doctor/auth.js'
import { checkCors } from '../src/doctor/cors.js'
import { checkNode, interpretMcp, interpretMcpOAuth } from '../src/doctor/mcp.js'
import { checkAuthHeader } from '../src/doctor/auth-header.js'
import { formatDoctorReport } from '../src/doctor/doctor.js'

t.test('every step passes against a healthy upstream: exit 0, one line per step', async t => {
  const { api, env } = await bkendEnv(t)
  const run = await runDoctor(t, ['--origin', 'http://localhost:3000'], env)
  t.equal(run.code, 0, run.stdout + run.stderr)
  const lines = run.stdout.trim().split('\n')
  t.equal(lines[0], `bkend-dev-proxy doctor: ${api.url} (environment dev)`)
  t.same(lines.slice(1, -1).map(line => line.slice(0, 18)), [
    'PASS  config      ', 'PASS  proxy       ', 'PASS  api-url     ', 'PASS  dns         ', 'PASS  tls         ', 'PASS  auth-header ', 'PASS  auth        ',
    'PASS  environment ', 'PASS  cors        ', 'PASS  node        ', 'PASS  mcp         ', 'PASS  mcp-oauth   '
  ])
  t.equal(lines.at(-1), '12 passed, 0 failed, 0 skipped')
  t.match(run.stdout, /^PASS {2}proxy {8}nothing answers at http:\/\/127\.0\.0\.1:\d+\/__proxy\/health: the proxy is not running/m, 'not running is fine')
  t.match(run.stdout, /^PASS {2}cors {9}http:\/\/localhost:3000 is allowed by the default origins \(CORS_ORIGINS is not set\)$/m)
  t.notMatch(run.stdout, KEY)
  const probe = api.received.find(request => request.url.startsWith('/v1/'))!
  t.same([probe.url, probe.headers.authorization, probe.headers['x-project-id'], probe.headers['x-environment']], ['/v1/data/posts?limit=1', `Bearer ${KEY}`, 'p1', 'dev'])
  t.equal(api.received.find(request => request.url === '/mcp')!.headers.authorization, undefined, 'the MCP check sends no key')
})

t.test('--json prints one document; --probe-path chooses the read', async t => {
  const { api, env } = await bkendEnv(t)
  const { code, report } = await runDoctorJson(t, ['--probe-path', '/v1/data/Todos?limit=1'], env)
  t.equal(code, 0)
  t.equal(report.ok, true)
  t.equal(report.steps.length, 12)
  t.ok(api.received.some(request => request.url === '/v1/data/Todos?limit=1'), 'the probe used the path given')
})

t.test('an unreachable host fails at dns, and what needs a connection is skipped', async t => {
  const { code, report, status } = await runDoctorJson(t, [], { BKEND_API_URL: 'https://does-not-exist.invalid', BKEND_MCP_URL: 'https://does-not-exist.invalid/mcp', BKEND_API_KEY: KEY, BKEND_PROJECT_ID: 'p1' })
  t.equal(code, 1)
  t.same(status, { config: 'pass', proxy: 'pass', 'api-url': 'pass', dns: 'fail', tls: 'skip', 'auth-header': 'pass', auth: 'skip', environment: 'skip', cors: 'pass', node: 'pass', mcp: 'fail', 'mcp-oauth': 'skip' })
  t.match(stepOf(report, 'dns'), { detail: 'does-not-exist.invalid does not resolve (ENOTFOUND)', fix: /BKEND_API_URL/ })
})

t.test('a closed port fails the connection with the reason', async t => {
  const url = (await closedPortUrl()).replace('http:', 'https:')
  const { code, report } = await runDoctorJson(t, [], { BKEND_API_URL: url, BKEND_MCP_URL: url + '/mcp' })
  t.equal(code, 1)
  t.match(stepOf(report, 'tls'), { status: 'fail', detail: /could not connect .*ECONNREFUSED/, fix: /nothing listens/ })
})

t.test('a self-signed certificate fails the TLS step, explained', async t => {
  const { env } = await bkendEnv(t)
  const { NODE_EXTRA_CA_CERTS: _trusted, ...untrusted } = env
  const { code, report, status } = await runDoctorJson(t, [], untrusted)
  t.equal(code, 1)
  t.match(stepOf(report, 'tls'), { status: 'fail', detail: /self-signed certificate/, fix: /NODE_EXTRA_CA_CERTS/ })
  t.same([status.auth, status.environment], ['skip', 'skip'])
})

t.test('401 fails the auth step with the hint for the code', async t => {
  const { env } = await bkendEnv(t, healthyBkend(bkendReply(401, { success: false, error: { code: 'auth/unauthorized', message: 'Unauthorized' } })))
  const run = await runDoctor(t, [], { ...env, BKEND_API_KEY: '' })
  t.equal(run.code, 1)
  t.match(run.stdout, /^FAIL {2}auth {9}GET \/v1\/data\/posts\?limit=1 answered 401 auth\/unauthorized\n {19}fix: bkend refused the request and no API key is configured: set BKEND_API_KEY/m)
  t.match(run.stdout, /^SKIP {2}environment {2}the key's environment not verified/m)
  t.match(run.stdout, /^SKIP {2}auth-header {2}no key to check: BKEND_API_KEY is not set, so the app must send X-API-Key itself$/m)
  t.match(run.stdout, /\n9 passed, 1 failed, 2 skipped \(exit code 1\)\n$/)
})

t.test('a key of another environment fails auth and environment (404 data/environment-not-found)', async t => {
  const { env } = await bkendEnv(t, healthyBkend(bkendReply(404, { success: false, error: { code: 'data/environment-not-found', message: 'Environment not found' } })))
  const { code, report } = await runDoctorJson(t, [], { ...env, BKEND_ENVIRONMENT: 'staging' })
  t.equal(code, 1)
  t.match(stepOf(report, 'environment'), { status: 'fail', detail: 'X-Environment: staging was refused (404 data/environment-not-found)', fix: /does not belong to environment "staging"/ })
  t.equal(stepOf(report, 'auth').fix, stepOf(report, 'environment').fix, 'one cause, one fix, in JSON for each step')
  const text = await runDoctor(t, [], { ...env, BKEND_ENVIRONMENT: 'staging' })
  t.equal(text.stdout.match(/does not belong to environment "staging"/g)?.length, 1, 'the terminal prints the fix once')
  t.match(text.stdout, /^FAIL {2}environment {2}X-Environment: staging was refused \(404 data\/environment-not-found\)\n {19}fix: the one under auth above$/m)
})

t.test('an origin CORS_ORIGINS does not allow fails the cors step with the setting to use', async t => {
  const { env } = await bkendEnv(t)
  const { code, report } = await runDoctorJson(t, ['--origin', 'https://app.example'], { ...env, CORS_ORIGINS: 'http://localhost:3000' })
  t.equal(code, 1)
  t.same(stepOf(report, 'cors'), { step: 'cors', status: 'fail', detail: 'https://app.example is not allowed: the browser will report a CORS error', fix: 'CORS_ORIGINS=http://localhost:3000,https://app.example' })
})

t.test('an invalid configuration fails the config step (exit 1); a bad flag is exit 2', async t => {
  const { code, report } = await runDoctorJson(t, [], { BKEND_ENVIRONMENT: 'production' })
  t.equal(code, 1)
  t.match(stepOf(report, 'config'), { status: 'fail', detail: /environment "production" \(from BKEND_ENVIRONMENT\) must be dev, staging or prod/, fix: 'BKEND_ENVIRONMENT=prod' })
  t.equal(report.steps.filter(step => step.status === 'skip').length, 10)
  const bad = await runDoctor(t, ['--no-such-flag'], {})
  t.equal(bad.code, 2)
})

t.test('a silent upstream cannot hang the doctor', async t => {
  const api = await startFakeApi(t, { handler: () => {} })
  const started = Date.now()
  const { code, report } = await runDoctorJson(t, [], { BKEND_API_URL: api.url, BKEND_MCP_URL: api.url + '/mcp', UPSTREAM_TIMEOUT_MS: '300' })
  t.equal(code, 1)
  t.match(stepOf(report, 'auth'), { status: 'fail', detail: /got no answer/ })
  t.ok(Date.now() - started < 10000, 'done well within the per-step budget')
})

// Units of the step logic.
const config = (overrides: Partial<Config> = {}): Config => ({ ...builtInDefaults(), ...overrides })
const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ kind: 'answer' as const, status, headers, body: JSON.stringify(body) })
const bkendError = (code: string) => ({ success: false, error: { code, message: code } })

t.test('unit: the API URL must be https unless it is local', async t => {
  t.equal(checkApiUrl('https://api-client.bkend.ai').status, 'pass')
  t.equal(checkApiUrl('http://127.0.0.1:9000').status, 'pass')
  t.same(checkApiUrl('http://api-client.bkend.ai'), { step: 'api-url', status: 'fail', detail: 'http://api-client.bkend.ai uses plain http', fix: 'BKEND_API_URL=https://api-client.bkend.ai (bkend answers only over https; the default is https://api-client.bkend.ai)' })
})

t.test('unit: the probe answer names the cause through the hint table', async t => {
  t.equal(interpretProbe(answer(200, { success: true }), config()).status, 'pass')
  t.match(interpretProbe(answer(404, bkendError('data/table-not-found')), config({ apiKey: KEY })), { status: 'pass', detail: /key, project and environment accepted \(the probe's table does not exist; set DOCTOR_PROBE_PATH/ })
  t.match(interpretProbe(answer(404, bkendError('data/table-not-found')), config({ apiKey: PK })), { status: 'pass', detail: /: the key was accepted \(it carries the project and environment\) \(the probe's table does not exist/ })
  t.same(interpretProbe(answer(403, bkendError('data/scope-insufficient')), config({ apiKey: PK })), { step: 'auth', status: 'fail', detail: 'GET /v1/data/posts?limit=1 answered 403 data/scope-insufficient: the key was accepted, but this read was refused', fix: 'the key\'s scopes do not include this table and operation (checked before permissions, even for admin): use a key whose scopes include it, e.g. posts:read or posts:*' })
  t.match(interpretProbe(answer(403, { statusCode: 403, error: 'PROJECT_ACCESS_DENIED', message: 'x' }), config({ apiKey: PK })), { status: 'fail', detail: /answered 403 PROJECT_ACCESS_DENIED$/, fix: /use a key issued for this project/ })
  t.match(interpretProbe(answer(401, bkendError('auth/invalid-token-format')), config({ apiKey: KEY })), { status: 'fail', fix: /neither an API key/ })
  t.match(interpretProbe(answer(401, bkendError('auth/invalid-api-key')), config({ apiKey: PK, environment: 'prod' })), { status: 'fail', fix: /^bkend does not accept the key the proxy sent in X-API-Key, the prod profile's \(BKEND_API_KEY_PROD, else BKEND_API_KEY\): check pk_••••3210 \(67 chars\) against the prod keys/ })
  t.match(interpretProbe(answer(401, bkendError('auth/access-token-expired')), config({ apiKey: KEY })), { status: 'fail', fix: /1 hour/ })
  t.match(interpretProbe(answer(403, bkendError('data/permission-denied')), config({ apiKey: KEY })), { status: 'fail', fix: /row-level permissions/ })
  t.match(interpretProbe(answer(429, bkendError('common/rate-limited'), { 'retry-after': '7' }), config()), { status: 'fail', fix: /retry after 7 s/ })
  t.match(interpretProbe(answer(404, '<html>'), config()), { status: 'fail', fix: /check BKEND_API_URL and DOCTOR_PROBE_PATH/ })
  t.match(interpretEnvironment(answer(200, {}), config({ environment: 'prod', apiKey: KEY })), { status: 'pass', detail: 'X-Environment: prod accepted by the API' })
  t.match(interpretEnvironment(answer(200, {}), config({ environment: 'prod', apiKey: PK })), { status: 'pass', detail: 'the key\'s environment exists (the key chooses it; the active profile is prod)' })
  t.match(interpretEnvironment(answer(404, bkendError('data/environment-not-found')), config({ apiKey: PK })), { status: 'fail', detail: 'the key\'s environment was refused (404 data/environment-not-found)', fix: /^the key names an environment bkend does not know: put the key issued for dev/ })
})

t.test('unit: the auth header for the scheme in use: format, the space after Bearer, scheme against key, project id only in the original scheme', async t => {
  const step = (apiKey: string, more: Record<string, unknown> = {}) => checkAuthHeader({ ...config({ apiKey, projectId: 'p1' }), ...more } as Config)
  t.same(step(PK), { step: 'auth-header', status: 'pass', detail: 'X-API-Key: pk_••••3210 (67 chars), a publishable key; it carries the project and environment, and Authorization is left to the app\'s signed-in user' })
  t.match(step(PK, { projectId: '' }), { status: 'pass' }, 'no project id asked for')
  t.match(step('sk_' + 'ab'.repeat(32)), { status: 'pass', detail: /^X-API-Key: sk_\S*••••abab \(67 chars\), a secret key/ })
  t.same(step(KEY), { step: 'auth-header', status: 'pass', detail: 'Authorization: Bearer ak_••••cdef (67 chars), an ak_ key, with X-Project-Id p1 and X-Environment (the original scheme)' })
  t.match(step(KEY, { projectId: '' }), { status: 'fail', detail: /without X-Project-Id: bkend on that scheme answers 400 MISSING_PROJECT_ID/, fix: /^BKEND_PROJECT_ID=/ })
  t.match(step(`Bearer ${KEY}`), { status: 'pass' }, 'the key may carry its scheme, with one space')
  t.match(step(`Bearer  ${KEY}`), { status: 'fail', detail: 'BKEND_API_KEY is "Bearer  " then the key: Authorization needs exactly one space after Bearer' })
  t.match(step(`Bearer${KEY}`), { status: 'fail', detail: /needs exactly one space after Bearer/ })
  t.match(step(`Bearer ${PK}`), { status: 'fail', detail: /is "Bearer " and a publishable key, so it goes as Authorization: Bearer; bkend reads pk_\/sk_ keys from X-API-Key only/, fix: /the proxy then sends it as X-API-Key/ })
  t.match(step('sk_test_CANARY0123456789abcdefghijklmnop'), { status: 'fail', detail: /^sk_test_••••mnop \(40 chars\) matches none of bkend's key formats \(pk_… or sk_… \+ 64 hex for X-API-Key, ak_… \+ 64 hex for Authorization: Bearer\)/, fix: /BKEND_AUTH_SCHEME=api-key or bearer/ })
  t.match(step('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl'), { status: 'pass', detail: /a JWT/ })
  t.same(step(''), { step: 'auth-header', status: 'skip', detail: 'no key to check: BKEND_API_KEY is not set, so the app must send X-API-Key itself' })
  // A forced scheme (BKEND_AUTH_SCHEME) is checked against the key.
  t.match(step(PK, { authScheme: 'bearer' }), { status: 'fail', detail: /^BKEND_AUTH_SCHEME=bearer, but pk_••••3210 \(67 chars\) is a publishable key, which bkend reads from X-API-Key only$/, fix: 'BKEND_AUTH_SCHEME=auto (or api-key)' })
  t.match(step(KEY, { authScheme: 'api-key' }), { status: 'fail', detail: /^BKEND_AUTH_SCHEME=api-key, but ak_••••cdef \(67 chars\) is an ak_ key of the original scheme/ })
  t.match(step('sk_test_CANARY0123456789abcdefghijklmnop', { authScheme: 'bearer' }), { status: 'pass', detail: /as BKEND_AUTH_SCHEME=bearer says/ })
  t.match(step('sk_test_CANARY0123456789abcdefghijklmnop', { authScheme: 'api-key' }), { status: 'fail', detail: /is not a pk_\/sk_ key, which bkend checks first/ })
  t.match(step(`Bearer ${PK}`, { authScheme: 'api-key' }), { status: 'fail', detail: 'BKEND_API_KEY starts with "Bearer", but X-API-Key takes the bare key' })
})

t.test('unit: the API URL keeps /v1 in the paths bkend gets', async t => {
  t.same(checkApiUrl('https://api-client.bkend.ai', '/api'), { step: 'api-url', status: 'fail', detail: 'API_PREFIX is /api, so requests reach api-client.bkend.ai without /v1 (bkend\'s paths are /v1/...)', fix: 'API_PREFIX=/v1 (the default)' })
  t.equal(checkApiUrl('http://127.0.0.1:9000', '/api').status, 'pass', 'a local server may use another prefix')
})

t.test('unit: MCP OAuth discovery: both documents, an authorization server, PKCE with S256', async t => {
  const mcpUrl = 'https://api.bkend.ai/mcp'
  t.same(interpretMcpOAuth(answer(200, PROTECTED_RESOURCE), answer(200, AUTHORIZATION_SERVER), mcpUrl), { step: 'mcp-oauth', status: 'pass', detail: 'OAuth discovery answers at https://api.bkend.ai: authorization server https://api.bkend.ai/mcp, PKCE (S256), dynamic client registration' })
  t.same(interpretMcpOAuth(answer(404, {}), answer(200, { ...AUTHORIZATION_SERVER, code_challenge_methods_supported: ['plain'] }), mcpUrl), {
    step: 'mcp-oauth',
    status: 'fail',
    detail: 'OAuth discovery at https://api.bkend.ai: /.well-known/oauth-protected-resource answered 404; /.well-known/oauth-authorization-server does not offer PKCE with S256 (code_challenge_methods_supported)',
    fix: 'MCP clients find where to sign in there: check BKEND_MCP_URL (default https://api.bkend.ai/mcp); its host must serve both documents at its root'
  })
  t.match(interpretMcpOAuth(answer(200, { resource: mcpUrl }), { kind: 'answer', status: 200, headers: {}, body: '<html>' }, mcpUrl), { status: 'fail', detail: /oauth-protected-resource names no authorization_servers; \/\.well-known\/oauth-authorization-server is not a JSON object$/ })
  t.match(interpretMcpOAuth(answer(200, PROTECTED_RESOURCE), answer(200, { issuer: mcpUrl, code_challenge_methods_supported: ['S256'] }), mcpUrl), { status: 'fail', detail: /has no authorization_endpoint or token_endpoint$/ })
})

t.test('today\'s scheme end to end: the key goes as configured, no step names a project id, and MCP discovery is checked', async t => {
  const { api, env } = await bkendEnv(t)
  const { BKEND_PROJECT_ID: _project, ...keyed } = { ...env, BKEND_API_KEY: PK }
  const { code, report, status } = await runDoctorJson(t, [], keyed)
  t.equal(code, 0, JSON.stringify(report.steps.filter(step => step.status !== 'pass')))
  t.same(Object.values(status), Array(12).fill('pass'))
  t.match(stepOf(report, 'config').detail, /^valid: API key pk_••••3210 \(67 chars\) from BKEND_API_KEY, sent as X-API-Key \(auto: pk_ publishable key\), environment dev$/)
  t.notMatch(JSON.stringify(report), /project id|X-Project-Id|BKEND_PROJECT_ID/i, 'nothing asks for a project id')
  t.same(api.received.filter(request => request.url.startsWith('/.well-known/')).map(request => request.url).sort(), ['/.well-known/oauth-authorization-server', '/.well-known/oauth-protected-resource'])
})

t.test('unit: TLS errors are explained by code', async t => {
  t.match(explainTlsError('CERT_HAS_EXPIRED', 'h'), { detail: /expired/, fix: /clock/ })
  t.match(explainTlsError('ERR_TLS_CERT_ALTNAME_INVALID', 'h'), { detail: /another host name/ })
  t.match(explainTlsError('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'h'), { fix: /NODE_EXTRA_CA_CERTS/ })
})

t.test('unit: cors uses the proxy matcher; no --origin shows what is allowed', async t => {
  t.equal(checkCors('http://localhost:5173', config()).status, 'pass')
  t.equal(checkCors('http://localhost:3000.evil.example', config()).status, 'fail')
  t.match(checkCors('not an origin', config()), { status: 'fail', fix: /--origin http:\/\/localhost:3000/ })
  t.match(checkCors(undefined, config()), { status: 'pass', detail: /^CORS_ORIGINS allows http:\/\/localhost:\*/ })
  t.equal(checkCors('http://localhost:5173', config(), true).detail, 'http://localhost:5173 is allowed by the default origins (CORS_ORIGINS is not set)')
  t.equal(checkCors('http://localhost:5173', config()).detail, 'http://localhost:5173 is allowed by CORS_ORIGINS')
  t.match(checkCors(undefined, config(), true).detail, /^the default origins allow http:\/\/localhost:\*.* \(CORS_ORIGINS is not set\); add --origin/)
})

t.test('unit: an answer without a known fix is shown: status, code and bkend\'s message', async t => {
  t.same(interpretProbe(answer(418, { success: false, error: { code: 'data/teapot', message: 'I am a\nteapot' } }), config({ apiKey: PK })), {
    step: 'auth',
    status: 'fail',
    detail: 'GET /v1/data/posts?limit=1 answered 418 data/teapot: "I am a teapot"',
    fix: 'no known fix for this answer: bkend\'s message is the lead; the proxy log\'s copy-as-curl command repeats the request'
  })
  t.match(interpretProbe({ kind: 'answer', status: 409, headers: {}, body: '<html>Conflict</html>' }, config()), { detail: 'GET /v1/data/posts?limit=1 answered 409: "<html>Conflict</html>"' })
  t.match(interpretProbe({ kind: 'answer', status: 409, headers: {}, body: '' }, config()), { detail: 'GET /v1/data/posts?limit=1 answered 409' })
  t.notMatch(JSON.stringify(interpretProbe(answer(418, bkendError('data/teapot')), config())), /above/, 'nothing points at an answer that is not shown')
})

t.test('unit: node version and MCP answers', async t => {
  t.same([checkNode('v20.0.0').status, checkNode('v18.19.0').status], ['pass', 'fail'])
  t.equal(interpretMcp(answer(401, '', { 'www-authenticate': 'Bearer' }), 'https://api.bkend.ai/mcp').status, 'pass')
  t.match(interpretMcp(answer(401, ''), 'https://api.bkend.ai/mcp'), { status: 'fail', detail: /without WWW-Authenticate/ })
  t.match(interpretMcp(answer(404, ''), 'https://api.bkend.ai/mcp'), { status: 'fail', fix: /BKEND_MCP_URL/ })
  t.equal(interpretMcp(answer(405, ''), 'https://api.bkend.ai/mcp').status, 'pass')
})

t.test('unit: the text report', async t => {
  t.equal(formatDoctorReport({ ok: false, apiUrl: 'https://api-client.bkend.ai', environment: 'dev', steps: [
    { step: 'config', status: 'pass', detail: 'valid' },
    { step: 'auth', status: 'fail', detail: 'GET /v1/data/posts?limit=1 answered 401 auth/unauthorized', fix: 'set BKEND_API_KEY' },
    { step: 'environment', status: 'skip', detail: 'not verified' }
  ] }), [
    'bkend-dev-proxy doctor: https://api-client.bkend.ai (environment dev)',
    'PASS  config       valid',
    'FAIL  auth         GET /v1/data/posts?limit=1 answered 401 auth/unauthorized',
    '                   fix: set BKEND_API_KEY',
    'SKIP  environment  not verified',
    '1 passed, 1 failed, 1 skipped (exit code 1)'
  ].join('\n'))
})
