// Issue 10, item 11: while nobody reads stdout, log entries that do not fit the buffer are
// dropped and counted; the count is reported once per stall, when output flows again
// (it was written after nearly every dropped entry: 146 notices in one stall).
import t from 'tap'
import { startCli } from './helpers/cli.js'

const DROP_NOTICE = /^\[log\] (\d+) log entries were dropped because the output was not being read$/
// Each refused request logs this header twice (request headers and the curl command), so
// a few hundred requests overflow the 8 MB log buffer (LOG_BUFFER_BYTES).
const FILLER = 'f'.repeat(12_000)
const REQUESTS = 900
const PARALLEL = 8

async function droppedLogLines (url: string): Promise<number> {
  return ((await (await fetch(`${url}/__proxy/health`)).json()) as { droppedLogLines: number }).droppedLogLines
}

function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

for (const format of ['pretty', 'json'] as const) {
  t.test(`one notice per stall, with the total, once output flows again (LOG_FORMAT=${format})`, async t => {
    const cli = await startCli(t, [], { env: { LOG_FORMAT: format } })
    cli.child.stdout!.pause()
    let sent = 0
    // /nope is answered by the proxy itself (404, missing /v1 prefix): no upstream needed.
    const client = async (): Promise<void> => {
      while (sent < REQUESTS) {
        sent++
        await (await fetch(`${cli.url}/nope`, { headers: { 'x-filler': FILLER } })).text()
      }
    }
    await Promise.all(Array.from({ length: PARALLEL }, client))
    const droppedInStall = await droppedLogLines(cli.url)
    t.ok(droppedInStall > 0, `entries were dropped during the stall (${droppedInStall})`)

    cli.child.stdout!.resume()
    let length = -1
    while (cli.stdout().length !== length) {
      length = cli.stdout().length
      await sleep(300)
    }
    const dropped = await droppedLogLines(cli.url)
    t.same(await cli.stop(), { code: 0, signal: null })

    const counts = cli.stdout().split('\n').flatMap(line => {
      const text = format === 'json' && line.startsWith('{') ? (JSON.parse(line) as { msg: string }).msg : line
      const notice = DROP_NOTICE.exec(text)
      return notice ? [Number(notice[1])] : []
    })
    t.same(counts, [dropped], 'exactly one notice, reporting every dropped entry')
  })
}

t.test('a stdout nobody reads does not hold up the exit: the rest of the log is given up', async t => {
  const cli = await startCli(t)
  cli.child.stdout!.pause()
  let sent = 0
  const client = async (): Promise<void> => {
    while (sent < 200) {
      sent++
      await (await fetch(`${cli.url}/nope`, { headers: { 'x-filler': FILLER } })).text()
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, client))
  const stopping = Date.now()
  t.same(await cli.stop(), { code: 0, signal: null }, 'exits 0 while stdout is still not read')
  t.ok(Date.now() - stopping < 5000, `within the flush's give-up time and the grace period (${Date.now() - stopping} ms)`)
})
