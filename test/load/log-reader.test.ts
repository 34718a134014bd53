// The load suite reads proxy logs line by line (issue 10, item 0). On a machine twice as
// fast as ours the 60 s soak wrote a JSON log past 512 MiB, and reading it into one string
// failed with ERR_STRING_TOO_LONG. Here the reader gets a log larger than any V8 string,
// written as a stream to a temporary file, and must count it exactly in bounded memory.
import t from 'tap'
import { constants } from 'node:buffer'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { holdLoadLock } from './load-lock.js'
import { jsonLogReader, prettyLogReader, tallyLogFile, type LogReader, type LogTally } from './log-tally.js'

// Writes exchange lines (ids 1, 2, 3...; line `tornAt` cut short) until `targetBytes`, then a
// repeat of `repeatedId` and a last line; prints how many numbered lines it wrote.
const WRITE_LOG = `
const { createWriteStream } = require('node:fs')
const { once } = require('node:events')
const [file, targetBytes, template, tornAt, repeatedId] = process.argv.slice(1)
;(async () => {
  const out = createWriteStream(file)
  let bytes = 0
  let lines = 0
  let id = 0
  while (bytes < Number(targetBytes)) {
    let piece = ''
    while (piece.length < 1024 * 1024) {
      lines++
      piece += lines === Number(tornAt) ? '{"level":30,"exchange":{"id":\\n' : template.replaceAll('{id}', String(++id)) + '\\n'
    }
    bytes += piece.length
    if (!out.write(piece)) await once(out, 'drain')
  }
  out.end(template.replaceAll('{id}', repeatedId) + '\\n{"level":30,"msg":"stopped"}\\n')
  await once(out, 'finish')
  process.stdout.write(String(lines))
})()
`

