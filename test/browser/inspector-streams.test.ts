// An SSE stream in the inspector page, in headless Chromium: while it is open the detail
// lists its events as they arrive (time, event name, id, data) and the list counts events
// and bytes; a stream the client closed ends as a normal end, not a failure, and keeps
// its events. Screenshots go to test-artifacts/inspector-layout/ (gitignored).
import t from 'tap'
import { mkdir } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { launchChromium } from './helpers/chromium.js'
import { ARTIFACTS_DIR } from './helpers/test-page.js'
import { startScene, pageLoad } from './helpers/inspector-scene.js'

const SHOTS = `${ARTIFACTS_DIR}inspector-layout/`

const browser = await launchChromium(t)
await mkdir(SHOTS, { recursive: true })

t.test('a live stream: events as they arrive, count and bytes in the list, closed by the client is no failure', async t => {
  let stream: ServerResponse | undefined
  let streamOpened: () => void = () => {}
  const opened = new Promise<void>(resolve => { streamOpened = resolve })
  const scene = await startScene(t, {
    handler: (req, res) => {
      if (req.url === '/v1/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
        res.write('event: ready\nid: 1\ndata: {"channel":"posts"}\n\n')
        stream = res
        streamOpened()
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ success: true, data: { items: [] } }))
    }
  })
  await pageLoad(scene)

  const page = await browser.newPage()
  const problems: string[] = []
  page.on('pageerror', error => problems.push(`page error: ${error.message}`))
  page.on('console', message => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  t.teardown(() => page.close())
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto(`${scene.proxy.inspectorUrl}/__proxy/`)
  await page.locator('#status-line', { hasText: 'live' }).waitFor()

  // The app's EventSource, as a fetch that the test cuts when it is done.
  const client = new AbortController()
  const response = await fetch(new URL('/v1/events', scene.proxy.url), { headers: { origin: 'http://localhost:5173', accept: 'text/event-stream' }, signal: client.signal })
  const reader = response.body!.getReader()
  await opened
  await reader.read()

  const row = page.locator('#list tbody tr', { has: page.locator('td.path', { hasText: '/v1/events' }) })
  await row.locator('.live').waitFor()
  await row.click()
  const events = page.locator('#stream-events tbody tr')
  await events.first().waitFor()
  t.same(await events.first().locator('td.event-name, td.event-id, td.data').allTextContents(), ['ready', '1', '{"channel":"posts"}'], 'event name, id, data')
  t.match(await events.first().locator('td.at').textContent(), /^\+[\d.]+ (ms|s)$/)

  // Events arrive in the open detail without picking the row again.
  stream!.write('event: post-created\nid: 2\ndata: {"id":"post-7","title":"hello"}\n\n')
  stream!.write(`data: ${'x'.repeat(300)}\n\n`)
  await page.waitForFunction(() => document.querySelectorAll('#stream-events tbody tr').length === 3)
  t.same(await events.nth(1).locator('td.event-name, td.event-id, td.data').allTextContents(), ['post-created', '2', '{"id":"post-7","title":"hello"}'])
  t.same(await events.nth(2).locator('td.event-name, td.event-id').allTextContents(), ['message', ''], 'no event name: message; no id: empty')
  t.ok((await events.nth(2).locator('td.data').textContent())!.length <= 201, 'a long data line is a preview')
  // The list counts them and the bytes so far (refreshed at most every 500 ms).
  await row.locator('.tag.events', { hasText: '3 events' }).waitFor()
  t.not(await row.locator('td.size').textContent(), '0 B', 'bytes so far')
  for (const [width, height] of [[1280, 720], [1440, 900]] as const) {
    await page.setViewportSize({ width, height })
    await page.screenshot({ path: `${SHOTS}stream-live-${width}x${height}.png` })
  }

  const startWhileOpen = await row.locator('td.time').getAttribute('title')

  // The app closes it: a normal end, with its events kept.
  client.abort()
  await row.locator('td.duration .live').waitFor({ state: 'detached' })
  t.equal(await row.locator('td.time').getAttribute('title'), startWhileOpen, 'the start the list showed while it was open is its start')
  await page.locator('#detail-pane .meta', { hasText: 'closed by the client' }).waitFor()
  t.notOk(await row.evaluate(tr => tr.classList.contains('failed')), 'not marked as a failure')
  t.equal(await events.count(), 3, 'the same events after the end')
  t.same(problems, [], 'no script error or CSP violation')
})
