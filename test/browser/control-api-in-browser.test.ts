// The proxy's control API as an attacker's page sees it, in headless Chromium: a page on
// another loopback origin (allowed by the default CORS_ORIGINS) and an HTML answer of the
// upstream under /v1/ (the proxy's own origin) try to read the inspector and to switch to
// prod, by fetch (with and without a preflight, and no-cors) and sendBeacon, on the proxy
// port with the path plain and percent-encoded, and on the inspector's port. Afterwards the
// inspector (asked from Node) still says dev, and the prod upstream, which records every
// request, got none: each page's own API request after its attempts went to dev.
import t from 'tap'
import type { Server } from 'node:http'
import { startFakeApi } from '../helpers/fake-upstream.js'
import { startProxy } from '../helpers/proxy.js'
import { waitFor } from '../helpers/wait.js'
import { launchChromium } from './helpers/chromium.js'
import { startAttackerPage } from './helpers/attacker-page.js'

const DEV_KEY = 'sk_test_DEVKEY0123456789abcdefghijdev1'
const PROD_KEY = 'sk_live_PRDKEY0123456789abcdefghijprd3'
const SWITCH_PATHS = ['/__proxy/api/environment', '/%5F_proxy/api/environment', '/_%5Fproxy/api/environment']
const READ_PATHS = ['/__proxy/api/exchanges', '/%5F_proxy/api/exchanges', '/_%5Fproxy/api/exchanges']

const browser = await launchChromium(t)

/** What the attacker's script runs in its page: every way it has to switch, then to read. */
async function attack ({ proxy, inspector, switchPaths, readPaths }: { proxy: string, inspector: string, switchPaths: string[], readPaths: string[] }): Promise<Record<string, string>> {
  const outcome: Record<string, string> = {}
  const body = JSON.stringify({ environment: 'prod' })
  const attempt = async (name: string, url: string, init?: RequestInit): Promise<void> => {
    try {
      const res = await fetch(url, init)
      outcome[name] = `${res.status} ${res.type === 'opaque' ? '(opaque)' : await res.text()}`
    } catch (error) {
      outcome[name] = (error as Error).name
    }
  }
  const targets = [...switchPaths.map(path => proxy + path), inspector + '/__proxy/api/environment']
  for (const url of targets) {
    await attempt(`json ${url}`, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    await attempt(`text ${url}`, url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body })
    await attempt(`no-cors ${url}`, url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body })
    outcome[`beacon ${url}`] = String(navigator.sendBeacon(`${url}?via=beacon`, new Blob([body], { type: 'text/plain' })))
  }
  for (const url of [...readPaths.map(path => proxy + path), inspector + '/__proxy/api/exchanges']) await attempt(`read ${url}`, url)
  await attempt(`replay ${inspector}`, `${inspector}/__proxy/api/exchanges/1/replay`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })
  await attempt(`clear ${inspector}`, `${inspector}/__proxy/api/exchanges`, { method: 'DELETE', headers: { 'content-type': 'application/json' } })
  return outcome
}

// The upstream's HTML answer runs on the proxy's own origin; its script tries the same.
function evilHtml (inspector: string): string {
  const script = `(${attack.toString()})(${JSON.stringify({ proxy: '', inspector, switchPaths: SWITCH_PATHS, readPaths: READ_PATHS })})` +
    '.then(async outcome => { const after = await fetch("/v1/data/posts?from=html"); outcome.after = String(after.status); window.__outcome = outcome })'
  return `<!doctype html><title>an upstream page</title><script>${script}</script>`
}

/** Requests that reached a server (at arrival, before any answer), by URL. */
function arrivals (servers: Array<Server | undefined>): string[] {
  const urls: string[] = []
  for (const server of servers) server?.on('request', (req: { url?: string }) => { urls.push(req.url ?? '') })
  return urls
}

interface Setup { proxy: Awaited<ReturnType<typeof startProxy>>, dev: Awaited<ReturnType<typeof startFakeApi>>, prod: Awaited<ReturnType<typeof startFakeApi>>, seen: string[] }