async function writeLogInAnotherProcess (file: string, options: { targetBytes: number, template: string, tornAt: number, repeatedId: number }): Promise<number> {
  const child = spawn(process.execPath, ['-e', WRITE_LOG, file, String(options.targetBytes), options.template, String(options.tornAt), String(options.repeatedId)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const [code] = await once(child, 'close') as [number | null]
  if (code !== 0) throw new Error(`the log writer exited with ${code}`)
  return Number(out)
}

const feed = (reader: LogReader, text: string): LogTally => {
  for (const line of text.split('\n')) reader.line(line)
  return reader.end()
}

const exchangeJson = (id: number | '{id}', status = 200, completed = true): string =>
  `{"level":30,"time":"2026-01-01T00:00:00.000Z","exchange":{"id":${id},"method":"GET","url":"/v1/ping","target":"http://127.0.0.1:9/v1/ping","answeredBy":"upstream",` +
  '"request":{"line":"GET /v1/ping HTTP/1.1","headers":[["host","127.0.0.1:9"],["user-agent","autocannon"],["authorization","Bearer sk_t....key (22 chars)",true],["x-environment","dev",true]]},' +
  `"response":{"line":"HTTP/1.1 ${status} OK","status":${status},"headers":[["content-type","application/json"],["content-length","100"],["date","Thu, 01 Jan 2026 00:00:00 GMT"],["connection","keep-alive"],["keep-alive","timeout=120"]]},` +
  `"durationMs":1.234567,"bytes":100,"completed":${completed},"notes":[]},"curl":"curl -v 'http://127.0.0.1:9/v1/ping' -H 'User-Agent: autocannon' -H \\"Authorization: Bearer $BKEND_API_KEY\\" -H 'X-Environment: dev'","msg":"* #${id} ${status} OK in 1.2 ms, 100 bytes"}`

t.test('the JSON reader counts exchanges, answered ones, repeated ids, drop notices and torn lines', async t => {
  const tally = feed(jsonLogReader(), [
    '{"level":30,"msg":"bkend-dev-proxy 0.1.0 listening on http://127.0.0.1:1"}',
    exchangeJson(1),
    exchangeJson(2, 502),
    exchangeJson(3, 200, false),
    '{"level":30,"exch',
    'null',
    '{"level":30,"exchange":{"id":4,"completed":true}}',
    exchangeJson(2),
    '[log] 7 log entries were dropped because the output was not being read',
    '{"level":40,"droppedLogLines":5,"msg":"[log] 5 log entries were dropped because the output was not being read"}',
    '{"level":30,"msg":"stopped"}'
  ].join('\n'))
  t.same(tally, {
    lines: 11,
    exchanges: 5,
    answered: 2,
    badIds: 1,
    notices: 2,
    reportedDropped: 12,
    torn: 2,
    tornSamples: ['{"level":30,"exch', 'null'],
    lastLine: '{"level":30,"msg":"stopped"}'
  })
})

t.test('the pretty reader counts whole exchange blocks and keeps torn ones as samples', async t => {
  const block = (id: number): string => [
    `[10:00:00.000] INFO: * #${id} GET /v1/ping → http://127.0.0.1:9/v1/ping`,
    '> GET /v1/ping HTTP/1.1',
    '> host: 127.0.0.1:9',
    '>',
    '< HTTP/1.1 200 OK',
    '< content-length: 100',
    '<',
    `* #${id} 200 OK in 1.2 ms, 100 bytes`
  ].join('\n')
  const torn = block(2).split('\n').slice(0, 3).join('\n')
  const tally = feed(prettyLogReader(), [
    '[10:00:00.000] INFO: bkend-dev-proxy 0.1.0 listening on http://127.0.0.1:1',
    block(1),
    torn,
    '[log] 4 log entries were dropped because the output was not being read',
    '< a line outside any entry',
    block(3),
    '[10:00:01.000] INFO: stopped'
  ].join('\n'))
  t.same(tally, {
    lines: 23,
    exchanges: 3,
    answered: 0,
    badIds: 0,
    notices: 1,
    reportedDropped: 4,
    torn: 2,
    tornSamples: [torn, '< a line outside any entry'],
    lastLine: '[10:00:01.000] INFO: stopped'
  })
})

t.test('reads a JSON log larger than the longest string V8 can hold, line by line, in bounded memory', async t => {
  // Disk- and CPU-heavy for ~10 s: serialised with the rest of the load suite.
  await holdLoadLock(t)
  const dir = mkdtempSync(join(tmpdir(), 'bkend-dev-proxy-log-reader-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'soak.log')
  const targetBytes = constants.MAX_STRING_LENGTH + 16 * 1024 * 1024
  const TORN_AT = 100_000
  const REPEATED_ID = 7

  // Written by another process, in 1 MiB pieces, so that this one's memory is measured clean.
  const lines = await writeLogInAnotherProcess(file, { targetBytes, template: exchangeJson('{id}'), tornAt: TORN_AT, repeatedId: REPEATED_ID })
  const numbered = lines - 1 // every line but the torn one is an exchange, ids 1..numbered
  const size = statSync(file).size
  t.comment(`generated ${lines + 2} lines, ${(size / 1024 / 1024).toFixed(0)} MiB; V8's longest string is ${constants.MAX_STRING_LENGTH} characters`)
  t.ok(size > constants.MAX_STRING_LENGTH, 'the log is too large for readFileSync(file, "utf8") to return as one string')

  const rssBefore = process.memoryUsage.rss()
  let rssPeak = rssBefore
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage.rss()) }, 20)
  const started = Date.now()
  const tally = await tallyLogFile(file, 'json').finally(() => clearInterval(sampler))
  const growthMb = (rssPeak - rssBefore) / 1024 / 1024
  t.comment(`read in ${Date.now() - started} ms; RSS ${(rssBefore / 1024 / 1024).toFixed(0)} MiB before, peak growth ${growthMb.toFixed(1)} MiB`)

  t.same(tally, {
    lines: lines + 2,
    exchanges: numbered + 1,
    answered: numbered + 1,
    badIds: 1,
    notices: 0,
    reportedDropped: 0,
    torn: 1,
    tornSamples: ['{"level":30,"exchange":{"id":'],
    lastLine: '{"level":30,"msg":"stopped"}'
  }, 'every line is counted: the exchanges, the repeated id at the end, the torn line in the middle, the last line')
  t.ok(growthMb < 128, `memory stays bounded while reading (peak RSS growth ${growthMb.toFixed(1)} MiB < 128 MiB, the log is ${(size / 1024 / 1024).toFixed(0)} MiB)`)
})
