// Configuration messages never show a secret: a config file that is not valid JSON is
// named by line and column, without the text around the error (V8's own message quotes
// it, and it can be part of a key), at start-up and on a reload; the values of configured
// headers are redacted like the key in the reload line and in a refused value; the fix
// line for a key that is only the word Bearer is a well-formed example for its source.
import t from 'tap'
import { failure } from './helpers/config-dir.js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, startCli, tempDir, type RunningCli } from './helpers/cli.js'
import { startFakeApi } from './helpers/fake-upstream.js'
import { loadConfig } from '../src/config/load-config.js'
import { jsonSyntaxError } from '../src/config/json-syntax-error.js'
import { redactSecret } from '../src/redact/redact.js'
import { escapeRegExp } from './helpers/fingerprint.js'

const KEY = 'sk_live_MSGKEY0123456789abcdefghijkl0009'

/** Resolves on the next line matching `pattern` (counting those already printed). */
function nextLine (cli: RunningCli, pattern: RegExp): Promise<void> {
  const seen = cli.stdout().match(new RegExp(pattern.source, 'g'))?.length ?? 0
  return cli.waitForStdout(new RegExp(`(${pattern.source}[^]*){${seen + 1}}`))
}


t.test('where JSON goes wrong: line, column and what was expected, never the text', async t => {
  const cases: Array<[string, ReturnType<typeof jsonSyntaxError>]> = [
    [`{\n  "apiKey": ${KEY}\n}`, { line: 2, column: 13, problem: 'a value should start here: a string in double quotes, a number, an object, an array, true, false or null' }],
    [`{"apiKey": "${KEY}" "projectId": "p"}`, { line: 1, column: 55, problem: "a ',' or '}' should be here" }],
    [`{"apiKey": "${KEY}",}`, { line: 1, column: 55, problem: "a comma before '}' is not allowed in JSON" }],
    [`{"apiKey": "${KEY.slice(0, 20)}`, { line: 1, column: 12, problem: 'a string is not closed' }],
    ["{'apiKey': 1}", { line: 1, column: 2, problem: 'a property name in double quotes should be here' }],
    ['{\r\n  "port": 1, // local\r\n}', { line: 2, column: 14, problem: 'comments are not allowed in JSON' }],
    ['{"a": "x\ny"}', { line: 1, column: 9, problem: 'a line break or control character inside a string (write it as \\n or \\t)' }],
    ['[1, 2', { line: 1, column: 6, problem: "the text ends before the closing ']'" }],
    ['', { line: 1, column: 1, problem: 'the text ends where a value should be' }],
    ['\ufeff{}', { line: 1, column: 1, problem: 'the file starts with a byte order mark (save it as UTF-8 without BOM)' }],
    ['{"a": 1}}', { line: 1, column: 9, problem: 'more text follows the end of the JSON value' }],
    ['{"a": [true, false, null, -1.5e3, "\\u00e9\\n"], "b": {}}', undefined]
  ]
  for (const [text, expected] of cases) t.same(jsonSyntaxError(text), expected, JSON.stringify(text))
})

t.test('the fix line for a key that is only the word Bearer is an example for its source', async t => {
  const cwd = mkdtempSync(join(tmpdir(), 'bkend-config-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  writeFileSync(join(cwd, 'c.json'), '{"apiKey": "Bearer "}')
  t.match(failure(() => loadConfig({ cwd, env: { BKEND_API_KEY_PROD: 'Bearer' } })), /is only the word Bearer, with no key after it\n {2}fix: BKEND_API_KEY_PROD=sk_\.\.\.$/)
  t.match(failure(() => loadConfig({ cwd, env: { BKEND_API_KEY: 'bearer ' } })), /\n {2}fix: BKEND_API_KEY=sk_\.\.\.$/)
  t.match(failure(() => loadConfig({ cwd, env: {}, configFile: 'c.json' })), /\n {2}fix: set "apiKey": "sk_\.\.\." in .*c\.json$/)
})

t.test('start-up: an invalid JSON config file is named by line and column; a refused headers value is redacted', async t => {
  const cwd = tempDir(t)
  writeFileSync(join(cwd, 'bad.json'), `{\n  "projectId": "p1",\n  "apiKey": ${KEY}\n}\n`)
  const bad = await runCli(t, ['--config', 'bad.json'], { cwd })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /^config: config file \S*bad\.json is not valid JSON: line 3, column 13: a value should start here[^\n]*\n {2}fix: correct the JSON/)
  t.notMatch(bad.stderr, /sk_live|MSGKEY/, 'nothing of the key')

  writeFileSync(join(cwd, 'headers.json'), JSON.stringify({ headers: { authorization: `Bearer ${KEY}\u0001` } }))
  const headers = await runCli(t, ['--config', 'headers.json'], { cwd })
  t.equal(headers.code, 2)
  t.match(headers.stderr, new RegExp(`^config: headers ${escapeRegExp(JSON.stringify({ authorization: `Bearer ${redactSecret(`${KEY}\u0001`)}` }))} \\(from "headers" in \\S*headers\\.json\\) contains a control character`))
  t.notMatch(headers.stderr, /MSGKEY/, 'nothing of the key but its fingerprint')
})

t.test('reload: configured header values are redacted in the reload line; invalid JSON is named by line and column', async t => {
  const api = await startFakeApi(t)
  const cwd = tempDir(t)
  const file = join(cwd, 'proxy.json')
  writeFileSync(file, JSON.stringify({ apiUrl: api.url, headers: { 'x-client': 'my-app' } }))
  const cli = await startCli(t, ['--config', 'proxy.json'], { cwd })

  let logged = nextLine(cli, /INFO: config: reloaded proxy\.json/)
  writeFileSync(file, JSON.stringify({ apiUrl: api.url, headers: { 'x-client': 'my-app', authorization: `Bearer ${KEY}` } }))
  await logged
  t.match(cli.stdout(), new RegExp(`INFO: config: reloaded proxy\\.json; applied to new requests: headers ${escapeRegExp(JSON.stringify({ 'x-client': redactSecret('my-app') }))} → ${escapeRegExp(JSON.stringify({ 'x-client': redactSecret('my-app'), authorization: `Bearer ${redactSecret(KEY)}` }))}\n`))
  await (await fetch(new URL('/v1/data/posts', cli.url))).text()
  t.equal(api.received[0]?.headers.authorization, `Bearer ${KEY}`, 'the header is applied, whole, upstream')

  logged = nextLine(cli, /ERROR: config: config file/)
  writeFileSync(file, `{\n  "apiUrl": "${api.url}",\n  "headers": {"authorization": Bearer ${KEY}}\n}\n`)
  await logged
  t.match(cli.stdout(), /ERROR: config: config file \S*proxy\.json is not valid JSON: line 3, column 32: a value should start here[^\n]*\n {2}fix: correct the JSON[^\n]*\n {2}\(proxy\.json changed on disk, but this value is not valid/)
  await cli.stop()
  t.notMatch(cli.stdout() + cli.stderr(), /MSGKEY/, 'nothing of the key but its fingerprint')
})
