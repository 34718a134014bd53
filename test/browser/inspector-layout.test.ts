// The inspector page at a laptop's size, in headless Chromium, after a page load through
// the proxy: it fits without scrolling sideways, codes are whole, preflights are hidden
// until asked for, ↑/↓ move through the rows, the split can be dragged, the waterfall
// draws each request to scale; a replayed write is confirmed first, compare marks the
// lines that differ, copy-as-curl carries the body shown. Screenshots of each view go to
// test-artifacts/inspector-layout/ (gitignored) for a person to look at.
import t, { type Test } from 'tap'
import { mkdir } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { launchChromium } from './helpers/chromium.js'
import { ARTIFACTS_DIR } from './helpers/test-page.js'
import { startScene, pageLoad, type Scene } from './helpers/inspector-scene.js'
import { switchEnvironment } from '../helpers/environment-switch.js'

const SHOTS = `${ARTIFACTS_DIR}inspector-layout/`

interface Summary { id: number, method: string, url: string, environment: string, startedAt: string, durationMs: number }

const browser = await launchChromium(t)
await mkdir(SHOTS, { recursive: true })

const scene = await startScene(t)
await pageLoad(scene)
const exchanges = await listed(scene)
const preflights = exchanges.filter(entry => entry.method === 'OPTIONS')
const shown = exchanges.filter(entry => entry.method !== 'OPTIONS')
// Script errors, CSP violations and window dialogs on any page, checked last.
const problems: string[] = []

async function listed (scene: Scene): Promise<Summary[]> {
  const body = await (await fetch(new URL('/__proxy/api/exchanges?limit=1000', scene.proxy.inspectorUrl))).json() as { exchanges: Summary[] }
  return body.exchanges
}

