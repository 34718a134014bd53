// `bkend-dev-proxy init` on a real terminal: three questions, the key read without echo,
// and nothing written when the user cancels.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { builtCli, tempDir } from './helpers/cli.js'
import { runInPty } from './helpers/pty.js'
import { documentedKey } from './helpers/bkend-credentials.js'

const KEY = 'sk_test_CANARY0123456789abcdefghijklmnop'
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm' }

t.test('asks for the key without echo, then the project and environment, and writes .env', async t => {
  const dir = tempDir(t)
  const run = await runInPty([process.execPath, builtCli(), 'init'], {
    cwd: dir,
    env: ENV,
    steps: [
      { expect: 'API key .*: ', send: `${KEY}\r` },
      { expect: 'Project id .*: ', send: 'p-42\r' },
      { expect: 'Environment .*: ', send: 'staging\r' }
    ]
  })
  t.equal(run.stuckAt, undefined, `every question appeared:\n${run.output}`)
  t.equal(run.code, 0, run.output)
  t.notMatch(run.output, KEY.slice(8), 'the key never appears on the terminal, not even as its own echo')
  t.match(run.output, 'sk_test_••••mnop (40 chars)', 'its fingerprint does')
  const text = run.output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')
  t.match(text, /Project id .*: p-42\r*\n/, 'the project id is echoed as typed')
  const lines = readFileSync(join(dir, '.env'), 'utf8').split('\n').filter(line => !line.startsWith('#'))
  t.same(lines, [`BKEND_API_KEY=${KEY}`, 'BKEND_PROJECT_ID=p-42', 'BKEND_ENVIRONMENT=staging', ''])
})

t.test('asks again after a wrong answer, and Enter takes the default environment', async t => {
  const dir = tempDir(t)
  const run = await runInPty([process.execPath, builtCli(), 'init'], {
    cwd: dir,
    env: ENV,
    steps: [
      { expect: 'API key .*: ', send: '\r' },
      { expect: 'BKEND_API_KEY is needed[\\s\\S]*API key .*: ', send: `${KEY}\r` },
      { expect: 'Project id .*: ', send: '\r' },
      { expect: 'Environment .*: ', send: 'production\r' },
      { expect: 'BKEND_ENVIRONMENT must be dev, staging or prod[\\s\\S]*Environment .*: ', send: '\r' }
    ]
  })
  t.equal(run.stuckAt, undefined, `every question appeared:\n${run.output}`)
  t.equal(run.code, 0, run.output)
  t.notMatch(run.output, KEY.slice(8))
  t.match(readFileSync(join(dir, '.env'), 'utf8'), /^BKEND_PROJECT_ID=\nBKEND_ENVIRONMENT=dev\n$/m)
})

t.test('a pk_ key carries its project: the project id is not asked for', async t => {
  const dir = tempDir(t)
  const pk = documentedKey('pk', 'a001')
  const run = await runInPty([process.execPath, builtCli(), 'init'], {
    cwd: dir,
    env: ENV,
    steps: [
      { expect: 'API key .*: ', send: `${pk}\r` },
      { expect: 'Environment .*: ', send: '\r' }
    ]
  })
  t.equal(run.stuckAt, undefined, `every question appeared:\n${run.output}`)
  t.equal(run.code, 0, run.output)
  t.notMatch(run.output, /Project id/, 'no project question')
  t.match(run.output, 'sent as X-API-Key (auto: pk_ publishable key)')
  t.match(readFileSync(join(dir, '.env'), 'utf8'), /^BKEND_PROJECT_ID=\nBKEND_ENVIRONMENT=dev\n$/m)
})

t.test('asks only for what the environment and flags do not give', async t => {
  const dir = tempDir(t)
  const run = await runInPty([process.execPath, builtCli(), 'init', '--environment', 'prod'], {
    cwd: dir,
    env: { ...ENV, BKEND_API_KEY: KEY },
    steps: [{ expect: 'Project id .*: ', send: 'p-7\r' }]
  })
  t.equal(run.code, 0, run.output)
  t.notMatch(run.output, /API key \(|Environment \(dev/, 'neither the key nor the environment is asked for')
  t.match(readFileSync(join(dir, '.env'), 'utf8'), /^BKEND_PROJECT_ID=p-7\nBKEND_ENVIRONMENT=prod\n$/m)
})

t.test('Ctrl-C at the key question writes nothing and shows nothing typed', async t => {
  const dir = tempDir(t)
  const run = await runInPty([process.execPath, builtCli(), 'init'], {
    cwd: dir,
    env: ENV,
    steps: [{ expect: 'API key .*: ', send: 'sk_partial\u0003' }]
  })
  t.equal(run.code, 130, run.output)
  t.match(run.output, 'init: cancelled; nothing was written')
  t.notMatch(run.output, 'sk_partial')
  t.equal(existsSync(join(dir, '.env')), false)
})
