// Runs a command on a real pseudo-terminal (Python's pty module: Node has none built in),
// answering prompts as they appear, and returns everything the terminal showed. What a
// user would see on screen, echo included, is what the test gets.
import { spawn } from 'node:child_process'

export interface PtyStep {
  /** Regular expression (source) to wait for in the output since the previous answer. */
  expect: string
  /** Written to the terminal once it matches, as typed keys (use \r for Enter). */
  send: string
}

export interface PtyRun {
  /** Everything the terminal displayed, with \r\n line ends. */
  output: string
  /** Exit code, or 128 + signal number. */
  code: number
  /** Set when a step's pattern never appeared. */
  stuckAt?: string
}

const DRIVER = String.raw`
import json, os, pty, re, select, signal, sys, time
job = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.chdir(job['cwd'])
    os.execve(job['argv'][0], job['argv'], job['env'])
output, pending, steps, stuck = b'', b'', list(job['steps']), None
deadline = time.time() + job['timeoutMs'] / 1000
while True:
    if steps and re.search(steps[0]['expect'], pending.decode('utf8', 'replace')):
        os.write(fd, steps.pop(0)['send'].encode('utf8'))
        pending = b''
    if time.time() > deadline:
        stuck = steps[0]['expect'] if steps else 'exit'
        os.kill(pid, signal.SIGKILL)
        break
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        pending += chunk
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
print(json.dumps({'output': output.decode('utf8', 'replace'), 'code': code if code >= 0 else 128 - code, 'stuckAt': stuck}))
`

export async function runInPty (argv: string[], options: { cwd: string, env: Record<string, string>, steps: PtyStep[], timeoutMs?: number }): Promise<PtyRun> {
  const job = JSON.stringify({ argv, cwd: options.cwd, env: options.env, steps: options.steps, timeoutMs: options.timeoutMs ?? 10000 })
  const child = spawn('python3', ['-c', DRIVER, job], { stdio: ['ignore', 'pipe', 'inherit'] })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  await new Promise(resolve => child.once('close', resolve))
  const run = JSON.parse(stdout) as PtyRun & { stuckAt: string | null }
  return { output: run.output, code: run.code, ...(run.stuckAt === null ? {} : { stuckAt: run.stuckAt }) }
}
