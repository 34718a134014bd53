// The inspector page as a developer uses it, in headless Chromium: exchanges arrive
// live, filters, the detail pane, replay after fixing the key with the side-by-side
// compare, pause and clear, and the HAR download. Screenshots of each step are saved
// under test-artifacts/inspector/ (gitignored) for a person to look at.
import t from 'tap'
import { mkdir, readFile } from 'node:fs/promises'
import { startFakeApi, type FakeHandler } from '../helpers/fake-upstream.js'
import { startProxy, testConfig } from '../helpers/proxy.js'
import { harProblems } from '../helpers/inspector.js'
import { launchChromium } from './helpers/chromium.js'
import { ARTIFACTS_DIR } from './helpers/test-page.js'

const WRONG_KEY = 'sk_test_WRONGKEY0123456789abcdefghijk'
const GOOD_KEY = 'sk_test_GOODKEY0123456789abcdefgh9f2c'
const SHOTS = `${ARTIFACTS_DIR}inspector/`

const api: FakeHandler = (req, res) => {
  const path = new URL(req.url!, 'http://upstream').pathname
  if (req.headers.authorization !== `Bearer ${GOOD_KEY}`) {
    res.writeHead(401, { 'content-type': 'application/json', 'x-evil': '<img src=x onerror="window.__xss=1">' })
    res.end(JSON.stringify({ success: false, error: { code: 'auth/unauthorized', message: '<script>window.__xss=2</script> the API key is not valid' } }))
  } else if (path === '/v1/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: {"n":1}\n\n')
  } else {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ success: true, data: { items: [{ id: 'post-1', title: 'hello' }] } }))
  }
}

const browser = await launchChromium(t)
await mkdir(SHOTS, { recursive: true })

