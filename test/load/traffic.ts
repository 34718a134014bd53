// Load and probes: autocannon as a promise, a timed GET, and a health probe that runs
// in a process of its own.
import { spawn } from 'node:child_process'
import http from 'node:http'
import autocannon from 'autocannon'
import type { Teardown } from './helpers.js'

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