async function openInspector (t: Test, scene: Scene, width: number, height: number, rows: number): Promise<Page> {
  const page = await browser.newPage()
  page.on('pageerror', error => problems.push(`page error: ${error.message}`))
  page.on('console', message => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  page.on('dialog', dialog => { problems.push(`window dialog: ${dialog.message()}`); void dialog.dismiss() })
  t.teardown(() => page.close())
  await page.setViewportSize({ width, height })
  await page.goto(`${scene.proxy.inspectorUrl}/__proxy/`)
  await page.waitForFunction(count => document.querySelectorAll('#list tbody tr').length === count, rows)
  return page
}

const visibleIds = (page: Page): Promise<string[]> => page.locator('#list tbody tr:visible td.id').allTextContents()

t.test('the page load has what the views below need', async t => {
  t.equal(preflights.length, 7, 'seven preflights')
  t.same(new Set(exchanges.map(entry => entry.environment)), new Set(['dev', 'staging']), 'two environments')
})

for (const [width, height] of [[1280, 720], [1440, 900]] as const) {
  t.test(`at ${width}×${height} the list fits: nothing scrolls sideways, every column is in view, codes are whole`, async t => {
    const page = await openInspector(t, scene, width, height, exchanges.length)
    await page.locator('#list tbody tr:visible').nth(2).click()
    await page.locator('#curl-verbose').waitFor()
    const fit = await page.evaluate(() => {
      const pane = document.getElementById('list-pane')!
      const paneRight = pane.getBoundingClientRect().right
      const codeCells = [...document.querySelectorAll<HTMLElement>('#list td.code')].filter(td => td.textContent !== '')
      const textBox = (node: Node): DOMRect => { const range = document.createRange(); range.selectNodeContents(node); return range.getBoundingClientRect() }
      return {
        page: { scrollWidth: document.scrollingElement!.scrollWidth, innerWidth },
        list: { scrollWidth: pane.scrollWidth, clientWidth: pane.clientWidth },
        outOfView: [...document.querySelectorAll('#list th')].filter(th => th.getBoundingClientRect().width > 0 && th.getBoundingClientRect().right > paneRight + 0.5).map(th => th.textContent),
        shownColumns: [...document.querySelectorAll<HTMLElement>('#list th')].filter(th => th.offsetWidth > 0).map(th => th.textContent),
        codes: codeCells.map(td => td.textContent),
        cutCodes: codeCells.filter(td => {
          const text = textBox(td)
          const cell = td.getBoundingClientRect()
          return text.right > cell.right + 0.5 || text.left < cell.left - 0.5
        }).map(td => td.textContent)
      }
    })
    t.ok(fit.page.scrollWidth <= fit.page.innerWidth, `the page does not scroll sideways (${fit.page.scrollWidth} <= ${fit.page.innerWidth})`)
    t.ok(fit.list.scrollWidth <= fit.list.clientWidth, `the list does not scroll sideways (${fit.list.scrollWidth} <= ${fit.list.clientWidth})`)
    t.same(fit.outOfView, [], 'no column past the list\'s right edge')
    for (const name of ['by', 'hint', 'error code', 'waterfall', 'env']) t.ok(fit.shownColumns.includes(name), `the ${name} column is shown`)
    t.same(fit.codes.sort(), ['auth/invalid-api-key', 'proxy/missing-v1-prefix'], 'each code in full')
    t.same(fit.cutCodes, [], 'no code cut off')
    await page.screenshot({ path: `${SHOTS}list-${width}x${height}.png` })
  })
}

t.test('preflights are hidden by default; the toggle and the OPTIONS filter show them', async t => {
  const page = await openInspector(t, scene, 1280, 720, exchanges.length)
  const methods = (): Promise<string[]> => page.locator('#list tbody tr:visible td.method').allTextContents()
  t.same((await methods()).filter(method => method === 'OPTIONS'), [], 'no preflight shown')
  t.equal((await methods()).length, shown.length, 'every other exchange is')
  t.equal(await page.locator('label:has(#f-preflights)').textContent(), ' hide preflights (7)', 'the toggle says how many it hides')
  await page.locator('#f-preflights').uncheck()
  t.equal((await methods()).filter(method => method === 'OPTIONS').length, 7, 'unchecked: all seven shown')
  await page.locator('#f-preflights').check()
  await page.selectOption('#f-method', 'OPTIONS')
  await page.waitForFunction(() => [...document.querySelectorAll('#list tbody tr')].every(tr => tr.querySelector('td.method')!.textContent === 'OPTIONS'))
  t.equal((await methods()).length, 7, 'the method filter OPTIONS shows them with the toggle on')
})

t.test('the environment filter narrows the list to one environment', async t => {
  const page = await openInspector(t, scene, 1280, 720, exchanges.length)
  await page.selectOption('#f-environment', 'staging')
  await t.resolves(page.waitForFunction(() => [...document.querySelectorAll('#list tbody tr td.env')].every(td => td.textContent === 'staging'), undefined, { timeout: 5000 }))
  t.equal((await visibleIds(page)).length, shown.filter(entry => entry.environment === 'staging').length)
})

t.test('↑/↓ move the selection through the shown rows; a new row\'s detail starts at the top', async t => {
  const page = await openInspector(t, scene, 1280, 720, exchanges.length)
  const ids = await visibleIds(page)
  const long = shown.find(entry => entry.url.startsWith('/v1/data/posts?limit=20'))!
  const at = ids.indexOf(`#${long.id}`)
  const pane = page.locator('#detail-pane')
  await page.locator(`#list tbody tr[data-id="${long.id}"]`).click()
  await page.locator('#response-body').waitFor()
  await pane.evaluate(element => { element.scrollTop = element.scrollHeight })
  t.ok(await pane.evaluate(element => element.scrollTop) > 200, 'the detail scrolled down')

  await page.keyboard.press('ArrowDown')
  await page.locator('#detail-pane h2', { hasText: `${ids[at + 1]} ` }).waitFor()
  t.equal(await page.locator('#list tbody tr.selected td.id').textContent(), ids[at + 1], '↓ selects the row below')
  t.equal(await pane.evaluate(element => element.scrollTop), 0, 'its detail starts at the top')

  await pane.evaluate(element => { element.scrollTop = element.scrollHeight })
  await page.keyboard.press('ArrowUp')
  await page.keyboard.press('ArrowUp')
  await page.locator('#detail-pane h2', { hasText: `${ids[at - 1]} ` }).waitFor()
  t.equal(await page.locator('#list tbody tr.selected td.id').textContent(), ids[at - 1], '↑ twice: two rows up')
  t.equal(await pane.evaluate(element => element.scrollTop), 0, 'its detail starts at the top')

  await page.locator('#f-q').focus()
  await page.keyboard.press('ArrowDown')
  t.equal(await page.locator('#list tbody tr.selected td.id').textContent(), ids[at - 1], 'not while typing in a filter')
})

t.test('the waterfall draws each shown row on one time axis, widths to scale', async t => {
  const page = await openInspector(t, scene, 1440, 900, exchanges.length)
  const bars = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#list tbody tr')].filter(tr => !tr.hidden).map(tr => {
    const track = tr.querySelector('.track')!.getBoundingClientRect()
    const bar = tr.querySelector('.bar')!.getBoundingClientRect()
    return { id: Number(tr.dataset.id), left: bar.left - track.left, width: bar.width, track: track.width }
  }))
  t.equal(bars.length, shown.length, 'a bar on every shown row')
  const start = (entry: Summary): number => Date.parse(entry.startedAt)
  const first = Math.min(...shown.map(start))
  const total = Math.max(...shown.map(entry => start(entry) + entry.durationMs)) - first
  for (const bar of bars) {
    const entry = shown.find(candidate => candidate.id === bar.id)!
    const width = Math.max(2, entry.durationMs / total * bar.track)
    const left = (start(entry) - first) / total * bar.track
    t.ok(Math.abs(bar.width - width) <= 1, `#${entry.id} ${entry.durationMs} ms: ${bar.width.toFixed(1)} px wide, ${width.toFixed(1)} expected`)
    t.ok(Math.abs(bar.left - left) <= 1, `#${entry.id} starts at ${bar.left.toFixed(1)} px, ${left.toFixed(1)} expected`)
  }
  const slowest = shown.reduce((a, b) => (b.durationMs > a.durationMs ? b : a))
  t.equal(bars.reduce((a, b) => (b.width > a.width ? b : a)).id, slowest.id, 'the slowest request has the widest bar')
  await page.locator('#f-preflights').uncheck()
  t.equal(await page.locator('#list tbody tr:visible .bar').count(), exchanges.length, 'preflights, once shown, get bars too')
})

