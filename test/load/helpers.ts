// Shared pieces of the load suite: the proxy as a real child process (so RSS and fds
// are its own), a loopback upstream that counts its connections, /proc readings,
// autocannon as a promise, and a machine-wide lock so the load files never overlap.
import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { CLI } from '../helpers/cli.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

// tap runs test files in parallel (one per core). Two load files at once on a 2-core
// machine would measure each other, so each file holds this lock for its whole run.
const LOCK_DIR = join(tmpdir(), 'bkend-dev-proxy-load-suite.lock')

function processAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function holdLoadLock (t: Teardown, timeoutMs = 480_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      mkdirSync(LOCK_DIR)
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let owner = 0
      try { owner = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8')) } catch { owner = 0 }
      // An owner that died without its teardown leaves the directory behind.
      if (owner > 0 && !processAlive(owner)) rmSync(LOCK_DIR, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`the load-suite lock ${LOCK_DIR} was held for ${timeoutMs} ms`)
      await sleep(200)
    }
  }
  t.teardown(() => rmSync(LOCK_DIR, { recursive: true, force: true }))
}

/** VmRSS of a process, in bytes. */
export function rssBytes (pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(match[1]) * 1024
}

/** Open file descriptors of a process. */
export function fdCount (pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`

export function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

export interface Sample { atMs: number, rss: number, fds: number }

/** Reads RSS and fds of `pid` every `intervalMs` until stopped. */
export function sampleProcess (pid: number, intervalMs = 1000): { samples: Sample[], stop: () => Sample[] } {
  const startedAt = Date.now()
  const samples: Sample[] = []
  const take = (): void => {
    try {
      samples.push({ atMs: Date.now() - startedAt, rss: rssBytes(pid), fds: fdCount(pid) })
    } catch {
      // the process is gone; the test's own assertions say why
    }
  }
  take()
  const timer = setInterval(take, intervalMs)
  return { samples, stop: () => { clearInterval(timer); take(); return samples } }
}

export interface RssGrowth { atWarmUp: number, atEnd: number, peak: number, growth: number, allowed: number }

/**
 * Memory growth after warm-up: the median RSS of the last `windowMs` of the run against the
 * median of the `windowMs` after warm-up, allowed max(20 MB, 10 %). Medians, because under
 * load RSS saws up and down by tens of MB with each major GC: a single sample at warm-up
 * against the highest later one measures where the sawtooth happened to be, not growth.
 */
export function rssGrowth (samples: Sample[], warmUpMs: number, endMs: number, windowMs = 10_000): RssGrowth {
  const median = (from: number, to: number): number => {
    const values = samples.filter(sample => sample.atMs >= from && sample.atMs <= to).map(sample => sample.rss)
    return percentile(values, 50)
  }
  const atWarmUp = median(warmUpMs, warmUpMs + windowMs)
  const atEnd = median(endMs - windowMs, endMs)
  const peak = Math.max(...samples.filter(sample => sample.atMs >= warmUpMs && sample.atMs <= endMs).map(sample => sample.rss))
  return { atWarmUp, atEnd, peak, growth: atEnd - atWarmUp, allowed: Math.max(20 * 1024 * 1024, atWarmUp * 0.1) }
}

export type UpstreamHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void

export interface LoadUpstream {
  url: string
  port: number
  /** TCP connections accepted since start (across restarts). */
  accepted: number
  /** Requests received since start. */
  requests: number
  /** Sockets open right now. */
  open: () => number
  /** Most sockets open at the same time. */
  maxOpen: number
  /** Destroys every socket and stops listening, as a crashed process would. */
  kill: () => Promise<void>
  /** Listens again on the same port. */
  restart: () => Promise<void>
}

/** A loopback HTTP upstream that counts accepted, open and peak connections. */
export async function startLoadUpstream (t: Teardown, handler: UpstreamHandler, options: { keepAliveTimeoutMs?: number } = {}): Promise<LoadUpstream> {
  const sockets = new Set<Socket>()
  let server: http.Server | undefined
  const upstream = { accepted: 0, requests: 0, maxOpen: 0, open: () => sockets.size } as LoadUpstream
  const listen = async (port: number): Promise<void> => {
    const created = http.createServer((req, res) => { upstream.requests++; handler(req, res) })
    // Long enough that the proxy's pooled sockets are still open when a test looks at them.
    created.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5000
    created.on('connection', (socket: Socket) => {
      upstream.accepted++
      sockets.add(socket)
      upstream.maxOpen = Math.max(upstream.maxOpen, sockets.size)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject)
      created.listen(port, '127.0.0.1', () => { created.off('error', reject); resolve() })
    })
    server = created
  }
  await listen(0)
  upstream.port = (server!.address() as AddressInfo).port
  upstream.url = `http://127.0.0.1:${upstream.port}`
  upstream.kill = async () => {
    const current = server
    server = undefined
    if (!current) return
    const closed = new Promise<void>(resolve => current.close(() => resolve()))
    for (const socket of sockets) socket.destroy()
    await closed
  }
  upstream.restart = () => listen(upstream.port)
  t.teardown(() => upstream.kill())
  return upstream
}

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

