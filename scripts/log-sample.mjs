#!/usr/bin/env node
// Writes docs/log-sample.md (and the sample region of README.md): what the log of a page load looks like, from a real run of
// the built CLI (dist/cli.js) against a fake upstream on loopback, in the default, compact
// and JSON formats. Colour is off; the clock, durations, ports and the upstream's address
// are normalised so the file only changes when the log does (test/log-sample.test.ts
// regenerates it and compares).
//   npm run log-sample            rewrite the file
//   npm run log-sample -- --check exit 1 if the file is not what a run produces now
import { spawn } from 'node:child_process'
import http from 'node:http'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const SAMPLE_FILE = join(ROOT, 'docs', 'log-sample.md')
export const README_FILE = join(ROOT, 'README.md')
const CLI = join(ROOT, 'dist', 'cli.js')
const PAGE = 'http://localhost:5173'
const KEY = 'sk_test_9aX2mQ7vR4tL8wE1nB6cY3uJ0kH5pZ4f'

/** A bkend look-alike: a list read, a sign-in refused for its token, an event stream. */
function startUpstream () {
  const server = http.createServer((req, res) => {
    res.sendDate = false
    req.resume()
    if (req.url === '/v1/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.write('event: post-created\ndata: {"id":"p_3"}\n\n')
      setTimeout(() => res.write('event: post-updated\ndata: {"id":"p_1"}\n\n'), 20)
      return
    }
    const [status, body] = req.url === '/v1/auth/email/signin'
      ? [401, { success: false, error: { code: 'auth/invalid-token-format', message: 'Invalid token format' } }]
      : [200, { success: true, data: { items: [{ id: 'p_1', title: 'Hello' }, { id: 'p_2', title: 'Second post' }], total: 2 } }]
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(body))
  })
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function startCli (env) {
  const cwd = mkdtempSync(join(tmpdir(), 'bkend-log-sample-'))
  const child = spawn(process.execPath, [CLI, '--port', '0'], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', chunk => { stdout += chunk })
  const exited = new Promise(resolve => child.once('close', resolve))
  const waitFor = async pattern => {
    const deadline = Date.now() + 10000
    while (!pattern.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`log-sample: no ${pattern} in\n${stdout}`)
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  }
  const stop = async () => {
    child.kill('SIGTERM')
    await exited
    rmSync(cwd, { recursive: true, force: true })
    return stdout
  }
  return { waitFor, stop, stdout: () => stdout }
}

/** One request on its own connection; with `events`, leaves once that many events arrived. */
function request (port, method, path, headers, { body, events } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: { host: `localhost:${port}`, ...headers } }, res => {
      let text = ''
      res.setEncoding('utf8').on('data', chunk => {
        text += chunk
        if (events !== undefined && text.split('\n\n').length > events) { req.destroy(); resolve(res.statusCode) }
      })
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', error => { if (events === undefined) reject(error) })
    req.end(body)
  })
}

