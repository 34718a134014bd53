// `bkend-dev-proxy doctor` as a child process (the built dist/cli.js) with a fresh working
// directory, and bkend as the doctor sees it, for the doctor's test files.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bkendReply, FIXTURES, startFakeApi, type FakeHandler, closedPortUrl } from './fake-upstream.js'
import { builtCli } from './cli.js'

// The original scheme's format (Authorization: Bearer, X-Project-Id, X-Environment).
export const KEY = 'ak_' + '0123456789abcdef'.repeat(4)
// Today's: X-API-Key, and the key carries project and environment.
export const PK = 'pk_' + 'fedcba9876543210'.repeat(4)
const TRUST_FIXTURE = { NODE_EXTRA_CA_CERTS: FIXTURES + 'localhost-cert.pem' }

export interface Step { step: string, status: 'pass' | 'fail' | 'skip', detail: string, fix?: string }
export interface Report { ok: boolean, steps: Step[] }
export interface DoctorRun { code: number, stdout: string, stderr: string }
interface Tap { teardown: (fn: () => unknown) => void }

export async function runDoctor (t: Tap, args: string[], env: Record<string, string>): Promise<DoctorRun> {
  // A fresh working directory, so no .env of the developer's leaks in.
  const cwd = mkdtempSync(join(tmpdir(), 'doctor-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  // The proxy step asks PORT: a closed one unless the test runs a proxy, never a fixed port.
  if (env.PORT === undefined) env = { ...env, PORT: new URL(await closedPortUrl()).port }
  return await new Promise(resolve => {
    execFile(process.execPath, [builtCli(), 'doctor', ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stdout, stderr })
    })
  })
}

export async function runDoctorJson (t: Tap, args: string[], env: Record<string, string>): Promise<{ code: number, report: Report, status: Record<string, string> }> {
  const run = await runDoctor(t, [...args, '--json'], env)
  const report = JSON.parse(run.stdout) as Report
  return { code: run.code, report, status: Object.fromEntries(report.steps.map(step => [step.step, step.status])) }
}

export function stepOf (report: Report, name: string): Step {
  return report.steps.find(step => step.step === name)!
}

export const PROTECTED_RESOURCE = { resource: 'https://api.bkend.ai/mcp', authorization_servers: ['https://api.bkend.ai/mcp'] }
export const AUTHORIZATION_SERVER = {
  issuer: 'https://api.bkend.ai/mcp',
  authorization_endpoint: 'https://api.bkend.ai/mcp/oauth/authorize',
  token_endpoint: 'https://api.bkend.ai/mcp/oauth/token',
  registration_endpoint: 'https://api.bkend.ai/mcp/oauth/register',
  code_challenge_methods_supported: ['S256']
}

/** bkend as the doctor sees it: the probe read, an OAuth-protected MCP endpoint and its discovery documents. */
export function healthyBkend (probe: FakeHandler = bkendReply(200, { success: true, data: { items: [] } })): FakeHandler {
  return (req, res, body) => {
    if (req.url === '/.well-known/oauth-protected-resource') return bkendReply(200, PROTECTED_RESOURCE)(req, res, body)
    if (req.url === '/.well-known/oauth-authorization-server') return bkendReply(200, AUTHORIZATION_SERVER)(req, res, body)
    if (req.url?.startsWith('/mcp')) {
      res.writeHead(401, { 'www-authenticate': 'Bearer resource_metadata="https://api.bkend.ai/.well-known/oauth-protected-resource"' })
      res.end()
      return
    }
    probe(req, res, body)
  }
}

export async function bkendEnv (t: Tap, handler: FakeHandler = healthyBkend()): Promise<{ env: Record<string, string>, api: Awaited<ReturnType<typeof startFakeApi>> }> {
  const api = await startFakeApi(t, { tls: 'localhost', handler })
  return { api, env: { ...TRUST_FIXTURE, BKEND_API_URL: api.url, BKEND_MCP_URL: `${api.url}/mcp`, BKEND_API_KEY: KEY, BKEND_PROJECT_ID: 'p1' } }
}
