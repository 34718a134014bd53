// stdout redirected to a file (`npm start > proxy.log`, the benchmark) is written
// synchronously. Every exchange must arrive whole, once, in order with the shutdown
// lines, and soon after it happened.
import t from 'tap'
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { builtCli, tempDir } from './helpers/cli.js'
import { startFakeApi } from './helpers/fake-upstream.js'

const KEY = 'sk_test_filesink0123456789abcdef0123'

function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

async function until<T> (read: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`not there within ${timeoutMs} ms`)
    await sleep(10)
  }
}

for (const format of ['pretty', 'compact', 'json'] as const) {
  t.test(`a log file gets every exchange whole, once, and in time (LOG_FORMAT=${format})`, async t => {
    const api = await startFakeApi(t)
    const dir = tempDir(t)
    const logFile = join(dir, 'proxy.log')
    const out = openSync(logFile, 'w')
    const child = spawn(process.execPath, [builtCli(), '--port', '0', '--inspector-port', '0'], {
      cwd: dir,
      stdio: ['ignore', out, 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BKEND_API_URL: api.url, BKEND_API_KEY: KEY, BKEND_PROJECT_ID: 'p1', LOG_FORMAT: format }
    })
    closeSync(out)
    const exited = new Promise<number | null>(resolve => child.once('close', code => resolve(code)))
    t.teardown(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
      await exited
    })
    const log = (): string => readFileSync(logFile, 'utf8')
    const port = await until(() => /listening on http:\/\/[^:]+:(\d+)/.exec(log())?.[1], 15000)
    const url = `http://127.0.0.1:${port}`

    // One request alone: its exchange is in the file well within a second.
    const single = Date.now()
    t.equal((await fetch(`${url}/v1/data/posts?first=1`)).status, 200)
    await until(() => log().includes('first=1') ? true : undefined, 2000)
    t.ok(Date.now() - single < 2000, 'the lone exchange was written without waiting for more')

    // Then a burst.
    const burst = 300
    for (let wave = 0; wave < burst; wave += 30) {
      await Promise.all(Array.from({ length: 30 }, async (_, i) => { await (await fetch(`${url}/v1/data/posts?n=${wave + i}`)).text() }))
    }
    child.kill('SIGTERM')
    t.equal(await exited, 0, 'exits 0')

    const text = log()
    const lines = text.split('\n')
    t.equal(lines.at(-1), '', 'the file ends with a whole line')
    const seen = new Map<number, number>()
    for (let n = 0; n < burst; n++) seen.set(n, 0)
    for (const line of lines) {
      // Each exchange names its URL once in its first line (pretty, compact) or its record (JSON).
      const match = format === 'json'
        ? (line.startsWith('{') ? /"url":"\/v1\/data\/posts\?n=(\d+)"/.exec(line) : null)
        : /^\[\d\d:\d\d:\d\d\.\d{3}\] (?:INFO: )?(?:\* )?#\d+ GET \/v1\/data\/posts\?n=(\d+)/.exec(line)
      if (match) seen.set(Number(match[1]), seen.get(Number(match[1]))! + 1)
    }
    t.same([...seen.values()].filter(count => count !== 1).length, 0, `each of the ${burst} exchanges appears exactly once`)
    if (format === 'json') {
      t.ok(lines.filter(line => line !== '').every(line => { try { JSON.parse(line); return true } catch { return false } }), 'every line is a whole JSON object')
    }
    const lastExchange = Math.max(...[...text.matchAll(/posts\?n=\d+/g)].map(match => match.index))
    t.ok(text.lastIndexOf('stopped') > lastExchange, 'the shutdown line comes after the last exchange')
  })
}