/** The page load: two reads with their preflights, a failed sign-in, an event stream. */
async function pageLoad (cli, port) {
  const page = { origin: PAGE }
  let exchange = 0
  const step = async (...args) => {
    await request(port, ...args)
    exchange++
    await cli.waitFor(new RegExp(`#${exchange} (\\d{3}|\\S+ \\S+ \\d{3}|OPTIONS.*204)`))
  }
  await step('OPTIONS', '/v1/data/posts?limit=20', { ...page, 'access-control-request-method': 'GET', 'access-control-request-headers': 'content-type' })
  await step('GET', '/v1/data/posts?limit=20', { ...page, accept: 'application/json', 'content-type': 'application/json' })
  await step('OPTIONS', '/v1/auth/email/signin', { ...page, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' })
  const credentials = '{"email":"ada@example.com","password":"correct horse battery staple"}'
  await step('POST', '/v1/auth/email/signin', { ...page, accept: 'application/json', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(credentials)) }, { body: credentials })
  await request(port, 'GET', '/v1/events', { ...page, accept: 'text/event-stream', 'cache-control': 'no-cache' }, { events: 2 })
  await cli.waitFor(/#5 .*stream closed by the client|"id":5,.*"stream":"closed"/)
}

/** Runs the page load through the CLI in one log format and returns its exchange lines, normalised. */
async function logOf (format, upstreamPort) {
  const cli = startCli({ BKEND_API_URL: `http://127.0.0.1:${upstreamPort}`, BKEND_API_KEY: KEY, BKEND_PROJECT_ID: 'my-project', LOG_FORMAT: format })
  await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/)
  const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(cli.stdout())[1])
  await pageLoad(cli, port)
  const lines = (await cli.stop()).split('\n')
  const first = lines.findIndex(line => /#1 |"id":1,/.test(line))
  const last = lines.findIndex(line => /SIGTERM: shutting down/.test(line))
  return normalise(lines.slice(first, last).join('\n'), { port, upstreamPort })
}

// Times and durations by exchange number: the preflights, the list read, the sign-in, the
// stream (its open line, then its end 2.1 s later).
const TIMES = ['', '09:41:07.120', '09:41:07.161', '09:41:07.702', '09:41:07.748', '09:41:08.215', '09:41:10.319']
const DURATIONS = ['', '0.4 ms', '38.2 ms', '0.3 ms', '41.9 ms', '2.1 s']

function normalise (text, { port, upstreamPort }) {
  const timed = line => {
    const exchange = Number(/#(\d+) |"id":(\d+),/.exec(line)?.slice(1).find(Boolean) ?? 0)
    const ended = /stream (closed|ended|cut)/.test(line)
    return line
      .replace(/^\[\d\d:\d\d:\d\d\.\d{3}\]/, `[${TIMES[exchange + (ended ? 1 : 0)] ?? TIMES[1]}]`)
      .replace(/(?<!headers after )\b\d+\.\d m?s\b/g, DURATIONS[exchange] ?? '1.0 ms')
      .replace(/headers after \d+\.\d ms/, 'headers after 4.6 ms')
      .replace(/"durationMs":[\d.]+/g, `"durationMs":${parseFloat(DURATIONS[exchange] ?? '1')}`)
      .replace(/"time":"[^"]+"/g, `"time":"2025-06-02T${TIMES[exchange] ?? TIMES[1]}Z"`)
  }
  return text.split('\n').map(timed).join('\n')
    .replaceAll(`http://127.0.0.1:${upstreamPort}`, 'https://api-client.bkend.ai')
    .replaceAll(`127.0.0.1:${upstreamPort}`, 'api-client.bkend.ai')
    .replaceAll(`localhost:${port}`, 'localhost:8787')
}

export async function renderLogSample () {
  return sampleDocument(await runSamples())
}

/** The three formats of one page load, from real runs of the CLI. */
export async function runSamples () {
  const upstream = await startUpstream()
  try {
    const upstreamPort = upstream.address().port
    const pretty = await logOf('pretty', upstreamPort)
    const compact = await logOf('compact', upstreamPort)
    const json = (await logOf('json', upstreamPort)).split('\n').find(line => line.includes('"status":401'))
    return { pretty, compact, json }
  } finally {
    upstream.closeAllConnections()
    upstream.close()
  }
}

export function sampleDocument ({ pretty, compact, json }) {
  return [
    '# What the log looks like',
    '',
    '<!-- Generated by `npm run log-sample` (scripts/log-sample.mjs) from a real run of the CLI against a fake',
    'upstream; colour off, clock, durations and ports normalised, the upstream shown as the default API URL.',
    'Do not edit: test/log-sample.test.ts regenerates it and compares. -->',
    '',
    'A page load: two reads, each after its CORS preflight, a sign-in that fails, and an event stream the page closes.',
    '',
    '## Default format',
    '',
    '```text', pretty, '```',
    '',
    '## `LOG_FORMAT=compact`',
    '',
    '```text', compact, '```',
    '',
    '## `LOG_FORMAT=json` (the failed sign-in)',
    '',
    '```json', json, '```',
    ''
  ].join('\n')
}

const README_BEGIN = '<!-- log-sample:begin (generated by npm run log-sample; do not edit) -->'
const README_END = '<!-- log-sample:end -->'

/** The README's copy of the sample: the compact format (docs/log-sample.md has the default one too). */
export function readmeSection ({ compact }) {
  return [README_BEGIN, '```text', compact, '```', README_END].join('\n')
}

/** README.md with its sample region replaced by `section`. */
export function withReadmeSection (readme, section) {
  const begin = readme.indexOf(README_BEGIN)
  const end = readme.indexOf(README_END)
  if (begin < 0 || end < begin) throw new Error('README.md has no log-sample region')
  return readme.slice(0, begin) + section + readme.slice(end + README_END.length)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const samples = await runSamples()
  const files = [
    [SAMPLE_FILE, sampleDocument(samples)],
    [README_FILE, withReadmeSection(readFileSync(README_FILE, 'utf8'), readmeSection(samples))]
  ]
  for (const [file, text] of files) {
    if (process.argv.includes('--check')) {
      if (readFileSync(file, 'utf8') !== text) {
        process.stderr.write(`${file} is out of date: run npm run log-sample\n`)
        process.exitCode = 1
      }
    } else {
      writeFileSync(file, text)
      process.stdout.write(`wrote ${file}\n`)
    }
  }
}
