// Packs the project the way `npm publish` would and installs the tarball the way a user
// would, away from the source tree. The pack runs in a copy of the checkout, so its
// prepack (clean + build) never rewrites the dist/ that other test runs are using.
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'

export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '')

// Local state in a checkout that is no part of its source: dependencies, builds, test output, secrets.
const NOT_SOURCE = new Set(['node_modules', 'dist', '.git', '.tap', 'coverage', 'test-artifacts', 'bench/results', '.env'])

export interface CommandResult { code: number, stdout: string, stderr: string, ms: number }

/**
 * PATH for the installed command: this Node's directory first, for the bin's
 * `#!/usr/bin/env node`, and nothing from the checkout (`npm run` adds its node_modules/.bin).
 */
export function pathOutsideCheckout (): string {
  const inherited = (process.env.PATH ?? '').split(':').filter(dir => dir !== '' && !dir.startsWith(ROOT))
  return [dirname(process.execPath), ...inherited].join(':')
}

/** Runs a command to its end with a minimal environment (PATH, HOME and what is given). */
export function run (file: string, args: string[], options: { cwd: string, env?: Record<string, string>, timeoutMs?: number }): Promise<CommandResult> {
  const started = Date.now()
  const env = { PATH: pathOutsideCheckout(), HOME: process.env.HOME ?? '', ...options.env }
  return new Promise(resolve => {
    execFile(file, args, { cwd: options.cwd, env, timeout: options.timeoutMs ?? 60000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
  })
}

interface Teardown { teardown: (fn: () => unknown) => void }

/** A scratch directory, removed in teardown. */
export function scratch (t: Teardown, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bkend-dev-proxy-${name}-`))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** `npm pack` in a copy of the checkout; resolves to the tarball's path and the pack's output. */
export async function packTarball (t: Teardown): Promise<{ tarball: string, pack: CommandResult }> {
  const work = scratch(t, 'pack')
  const copy = join(work, 'source')
  cpSync(ROOT, copy, { recursive: true, filter: source => !NOT_SOURCE.has(relative(ROOT, source)) && !source.endsWith('.tgz') })
  // The build needs the compiler, not a fresh install: borrow the checkout's dependencies.
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'))
  const pack = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: copy, timeoutMs: 120000 })
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`)
  const [{ filename }] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string }>
  return { tarball: join(work, filename), pack }
}
