// `npm start -- --port 0 --inspector-port 0` in the project, as a user runs it: either with pipes (the
// signal goes to npm alone, as a process manager sends it) or in a pseudo-terminal,
// where Ctrl-C reaches the whole foreground process group: npm and the proxy both get
// SIGINT from the terminal, and npm forwards its own copy to the proxy a moment later.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { tempDir } from './cli.js'

const ROOT = new URL('../..', import.meta.url).pathname
const BANNER_PORT = /listening on http:\/\/\S+?:(\d+)/

interface Teardown { teardown: (fn: () => unknown) => void }

export interface NpmExit { code: number | null, signal: NodeJS.Signals | null }

export interface NpmStart {
  child: ChildProcess
  /** stdout and stderr together (in a terminal they are one stream, with \r\n line ends). */
  output: () => string
  exited: Promise<NpmExit>
  pid: number
  port: Promise<number>
}

function descendantsOf (pid: number): number[] {
  let children: number[] = []
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
  return children.flatMap(child => [child, ...descendantsOf(child)])
}

function watch (t: Teardown, child: ChildProcess, bannerTimeoutMs = 15000): NpmStart {
  let out = ''
  const collect = (chunk: string): void => { out += chunk }
  child.stdout!.setEncoding('utf8').on('data', collect)
  child.stderr!.setEncoding('utf8').on('data', collect)
  const exited = new Promise<NpmExit>(resolve => child.once('close', (code, signal) => resolve({ code, signal })))
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no banner:\n${out}`)), bannerTimeoutMs)
    const check = (): void => {
      const match = BANNER_PORT.exec(out)
      if (match) { clearTimeout(timer); child.stdout!.off('data', check); resolve(Number(match[1])) }
    }
    child.stdout!.on('data', check)
  })
  const descendants = new Set<number>()
  const track = (): void => { for (const pid of descendantsOf(child.pid!)) descendants.add(pid) }
  const timer = setInterval(track, 100)
  t.teardown(async () => {
    clearInterval(timer)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    // An orphaned proxy keeps the pipes open: end the processes this run started, by id.
    for (const pid of descendants) {
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
    await exited
  })
  return { child, output: () => out, exited, pid: child.pid!, port }
}

function npmEnv (t: Teardown, env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: tempDir(t), npm_config_update_notifier: 'false', ...env }
}

/** npm with pipes for stdio; a signal sent to `pid` reaches npm only. */
/** `cwd`: another copy of the project; `bannerTimeoutMs`: for a start that builds first. */
export function npmStart (t: Teardown, env: Record<string, string> = {}, cwd: string = ROOT, bannerTimeoutMs?: number): NpmStart {
  const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--inspector-port', '0'], { cwd, env: npmEnv(t, env), stdio: ['ignore', 'pipe', 'pipe'] })
  return watch(t, child, bannerTimeoutMs)
}

export interface NpmInTerminal extends NpmStart {
  /** Types Ctrl-C: the terminal sends SIGINT to its foreground process group. */
  pressCtrlC: () => void
}

/**
 * npm in a pseudo-terminal made by `script` (util-linux): npm and the proxy run as the
 * terminal's foreground process group, exactly as in an interactive shell. `script -e`
 * exits with npm's exit code.
 */
export function npmStartInTerminal (t: Teardown, env: Record<string, string> = {}): NpmInTerminal {
  // `exec`: the shell script starts would otherwise share the process group, get the
  // SIGINT too and die of it (exit 130) whatever npm does, which an interactive shell
  // with job control never does.
  const child = spawn('script', ['-qec', 'exec npm start --silent -- --port 0 --inspector-port 0', '/dev/null'], {
    cwd: ROOT,
    env: npmEnv(t, { TERM: 'dumb', NO_COLOR: '1', ...env }),
    stdio: ['pipe', 'pipe', 'pipe']
  })
  // script copies its stdin to the terminal; the line discipline turns ^C into SIGINT.
  return { ...watch(t, child), pressCtrlC: () => { child.stdin!.write('\x03') } }
}