/** autocannon's result, as far as these tests read it. */
export interface LoadResult {
  errors: number
  timeouts: number
  non2xx: number
  '2xx': number
  resets: number
  requests: { total: number, sent: number, average: number }
  latency: { p50: number, p99: number, max: number }
  statusCodeStats: Record<string, { count: number }>
}

export interface ResponseSeen { status: number, endedAt: number, ms: number }

/** Runs autocannon; `onResponse` sees every response with the time it ended. */
export function runAutocannon (options: Record<string, unknown>, onResponse?: (seen: ResponseSeen) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error: Error | null, result: LoadResult) => {
      if (error) reject(error)
      else resolve(result)
    })
    if (onResponse) {
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        onResponse({ status, endedAt: Date.now(), ms })
      })
    }
  })
}

/** Polls until `check` holds or the time is up; returns whether it held. */
export async function waitUntil (check: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return true
    await sleep(stepMs)
  }
  return check()
}

/** A GET over its own short-lived connection, with its latency. */
export function timedGet (url: string, timeoutMs = 5000): Promise<{ status: number, body: string, ms: number }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, res => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)))
    req.on('error', reject)
  })
}

export interface HealthCheck { at: number, ms: number, status: number }

// Runs in its own process: the test process is busy generating load and serving as the
// upstream, and its event-loop lag must not count as the proxy's latency.
const HEALTH_PROBE = `
const http = require('node:http')
const [url, intervalMs, durationMs] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])]
const end = Date.now() + durationMs
const checks = []
const check = () => new Promise(resolve => {
  const at = Date.now()
  const started = performance.now()
  const done = status => { checks.push({ at, ms: performance.now() - started, status }); resolve() }
  const req = http.get(url, { agent: false, timeout: 5000 }, res => { res.resume(); res.on('end', () => done(res.statusCode)) })
  req.on('timeout', () => req.destroy(new Error('timeout')))
  req.on('error', () => done(0))
})
;(async () => {
  while (Date.now() < end) {
    const at = Date.now()
    await check()
    await new Promise(resolve => setTimeout(resolve, Math.max(0, at + intervalMs - Date.now())))
  }
  process.stdout.write(JSON.stringify(checks))
})()
`

/** GETs `url` every `intervalMs` for `durationMs` from a separate process; resolves with every check. */
export function probeFromAnotherProcess (t: Teardown, url: string, intervalMs: number, durationMs: number): Promise<HealthCheck[]> {
  const child = spawn(process.execPath, ['-e', HEALTH_PROBE, url, String(intervalMs), String(durationMs)], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  return new Promise((resolve, reject) => child.once('close', code => {
    if (code === 0) resolve(JSON.parse(out) as HealthCheck[])
    else reject(new Error(`the probe process exited with ${code}`))
  }))
}

/** The JSON body of GET /__proxy/health. */
export async function health (proxyUrl: string): Promise<{ status: number, droppedLogLines: number }> {
  const res = await timedGet(`${proxyUrl}/__proxy/health`)
  const body = JSON.parse(res.body) as { droppedLogLines: number }
  return { status: res.status, droppedLogLines: body.droppedLogLines }
}

/** The 100-byte JSON answer of the soak upstream, kept alive. */
export const pingReply: UpstreamHandler = (_req, res) => {
  const body = JSON.stringify({ ok: true, pad: 'x'.repeat(80) })
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
