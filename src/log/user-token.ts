// Pure: a user's token (Authorization: Bearer <JWT>) as the log shows it: a fingerprint and the
// claims that help debugging, decoded but NOT verified (the proxy has no key to check them with).
// The token itself and its signature never appear in what this returns.
import { redactSecret } from '../redact/redact.js'

export interface UserToken {
  /** "JWT sha256:3f9a1c02 (812 chars)": tells tokens apart without showing any of them. */
  fingerprint: string
  sub?: string
  role?: string
  group?: string
  iat?: number
  exp?: number
  issued?: string
  expiry?: string
  /** Always false: the signature is not checked. */
  verified: false
}

// A claim from the wire is shown, so it is kept short.
const MAX_CLAIM_CHARS = 80
const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/

export function userTokenOf (authorization: string | undefined, atMs: number): UserToken | undefined {
  const token = /^bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1]
  if (token === undefined || !JWT.test(token)) return undefined
  const payload = decodedPayload(token.split('.')[1]!)
  if (payload === undefined) return undefined
  const view: UserToken = { fingerprint: redactSecret(token), verified: false }
  const sub = claimText(payload.sub)
  if (sub !== undefined) view.sub = sub
  const role = claimText(payload.role ?? payload.roles)
  if (role !== undefined) view.role = role
  const group = claimText(payload.group ?? payload.groups)
  if (group !== undefined) view.group = group
  if (isTime(payload.iat)) {
    view.iat = payload.iat
    view.issued = `issued ${relativeTime(payload.iat, atMs)}`
  }
  if (isTime(payload.exp)) {
    view.exp = payload.exp
    view.expiry = expiryPhrase(payload.exp, atMs)
  }
  return view
}

/** "sub u_123, role admin, issued 18 min ago, expires in 42 min (claims not verified)". */
export function describeUserToken (token: UserToken): string {
  const parts = [
    token.sub === undefined ? undefined : `sub ${token.sub}`,
    token.role === undefined ? undefined : `role ${token.role}`,
    token.group === undefined ? undefined : `group ${token.group}`,
    token.issued,
    token.expiry ?? 'no expiry claim'
  ].filter(part => part !== undefined)
  return `${parts.join(', ')} (claims not verified)`
}

export function expiryPhrase (expS: number, atMs: number): string {
  return expS * 1000 > atMs ? `expires in ${duration(expS * 1000 - atMs)}` : `expired ${duration(atMs - expS * 1000)} ago`
}

function relativeTime (thenS: number, atMs: number): string {
  const ms = thenS * 1000 - atMs
  return ms > 0 ? `in ${duration(ms)}` : `${duration(-ms)} ago`
}

/** "45 s", "42 min", "5 h", "3 days": whole units, rounded down. */
function duration (ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 120) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`
}

function decodedPayload (segment: string): Record<string, unknown> | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

function claimText (value: unknown): string | undefined {
  const text = Array.isArray(value) ? value.filter(item => typeof item === 'string' || typeof item === 'number').join(',') : value
  if (typeof text === 'number') return String(text)
  if (typeof text !== 'string' || text === '') return undefined
  return text.length > MAX_CLAIM_CHARS ? `${text.slice(0, MAX_CLAIM_CHARS)}…` : text
}

function isTime (value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
}