t.test('dragging the split changes the widths of list and detail', async t => {
  const page = await openInspector(t, scene, 1280, 720, exchanges.length)
  t.teardown(() => page.evaluate(() => localStorage.clear()))
  const widths = (): Promise<{ list: number, detail: number }> => page.evaluate(() => ({
    list: document.getElementById('list-pane')!.getBoundingClientRect().width,
    detail: document.getElementById('detail-pane')!.getBoundingClientRect().width
  }))
  const before = await widths()
  const handle = (await page.locator('#splitter').boundingBox())!
  const x = handle.x + handle.width / 2
  await page.mouse.move(x, 300)
  await page.mouse.down()
  await page.mouse.move(x - 200, 300, { steps: 5 })
  await page.mouse.up()
  const after = await widths()
  t.ok(Math.abs(before.list - after.list - 200) <= 2, `the list is 200 px narrower (${before.list} → ${after.list})`)
  t.ok(Math.abs(after.detail - before.detail - 200) <= 2, `the detail is 200 px wider (${before.detail} → ${after.detail})`)
  t.ok(await page.evaluate(() => { const pane = document.getElementById('list-pane')!; return pane.scrollWidth <= pane.clientWidth }), 'the narrower list still does not scroll sideways')
  await page.reload()
  await page.waitForFunction(count => document.querySelectorAll('#list tbody tr').length === count, exchanges.length)
  t.ok(Math.abs((await widths()).list - after.list) <= 2, 'the split survives a reload')
})

