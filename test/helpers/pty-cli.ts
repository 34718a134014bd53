// Runs the built CLI with its stdout on a pseudo-terminal (util-linux `script`), for what
// only a terminal gets: colour by default. What the terminal shows comes back on script's stdout.
import { spawn } from 'node:child_process'
import { builtCli, tempDir } from './cli.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface PtyCli {
  port: number
  /** Everything the terminal showed so far, with the pty's CRLF line ends made LF. */
  output: () => string
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>
}

const BANNER_PORT = /listening on http:\/\/\S+?:(\d+)/

export async function startCliInPty (t: Teardown, env: Record<string, string>, args: string[] = []): Promise<PtyCli> {
  const command = [process.execPath, builtCli(), '--port', '0', '--inspector-port', '0', ...args].map(word => `'${word}'`).join(' ')
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: tempDir(t),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm-256color', ...env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let text = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { text += chunk.replace(/\r\n/g, '\n') })
  const exited = new Promise(resolve => child.once('close', resolve))
  // Closing the terminal hangs up the proxy (SIGHUP), so nothing outlives the test.
  t.teardown(async () => { child.kill('SIGKILL'); await exited })
  const waitFor = async (pattern: RegExp, timeoutMs = 5000): Promise<void> => {
    const deadline = Date.now() + timeoutMs
    while (!pattern.test(text)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} on the terminal:\n${text}`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }
  await waitFor(BANNER_PORT)
  return { port: Number(BANNER_PORT.exec(text)![1]), output: () => text, waitFor }
}
