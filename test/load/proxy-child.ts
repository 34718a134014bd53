// The proxy as a real child process (so RSS and fds are its own), and its health route.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI } from '../helpers/cli.js'
import { sleep, type Teardown } from './helpers.js'
import { timedGet } from './traffic.js'

export interface ProxyChild {
  child: ChildProcess
  pid: number
  port: number
  url: string
  /** stdout so far (pipe mode), or the file's content (file mode). */
  stdout: () => string
  stderr: () => string
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

const BANNER_LINE = /bkend-dev-proxy \S+ listening on http:\/\/\S+?:(\d+)/

/**
 * Runs `node dist/cli.js --port 0` with a minimal environment. stdout goes to `stdoutFile`
 * when given (nothing in this process then reads it), otherwise to a pipe read here.
 */
export async function spawnProxy (t: Teardown, env: Record<string, string>, options: { stdoutFile?: string } = {}): Promise<ProxyChild> {
  const cwd = mkdtempSync(join(tmpdir(), 'bkend-dev-proxy-load-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  const fileFd = options.stdoutFile ? openSync(options.stdoutFile, 'w') : undefined
  const child = spawn(process.execPath, [CLI, '--port', '0'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BKEND_API_KEY: 'sk_test_load_suite_key', ...env },
    stdio: ['ignore', fileFd ?? 'pipe', 'pipe']
  })
  if (fileFd !== undefined) {
    closeSync(fileFd)
    t.teardown(() => rmSync(options.stdoutFile!, { force: true })) // the soak writes ~150 MB
  }
  const chunks: Buffer[] = []
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => child.once('close', (code, signal) => resolve({ code, signal })))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  const stdout = options.stdoutFile
    ? () => readFileSync(options.stdoutFile!, 'utf8')
    : () => Buffer.concat(chunks).toString('utf8')
  const deadline = Date.now() + 10_000
  let match: RegExpExecArray | null = null
  while (!(match = BANNER_LINE.exec(stdout()))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the proxy did not start\nstdout: ${stdout()}\nstderr: ${stderr}`)
    await sleep(25)
  }
  const port = Number(match[1])
  return { child, pid: child.pid!, port, url: `http://127.0.0.1:${port}`, stdout, stderr: () => stderr, exited }
}

/** The JSON body of GET /__proxy/health. */
export async function health (proxyUrl: string): Promise<{ status: number, droppedLogLines: number }> {
  const res = await timedGet(`${proxyUrl}/__proxy/health`)
  const body = JSON.parse(res.body) as { droppedLogLines: number }
  return { status: res.status, droppedLogLines: body.droppedLogLines }
}
