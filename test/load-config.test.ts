import t from 'tap'
import { workdir, failure } from './helpers/config-dir.js'
import { readFileSync } from 'node:fs'
import { loadConfig, SHIPPED_DEFAULTS_FILE } from '../src/config/load-config.js'
import { builtInDefaults } from '../src/config/settings.js'



t.test('without any source the built-in defaults apply', async t => {
  const { config } = loadConfig({ env: {}, cwd: workdir() })
  t.same({ port: config.port, host: config.host, apiUrl: config.apiUrl, mcpUrl: config.mcpUrl, environment: config.environment, logFormat: config.logFormat, upstreamTimeoutMs: config.upstreamTimeoutMs, apiKey: config.apiKey },
    { port: 8787, host: '127.0.0.1', apiUrl: 'https://api-client.bkend.ai', mcpUrl: 'https://api.bkend.ai/mcp', environment: 'dev', logFormat: 'pretty', upstreamTimeoutMs: 30000, apiKey: '' })
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.corsOrigins), 'the config is frozen')
})

t.test('the shipped config/default.json agrees with the built-in defaults', async t => {
  const shipped = JSON.parse(readFileSync(SHIPPED_DEFAULTS_FILE, 'utf8')) as Record<string, unknown>
  const defaults = builtInDefaults() as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries(shipped)) {
    if (key === 'headerPolicy') continue
    t.same(value, defaults[key], key)
  }
})

t.test('flags beat the environment, which beats .env, which beats the --config file', async t => {
  const dir = workdir({
    'user.json': JSON.stringify({ projectId: 'from-file', environment: 'prod', port: 1111, logLevel: 'debug' }),
    '.env': 'BKEND_PROJECT_ID=from-dotenv\nBKEND_ENVIRONMENT=staging\nPORT=2222\n'
  })
  const { config, origin } = loadConfig({ cwd: dir, configFile: 'user.json', env: { PORT: '3333' }, flags: { port: '4444' } })
  t.same([config.port, config.environment, config.projectId, config.logLevel], [4444, 'staging', 'from-dotenv', 'debug'])
  t.equal(origin.port, '--port')
  t.match(origin.environment, /^BKEND_ENVIRONMENT in \/\S+\/\.env$/)
  t.match(origin.logLevel, /"logLevel" in .*user\.json/)
})

t.test('lists may be arrays in the config file or comma-separated anywhere', async t => {
  const dir = workdir({ 'c.json': JSON.stringify({ corsOrigins: ['http://localhost:3000'], allowedHosts: 'bkend-proxy, other' }) })
  const fromFile = loadConfig({ cwd: dir, configFile: 'c.json', env: {} }).config
  t.same(fromFile.corsOrigins, ['http://localhost:3000'])
  t.same(fromFile.allowedHosts, ['bkend-proxy', 'other'])
  const fromEnv = loadConfig({ cwd: dir, env: { CORS_ORIGINS: 'http://localhost:*, https://app.test:8443', ALLOWED_HOSTS: 'Bkend-Proxy' } }).config
  t.same(fromEnv.corsOrigins, ['http://localhost:*', 'https://app.test:8443'])
  t.same(fromEnv.allowedHosts, ['bkend-proxy'])
})

t.test('an API URL may carry a base path; a trailing slash is dropped', async t => {
  const { config } = loadConfig({ cwd: workdir(), env: { BKEND_API_URL: 'http://127.0.0.1:9000/base/' } })
  t.equal(config.apiUrl, 'http://127.0.0.1:9000/base')
})

t.test('extra headers and their policies come from the config file', async t => {
  const dir = workdir({ 'c.json': JSON.stringify({ headers: { 'X-Client': 'demo' }, headerPolicy: { Authorization: 'set' } }) })
  const { config } = loadConfig({ cwd: dir, configFile: 'c.json', env: {} })
  t.same(config.headers, { 'x-client': 'demo' })
  t.same(config.headerPolicy, { authorization: 'set' })
})

t.test('a log level that does not exist: the fix names the level it most likely means', async t => {
  const fixFor = (level: string): string => failure(() => loadConfig({ cwd: workdir(), env: { LOG_LEVEL: level } })).split('\n  fix: ')[1]!
  t.same(['verbose', 'warning', 'inof', 'Debug', 'quiet', 'loud'].map(fixFor),
    ['LOG_LEVEL=debug', 'LOG_LEVEL=warn', 'LOG_LEVEL=info', 'LOG_LEVEL=debug', 'LOG_LEVEL=silent', 'LOG_LEVEL=info'])
})