t.test('find the failed call, read its hint, fix the key, replay, compare, export HAR', async t => {
  const upstream = await startFakeApi(t, { handler: api })
  let current = testConfig({ port: 0, apiUrl: upstream.url, apiKey: WRONG_KEY })
  const proxy = await startProxy(t, { apiUrl: upstream.url, apiKey: WRONG_KEY, projectId: 'proj-1' }, { app: { rereadConfig: () => current } })
  // Following the redirect below, Chromium opens a spare connection to the proxy port and
  // never sends on it; Node's closeIdleConnections leaves such a connection open, so
  // closing would wait for Node's header timeout. The CLI cuts it after SHUTDOWN_GRACE_MS;
  // the test cuts it at once (teardowns run last first: this one before the close).
  t.teardown(() => proxy.app.cutOpenConnections())
  const call = async (path: string, init: RequestInit = {}): Promise<number> => {
    const res = await fetch(new URL(path, proxy.url), init)
    await res.arrayBuffer()
    return res.status
  }
  const page = await browser.newPage()
  const problems: string[] = []
  page.on('pageerror', error => problems.push(`page error: ${error.message}`))
  page.on('console', message => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  page.on('dialog', dialog => { problems.push(`dialog: ${dialog.message()}`); void dialog.dismiss() })
  t.teardown(() => page.close())
  await page.setViewportSize({ width: 1400, height: 860 })
  // As a developer used to type it: the proxy port sends the page to the inspector's own port.
  await page.goto(`${proxy.url}/__proxy/`)
  t.equal(page.url(), `${proxy.inspectorUrl}/__proxy/`, 'redirected to the inspector\'s port')
  await page.locator('#empty').waitFor({ state: 'visible' })
  await page.locator('#status-line', { hasText: 'live' }).waitFor()

  // Exchanges appear without a reload.
  await call('/v1/data/posts?limit=5')
  await call('/v1/data/posts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"hello","password":"hunter2-long-enough"}' })
  await call('/nowhere')
  await page.locator('#list tbody tr').nth(2).waitFor()
  t.same(await page.locator('#list tbody tr td.status').allTextContents(), ['404', '401', '401'], 'newest first, live')
  t.same(await page.locator('#list tbody tr td.code').allTextContents(), ['proxy/missing-v1-prefix', 'auth/unauthorized', 'auth/unauthorized'])
  await page.screenshot({ path: `${SHOTS}1-live-list.png` })

  // Filter to the upstream's 4xx for POST.
  await page.selectOption('#f-method', 'POST')
  await page.locator('#list tbody tr').first().waitFor()
  await t.resolves(page.waitForFunction(() => document.querySelectorAll('#list tbody tr').length === 1))
  t.same(await page.locator('#list tbody tr td.method').allTextContents(), ['POST'])
  t.match(await page.getAttribute('#har', 'href'), '/__proxy/api/har?method=POST', 'the HAR link follows the filter')

  // The detail pane: hint, curl -v block with [injected], redacted body.
  await page.locator('#list tbody tr').first().click()
  await page.locator('#curl-verbose').waitFor()
  const verbose = await page.locator('#curl-verbose').textContent() ?? ''
  t.match(verbose, /> authorization: Bearer sk_test_?••••hijk \(37 chars\) {3}\[injected\]/)
  t.match(verbose, '< x-evil: <img src=x onerror="window.__xss=1">', 'markup from the wire shown as text')
  t.match(await page.locator('.hint-box').textContent(), /BKEND_API_KEY/)
  t.match(await page.locator('#request-body').textContent(), /"password": "•••• \(19 chars\)"/)
  t.match(await page.locator('#response-body').textContent(), '<script>window.__xss=2</script>')
  t.match(await page.locator('#timing-total').textContent(), / ms$/)
  await page.screenshot({ path: `${SHOTS}2-detail.png` })
  await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: proxy.inspectorUrl })
  await page.locator('#copy-curl').click()
  await page.locator('.action-result', { hasText: 'curl command copied' }).waitFor()
  const copied = await page.evaluate(() => navigator.clipboard.readText())
  t.match(copied, /^curl -v 'http:\/\/127\.0\.0\.1:\d+\/v1\/data\/posts' .*-H "Authorization: Bearer \$BKEND_API_KEY"/, 'copy as curl: the key is a variable')
  t.equal(copied, await page.locator('#curl-command').textContent(), 'the command shown is the one copied')

  // Fix the key (as in .env), replay: the new exchange is linked and succeeds.
  current = testConfig({ port: 0, apiUrl: upstream.url, apiKey: GOOD_KEY, projectId: 'proj-1' })
  await page.selectOption('#f-method', '')
  const originalId = (await page.locator('#list tbody tr.selected td.id').textContent())!.slice(1)
  await page.locator('#replay-button').click()
  t.equal(await page.locator('#confirm-dialog .fact-method').textContent(), 'POST', 'a write is confirmed first')
  await page.locator('#confirm-send').click()
  await page.locator('#compare-button').waitFor()
  t.equal(await page.locator('.action-result').textContent(), `replay of #${originalId}: 200 with the re-read configuration (changed: apiKey)`)
  t.equal(await page.locator('#list tbody tr').first().locator('td.path .replay-mark').textContent(), `replay of #${originalId}`, 'the list marks the replay')
  await page.locator('#compare-button').click()
  await page.locator('#compare').waitFor()
  t.same(await page.locator('.compare-status td').allTextContents(), ['401', '200'], 'status side by side')
  t.match(await page.locator('#compare tr[data-section="request headers"] .line.differs').allTextContents(), [/^authorization: .*••••hijk/, /^authorization: .*••••9f2c/], 'the header that differs')
  await page.screenshot({ path: `${SHOTS}3-compare.png` })

  // Pause holds new rows back; resume shows them; clear empties the list.
  const rowsBefore = await page.locator('#list tbody tr').count()
  await page.locator('#pause').click()
  await call('/v1/events')
  await page.locator('#status-line', { hasText: 'paused: 1 new' }).waitFor()
  t.equal(await page.locator('#list tbody tr').count(), rowsBefore, 'nothing added while paused')
  await page.locator('#pause').click()
  await t.resolves(page.waitForFunction(count => document.querySelectorAll('#list tbody tr').length === count + 1, rowsBefore))

  // HAR download of the whole list.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#har').click()])
  const har = JSON.parse(await readFile((await download.path())!, 'utf8'))
  t.same(harProblems(har), [], 'a valid HAR 1.2 file')
  t.equal(har.log.entries.length, rowsBefore + 1)
  t.match(download.suggestedFilename(), /^bkend-dev-proxy-.*\.har$/)

  await page.locator('#clear').click()
  await page.locator('#empty').waitFor({ state: 'visible' })
  await page.screenshot({ path: `${SHOTS}4-cleared.png` })

  t.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'no value from the wire ran as script')
  t.same(problems, [], 'no CSP violation, script error or dialog')
})
