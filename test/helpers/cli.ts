// Spawns the built CLI (`node dist/cli.js`) as a child process with a controlled
// environment and working directory, and collects what it writes. `npm test` rebuilds
// dist/ first (the pretest script); a single file run with `npx tap` does not, so
// rebuild after changing src/.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname

/** The path of dist/cli.js; a clear error instead of a child that dies with MODULE_NOT_FOUND. */
export function builtCli (): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run clean && npm run build\` (an incremental build does not restore a deleted output)`)
  return CLI
}

/** Matches the first line the CLI prints once it listens, in pretty and in json mode. */
const BANNER_LINE = /bkend-dev-proxy (\S+) listening on http:\/\/(\S+?):(\d+)/
/** The banner's inspector line (pretty) or field (json): its port, or off. */
const INSPECTOR_LINE = /inspector"?:? *"?(?:http:\/\/localhost:(\d+)\/__proxy\/|off|null)/

interface Teardown { teardown: (fn: () => unknown) => void }

export interface CliOptions {
  /** Added to a minimal environment (PATH and HOME only), so nothing leaks in from the test runner. */
  env?: Record<string, string>
  /** Working directory; a fresh empty one (no .env) when not given. */
  cwd?: string
  /** How long to wait for the banner, or for the exit of a run that should stop by itself. */
  timeoutMs?: number
  /** startCli without its `--port 0 --inspector-port 0`, for ports set elsewhere (.env, the config file). */
  portFromSettings?: true
}

export interface CliExit { code: number | null, signal: NodeJS.Signals | null }

export interface CliResult extends CliExit { stdout: string, stderr: string }

export interface RunningCli {
  child: ChildProcess
  port: number
  /** http://127.0.0.1:<port> */
  url: string
  /** The inspector's port as the banner names it; null when it is off. */
  inspectorPort: number | null
  /** http://127.0.0.1:<inspector port>, where the page and /__proxy/api/ are; '' when it is off. */
  inspectorUrl: string
  stdout: () => string
  stderr: () => string
  /** Resolves when the process has exited. */
  exited: Promise<CliExit>
  /** Resolves once stdout matches, or rejects after timeoutMs. */
  waitForStdout: (pattern: RegExp, timeoutMs?: number) => Promise<void>
  /** Sends a signal and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<CliExit>
}

/** An empty directory, removed in teardown. */
export function tempDir (t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'bkend-dev-proxy-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function spawnCli (t: Teardown, args: string[], options: CliOptions): { child: ChildProcess, out: { stdout: string, stderr: string }, exited: Promise<CliExit> } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env }
  const child = spawn(process.execPath, [builtCli(), ...args], { cwd: options.cwd ?? tempDir(t), env, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = { stdout: '', stderr: '' }
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { out.stdout += chunk })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { out.stderr += chunk })
  // 'close' rather than 'exit': by then both pipes are drained.
  const exited = new Promise<CliExit>(resolve => child.once('close', (code, signal) => resolve({ code, signal })))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  return { child, out, exited }
}

/** Runs the CLI to its exit (help, version, refused settings). */
export async function runCli (t: Teardown, args: string[], options: CliOptions = {}): Promise<CliResult> {
  const { child, out, exited } = spawnCli(t, args, options)
  const timeoutMs = options.timeoutMs ?? 15000
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exit = await exited
  clearTimeout(timer)
  return { ...exit, ...out }
}

/** Starts the CLI with `--port 0 --inspector-port 0` (plus args) and resolves once the banner names the ports. */
export async function startCli (t: Teardown, args: string[] = [], options: CliOptions = {}): Promise<RunningCli> {
  // A test's own INSPECTOR_PORT stays in force; a flag would beat it.
  const inspectorPort = options.env?.INSPECTOR_PORT === undefined ? ['--inspector-port', '0'] : []
  const { child, out, exited } = spawnCli(t, options.portFromSettings ? args : ['--port', '0', ...inspectorPort, ...args], options)
  const waitForStdout = (pattern: RegExp, timeoutMs = options.timeoutMs ?? 15000): Promise<void> => new Promise((resolve, reject) => {
    const check = (): boolean => {
      if (!pattern.test(out.stdout)) return false
      cleanup()
      resolve()
      return true
    }
    const onExit = (): void => { cleanup(); reject(new Error(`the CLI exited before printing ${pattern}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`)) }
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no ${pattern} within ${timeoutMs} ms\nstdout: ${out.stdout}\nstderr: ${out.stderr}`)) }, timeoutMs)
    const cleanup = (): void => {
      clearTimeout(timer)
      child.stdout!.off('data', check)
      child.off('close', onExit)
    }
    if (check()) return
    child.stdout!.on('data', check)
    child.once('close', onExit)
  })
  await waitForStdout(BANNER_LINE)
  const port = Number(BANNER_LINE.exec(out.stdout)![3])
  await waitForStdout(INSPECTOR_LINE)
  const inspector = INSPECTOR_LINE.exec(out.stdout)![1]
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    inspectorPort: inspector === undefined ? null : Number(inspector),
    inspectorUrl: inspector === undefined ? '' : `http://127.0.0.1:${inspector}`,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
    waitForStdout,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal)
      return exited
    }
  }
}

/** The last line the CLI wrote, where the shutdown message belongs. */
export function lastLine (text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? ''
}