t.test('CORS origins without a scheme: the fix is the whole list with http:// added', async t => {
  const message = failure(() => loadConfig({ cwd: workdir(), env: { CORS_ORIGINS: 'http://localhost:3000, localhost:5173,127.0.0.1:*' } }))
  t.match(message, /^config: corsOrigins .* \(from CORS_ORIGINS\) has "localhost:5173", which is not an origin/)
  t.match(message, /\n {2}fix: CORS_ORIGINS=http:\/\/localhost:3000,http:\/\/localhost:5173,http:\/\/127\.0\.0\.1:\*$/)
  const withPath = failure(() => loadConfig({ cwd: workdir(), env: { CORS_ORIGINS: 'http://localhost:5173/app/' } }))
  t.match(withPath, /\n {2}fix: CORS_ORIGINS=http:\/\/localhost:5173$/, 'a path is dropped: an origin has none')
  const hopeless = failure(() => loadConfig({ cwd: workdir(), env: { CORS_ORIGINS: 'ws://localhost:5173' } }))
  t.match(hopeless, /\n {2}fix: CORS_ORIGINS=http:\/\/localhost:3000,http:\/\/localhost:\*$/, 'no guess: the example')
})

t.test('an unknown config key gets the nearest key, not merely the first one close enough', async t => {
  t.match(failure(() => loadConfig({ cwd: workdir({ 'c.json': '{"apiKel": "x"}' }), configFile: 'c.json', env: {} })), /\n {2}fix: did you mean "apiKey"\?/, 'apiUrl is two edits away, apiKey one')
  t.match(failure(() => loadConfig({ cwd: workdir({ 'c.json': '{"log-format": "json"}' }), configFile: 'c.json', env: {} })), /\n {2}fix: did you mean "logFormat"\?/)
})

const badValues: Array<[string, () => unknown, RegExp]> = [
  ['a port that is not a number', () => loadConfig({ cwd: workdir(), env: { PORT: 'abc' } }), /^config: port "abc" \(from PORT\) must be a whole number from 0 to 65535\n {2}fix: PORT=/],
  ['a port flag that is out of range', () => loadConfig({ cwd: workdir(), env: {}, flags: { port: '70000' } }), /^config: port "70000" \(from --port\) .*\n {2}fix: --port /],
  ['an unknown environment', () => loadConfig({ cwd: workdir(), env: { BKEND_ENVIRONMENT: 'production' } }), /^config: environment "production" \(from BKEND_ENVIRONMENT\) must be dev, staging or prod\n {2}fix: BKEND_ENVIRONMENT=prod$/],
  ['an upstream without a scheme', () => loadConfig({ cwd: workdir(), env: { BKEND_API_URL: 'api-client.bkend.ai' } }), /apiUrl "api-client.bkend.ai" \(from BKEND_API_URL\) is not an absolute URL.*\n {2}fix: BKEND_API_URL=https:\/\/api-client.bkend.ai$/],
  ['an upstream with another scheme', () => loadConfig({ cwd: workdir(), env: { BKEND_API_URL: 'ftp://x.test' } }), /must use http: or https:/],
  ['an upstream that ends in /v1', () => loadConfig({ cwd: workdir(), env: { BKEND_API_URL: 'https://api-client.bkend.ai/v1/' } }), /must not end in \/v1.*\n {2}fix: BKEND_API_URL=https:\/\/api-client.bkend.ai$/],
  ['a log format that does not exist', () => loadConfig({ cwd: workdir(), env: { LOG_FORMAT: 'xml' } }), /logFormat "xml" \(from LOG_FORMAT\) must be pretty, compact or json/],
  ['a wildcard CORS origin', () => loadConfig({ cwd: workdir(), env: { CORS_ORIGINS: '*' } }), /corsOrigins "\*" \(from CORS_ORIGINS\).*"\*" is not allowed/],
  ['a project id with a line break', () => loadConfig({ cwd: workdir(), env: { BKEND_PROJECT_ID: 'p1\r\nX-Evil: 1' } }), /projectId "p1\\r\\nX-Evil: 1" \(from BKEND_PROJECT_ID\) contains a control character/],
  ['an unknown key in the config file', () => loadConfig({ cwd: workdir({ 'c.json': '{"prot": 1}' }), configFile: 'c.json', env: {} }), /^config: unknown key "prot" in .*c\.json\n {2}fix: did you mean "port"\?/],
  ['a config file that is not JSON', () => loadConfig({ cwd: workdir({ 'c.json': '{ port: 1, }' }), configFile: 'c.json', env: {} }), /^config: config file .*c\.json is not valid JSON: /],
  ['a missing config file', () => loadConfig({ cwd: workdir(), configFile: 'nope.json', env: {} }), /config file .*nope\.json \(from --config\) does not exist/],
  ['a header policy that does not exist', () => loadConfig({ cwd: workdir({ 'c.json': '{"headerPolicy": {"x-environment": "sometimes"}}' }), configFile: 'c.json', env: {} }), /headerPolicy .* must be "set" \(always\) or "ifAbsent"/]
]
for (const [name, load, expected] of badValues) {
  t.test(`refuses ${name} with one message naming setting, source, value and fix`, async t => {
    t.match(failure(load), expected)
  })
}

t.test('a bad API key is named but never printed in full', async t => {
  const key = 'sk_live_0123456789abcdefghij\nX'
  const message = failure(() => loadConfig({ cwd: workdir(), env: { BKEND_API_KEY: key } }))
  t.match(message, /^config: apiKey .* \(from BKEND_API_KEY\) contains a control character/)
  t.notMatch(message, '0123456789abcdefghij')
})
