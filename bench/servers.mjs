// Starting the processes under test, each pinned to its CPU, and stopping them.
import { spawn } from 'node:child_process'
import { openSync, closeSync } from 'node:fs'
import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { pinned } from './load.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** A node script that prints "listening <port>" once it serves. */
export async function startListeningScript (script, args, { cpu, nodeArgs = [] }) {
  const child = spawn(...split(pinned(cpu, [process.execPath, ...nodeArgs, script, ...args])), { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', chunk => {
      out += chunk
      const match = /listening (\d+)/.exec(out)
      if (match) resolve(Number(match[1]))
    })
    child.on('exit', code => reject(new Error(`${script} exited ${code} before listening`)))
  })
  child.stdout.resume()
  return { child, pid: child.pid, url: `http://127.0.0.1:${port}` }
}

/** Our proxy through its CLI (dist/cli.js), its log going to `logFile`. */
export async function startOurProxy ({ upstream, env, logFile, cpu, cwd, nodeArgs = [] }) {
  const port = await freePort()
  const out = openSync(logFile, 'a') // append mode: the bench may truncate it between cells
  const child = spawn(...split(pinned(cpu, [process.execPath, ...nodeArgs, `${ROOT}/dist/cli.js`])), {
    cwd,
    stdio: ['ignore', out, 'inherit'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BKEND_API_URL: upstream,
      BKEND_MCP_URL: `${upstream}/mcp`,
      BKEND_API_KEY: 'sk_bench_0123456789abcdef0123456789abcdef',
      BKEND_PROJECT_ID: 'bench-project',
      HOST: '127.0.0.1',
      PORT: String(port),
      INSPECTOR_PORT: '0', // the bench never opens the inspector; any free port, so runs can overlap
      ...env
    }
  })
  closeSync(out)
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the proxy exited ${child.exitCode} at start-up`)
    try {
      const response = await fetch(`${url}/__proxy/health`)
      await response.arrayBuffer()
      if (response.ok) return { child, pid: child.pid, url }
    } catch {}
    await sleep(50)
  }
  throw new Error('the proxy did not answer its health route within 10 s')
}

export async function stop ({ child }) {
  if (child.exitCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 8000)
  await exited
  clearTimeout(timer)
}

function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

function split (command) {
  return [command[0], command.slice(1)]
}