/** Two profiles, each upstream recording what it gets; dev also serves an HTML page under /v1/evil. */
async function twoEnvironments (t: Parameters<Parameters<typeof t.test>[1]>[0]): Promise<Setup> {
  let inspectorUrl = ''
  const dev = await startFakeApi(t, {
    handler: (req, res) => {
      if (req.url!.startsWith('/v1/evil')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        res.end(evilHtml(inspectorUrl))
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ success: true, data: { items: [] } }))
    }
  })
  const prod = await startFakeApi(t)
  const proxy = await startProxy(t, { apiUrl: dev.url, apiKey: DEV_KEY, environments: { prod: { apiKey: PROD_KEY, apiUrl: prod.url } } })
  inspectorUrl = proxy.inspectorUrl
  const seen = arrivals([proxy.app.server, proxy.app.inspectorApp?.server])
  await (await fetch(new URL('/v1/data/posts?from=node', proxy.url))).arrayBuffer() // exchange #1, so there is something to read
  return { proxy, dev, prod, seen }
}

/** What must hold after an attack: dev still active (the inspector says so), prod untouched, nothing readable, nothing cleared. */
async function assertUnharmed (t: Parameters<Parameters<typeof t.test>[1]>[0], { proxy, dev, prod }: Setup, outcome: Record<string, string>, from: string): Promise<void> {
  const environment = await (await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl))).json() as { environment: string }
  t.equal(environment.environment, 'dev', 'the inspector says dev: nothing switched')
  t.equal(prod.started, 0, 'zero requests reached the prod upstream')
  t.same(dev.received.map(request => request.url).filter(url => url.startsWith('/v1/data/posts')), ['/v1/data/posts?from=node', `/v1/data/posts?from=${from}`], 'the page\'s request after its attempts went to dev')
  t.same(Object.entries(outcome).filter(([, text]) => text.includes('"exchanges"') || text.includes('"environments"')), [], 'it read nothing of the inspector or the switch')
  t.same(Object.entries(outcome).filter(([name, text]) => name.includes(proxy.inspectorUrl) && /^2\d\d /.test(text)), [], 'it got no 2xx from the inspector\'s port')
  const first = await fetch(new URL('/__proxy/api/exchanges/1', proxy.inspectorUrl))
  await first.arrayBuffer()
  t.equal(first.status, 200, 'nothing was cleared: exchange #1 is still kept')
}

const beacons = (seen: string[]): number => seen.filter(url => url.includes('via=beacon')).length

t.test('a page on another local origin cannot read the inspector or switch to prod, on either port, however it spells the path', async t => {
  const setup = await twoEnvironments(t)
  const { proxy, seen } = setup
  const attacker = await startAttackerPage(t)
  const page = await browser.newPage()
  t.teardown(() => page.close())
  await page.goto(attacker.origin + '/')
  const outcome = await page.evaluate(attack, { proxy: proxy.url, inspector: proxy.inspectorUrl, switchPaths: SWITCH_PATHS, readPaths: READ_PATHS })
  // The beacons go out in the background: wait until each has arrived, then look.
  t.ok(await waitFor(() => beacons(seen) === SWITCH_PATHS.length + 1, 10_000), 'every beacon reached the proxy or the inspector')
  outcome.after = String(await page.evaluate(async url => (await fetch(url)).status, `${proxy.url}/v1/data/posts?from=page`))
  t.equal(outcome.after, '200', 'the page still uses the API through the proxy')
  await assertUnharmed(t, setup, outcome, 'page')
})

t.test('an HTML answer of the upstream, on the proxy\'s own origin, cannot read the inspector or switch to prod', async t => {
  const setup = await twoEnvironments(t)
  const { proxy, seen } = setup
  const page = await browser.newPage()
  t.teardown(() => page.close())
  await page.goto(`${proxy.url}/v1/evil`)
  const outcome = await page.waitForFunction(() => (window as unknown as { __outcome?: Record<string, string> }).__outcome, undefined, { timeout: 10_000 }).then(handle => handle.jsonValue()) as Record<string, string>
  t.equal(outcome.after, '200', 'the upstream page ran its script and still uses the API')
  t.ok(await waitFor(() => beacons(seen) === SWITCH_PATHS.length + 1, 10_000), 'its beacons arrived')
  await assertUnharmed(t, setup, outcome, 'html')
})
