// Debian's Chromium driven by playwright-core: no browser download, and the flags that
// keep it off the network (without them it floods a closed network with update,
// sync and QUIC traffic). A missing binary fails the suite: CI must never skip it.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

export const CHROMIUM_PATH = '/usr/bin/chromium'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

interface Teardown { teardown: (fn: () => unknown) => void }

/** A fresh headless Chromium with its own user-data dir; both go away in t.teardown. */
export async function launchChromium (t: Teardown): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing, so the browser CORS suite cannot run. Install Debian's Chromium: apt-get update && apt-get install -y chromium`)
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'bkend-proxy-chromium-'))
  t.teardown(() => rm(userDataDir, { recursive: true, force: true }))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000
  })
  t.teardown(() => context.close())
  return context
}