t.test('replaying a write asks first, naming method, path and environment; nothing is sent before', async t => {
  const scene = await startScene(t)
  await scene.call('/v1/data/posts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'hello', password: 'hunter2-long-enough' }) })
  t.equal((await switchEnvironment(scene.proxy, 'staging')).status, 200)
  const page = await openInspector(t, scene, 1280, 720, 1)
  const replays: string[] = []
  page.on('request', request => { if (request.url().endsWith('/replay')) replays.push(request.postData() ?? '') })
  await page.locator('#list tbody tr').first().click()
  await page.locator('#curl-command').waitFor()

  const command = await page.locator('#curl-command').textContent() ?? ''
  t.match(command, ` --data-binary '{"title":"hello","password":"•••• (19 chars)"}' # secret fields are shown as ••••`, 'copy as curl carries the redacted body shown')
  t.match(await page.locator('#request-body').textContent(), '"password": "•••• (19 chars)"', 'as the page shows it')
  t.notMatch(command, 'hunter2')
  await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: scene.proxy.inspectorUrl })
  await page.locator('#copy-curl').click()
  await page.locator('.action-result', { hasText: 'curl command copied' }).waitFor()
  t.equal(await page.evaluate(() => navigator.clipboard.readText()), command, 'the command copied is the one shown')

  const upstreamBefore = scene.upstream.received.length
  await page.locator('#replay-button').click()
  const dialog = page.locator('#confirm-dialog')
  await dialog.waitFor({ timeout: 5000 })
  t.equal(await page.locator('#confirm-dialog .fact-method').textContent(), 'POST')
  t.equal(await page.locator('#confirm-dialog .fact-path').textContent(), '/v1/data/posts')
  t.equal(await page.locator('#confirm-dialog .fact-environment').textContent(), 'staging', 'the environment the replay goes to')
  t.match(await dialog.textContent(), 'the original went to dev')
  t.same(replays, [], 'the page sent no replay before the answer')
  t.equal(scene.upstream.received.length, upstreamBefore, 'the upstream got nothing')
  await page.screenshot({ path: `${SHOTS}replay-confirm-1280x720.png` })
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.screenshot({ path: `${SHOTS}replay-confirm-1440x900.png` })

  await page.locator('#confirm-cancel').click()
  await page.locator('.action-result', { hasText: 'cancelled: nothing was sent' }).waitFor()
  t.same(replays, [], 'cancelled: still nothing sent')
  t.equal(scene.upstream.received.length, upstreamBefore)

  await page.locator('#replay-button').click()
  await page.locator('#confirm-send').click()
  await page.locator('#list tbody tr td.path .replay-mark', { hasText: 'replay of #1' }).waitFor()
  t.same(replays, ['{"confirm":true}'], 'one replay, confirmed')
  t.equal(scene.upstream.received.length, upstreamBefore + 1)
  t.equal(scene.upstream.received.at(-1)?.method, 'POST')
})

t.test('a read replays without asking; compare marks the lines that differ', async t => {
  const scene = await startScene(t)
  await scene.call('/v1/data/posts?limit=2')
  const page = await openInspector(t, scene, 1440, 900, 1)
  const replays: string[] = []
  page.on('request', request => { if (request.url().endsWith('/replay')) replays.push(request.postData() ?? '') })
  await page.locator('#list tbody tr').first().click()
  await page.locator('#replay-button').click()
  await page.locator('#compare-button').waitFor()
  t.same(replays, ['{}'], 'sent at once, unconfirmed')
  t.equal(await page.locator('#list tbody tr').first().locator('.replay-mark').textContent(), 'replay of #1', 'the list marks the replay')
  await page.locator('#compare-button').click()
  await page.locator('#compare').waitFor()
  const marked = (row: string, column: number): Promise<string[]> => page.locator(`#compare tr.compare-lines[data-section="${row}"] td:nth-of-type(${column}) .line.differs`).allTextContents()
  t.same(await marked('response headers', 1), ['x-served: 1'], 'the header that differs, original')
  t.same(await marked('response headers', 2), ['x-served: 2'], 'and replay; date and x-request-id are not marked')
  t.same((await marked('response body', 1)).map(line => line.trim()), ['"served": 1,'], 'the body line that differs, original')
  t.same((await marked('response body', 2)).map(line => line.trim()), ['"served": 2,'], 'and replay')
  t.same(await marked('request headers', 1), [], 'same request: nothing marked')
  await page.screenshot({ path: `${SHOTS}compare-1440x900.png` })
})

t.test('no page had a script error, a CSP violation or a window dialog', async t => {
  t.same(problems, [])
})
