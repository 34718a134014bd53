// Opens the test page in a new tab and runs its cases (window.bkendCases). When the
// test has failed by teardown, the page's result table is saved as a screenshot.
import { mkdir } from 'node:fs/promises'
import type { BrowserContext, Page } from 'playwright-core'

export const ARTIFACTS_DIR = new URL('../../../test-artifacts/', import.meta.url).pathname

export type CaseName = 'getJson' | 'simpleGet' | 'postJson' | 'eventSource' | 'streamedFetch'

export interface CaseArgs {
  /** Row label in the page's result table. */
  label: string
  /** 'ok' or the error name the case should end with, shown in the table. */
  expected: 'ok' | 'TypeError'
  /** Base URL the page calls: the proxy, or the upstream for the control cases. */
  base: string
  path: string
  payload?: unknown
  count?: number
}

export type CaseResult<T> = { ok: true, value: T } | { ok: false, errorName: string, errorMessage: string }

export interface JsonReply {
  status: number
  requestId: string | null
  rateLimit: string | null
  contentType: string | null
  body: unknown
}

export interface Arrival { data: string, at: number }

export interface TestPage {
  page: Page
  run: <T = JsonReply>(name: CaseName, args: CaseArgs) => Promise<CaseResult<T>>
}

interface TapLike {
  teardown: (fn: () => unknown) => void
  passing: () => boolean
}

export async function openTestPage (t: TapLike, context: BrowserContext, pageOrigin: string, name: string): Promise<TestPage> {
  const page = await context.newPage()
  t.teardown(async () => {
    if (!t.passing()) {
      await mkdir(ARTIFACTS_DIR, { recursive: true })
      await page.screenshot({ path: `${ARTIFACTS_DIR}browser-failure-${name}.png`, fullPage: true }).catch(() => {})
    }
    await page.close()
  })
  await page.goto(pageOrigin + '/')
  return {
    page,
    run: <T>(caseName: CaseName, args: CaseArgs) => page.evaluate(
      ([caseName, args]) => (globalThis as unknown as { bkendCases: Record<string, (args: unknown) => Promise<unknown>> }).bkendCases[caseName]!(args),
      [caseName, args] as const
    ) as Promise<CaseResult<T>>
  }
}
