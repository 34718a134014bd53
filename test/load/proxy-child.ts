// The proxy as a real child process (so RSS and fds are its own), and its health route.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { builtCli } from '../helpers/cli.js'
import { sleep, type Teardown } from './helpers.js'
import { readHead } from './log-lines.js'
import { timedGet } from './traffic.js'

export interface ProxyChild {
  child: ChildProcess
  pid: number
  port: number
  url: string
  /**
   * Everything the proxy wrote to stdout: the file it writes to (file mode), or the copy this
   * process makes as it reads the pipe (pipe mode). Read it with ./log-lines.ts, never whole:
   * on a fast machine it outgrows the longest string V8 can hold.
   */
  logFile: string
  /** Bytes of stdout in `logFile` so far. */
  stdoutBytes: () => number
  stderr: () => string
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

const BANNER_LINE = /bkend-dev-proxy \S+ listening on http:\/\/\S+?:(\d+)/

/**
 * Runs `node dist/cli.js --port 0 --inspector-port 0` with a minimal environment. In file mode its stdout is a
 * file that nothing in this process reads during the run; in pipe mode it is a pipe that this
 * process reads (and a test may stop reading), copying what arrives to `logFile`.
 */
export async function spawnProxy (t: Teardown, env: Record<string, string>, options: { stdout: 'file' | 'pipe' }): Promise<ProxyChild> {
  const cwd = mkdtempSync(join(tmpdir(), 'bkend-dev-proxy-load-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  const logFile = join(cwd, 'stdout.log')
  const logFd = openSync(logFile, 'w')
  const child = spawn(process.execPath, [builtCli(), '--port', '0', '--inspector-port', '0'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BKEND_API_KEY: 'sk_test_load_suite_key', ...env },
    stdio: ['ignore', options.stdout === 'file' ? logFd : 'pipe', 'pipe']
  })
  if (options.stdout === 'file') {
    closeSync(logFd)
  } else {
    // Synchronous appends of 64 KiB chunks to the page cache: cheap, and in order.
    child.stdout!.on('data', (chunk: Buffer) => writeSync(logFd, chunk))
    child.stdout!.once('close', () => closeSync(logFd))
  }
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => child.once('close', (code, signal) => resolve({ code, signal })))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  const deadline = Date.now() + 10_000
  let match: RegExpExecArray | null = null
  while (!(match = BANNER_LINE.exec(readHead(logFile)))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the proxy did not start\nstdout: ${readHead(logFile)}\nstderr: ${stderr}`)
    await sleep(25)
  }
  const port = Number(match[1])
  const stdoutBytes = (): number => statSync(logFile).size
  return { child, pid: child.pid!, port, url: `http://127.0.0.1:${port}`, logFile, stdoutBytes, stderr: () => stderr, exited }
}

/** The JSON body of GET /__proxy/health. */
export async function health (proxyUrl: string): Promise<{ status: number, droppedLogLines: number }> {
  const res = await timedGet(`${proxyUrl}/__proxy/health`)
  const body = JSON.parse(res.body) as { droppedLogLines: number }
  return { status: res.status, droppedLogLines: body.droppedLogLines }
}
