// The "Connection Issues" steps: the API URL's shape, its name in DNS, its TLS certificate.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { isLoopbackName } from '../guard/host-check.js'
import { isTlsErrorCode, rootErrorCode } from '../forward/upstream-failure.js'
import { httpGet } from './http-get.js'
import { SETTINGS } from '../config/settings.js'
import { fail, pass, type DoctorContext, type StepResult } from './step.js'

const DEFAULT_API_URL = SETTINGS.apiUrl.default

/**
 * Pure: https, and /v1 in every request path (bkend's "Check URL"): the settings parser
 * refuses /v1 in the URL already, and bkend's own host takes only API_PREFIX=/v1.
 */
export function checkApiUrl (apiUrl: string, apiPrefix: string = '/v1'): StepResult {
  const url = new URL(apiUrl)
  if (apiPrefix !== '/v1' && /(^|\.)bkend\.ai$/i.test(url.hostname)) {
    return fail('api-url', `API_PREFIX is ${apiPrefix}, so requests reach ${url.host} without /v1 (bkend's paths are /v1/...)`, 'API_PREFIX=/v1 (the default)')
  }
  if (url.protocol === 'https:') return pass('api-url', `${apiUrl} uses https and has no /v1 (the proxy adds the request's own /v1)`)
  if (isLoopbackName(url.hostname.toLowerCase())) return pass('api-url', `${apiUrl} is plain http on a local address (fine for a local server; bkend itself is https)`)
  return fail('api-url', `${apiUrl} uses plain http`, `BKEND_API_URL=https://${url.host}${url.pathname === '/' ? '' : url.pathname} (bkend answers only over https; the default is ${DEFAULT_API_URL})`)
}

export async function checkDns (context: DoctorContext): Promise<StepResult> {
  const name = new URL(context.config.apiUrl).hostname.replace(/^\[|\]$/g, '')
  if (isIP(name) !== 0) return pass('dns', `${name} is an IP address; nothing to resolve`)
  try {
    const address = await withTimeout(lookup(name), context.stepTimeoutMs)
    return pass('dns', `${name} resolves to ${address.address}`)
  } catch (error) {
    const { code } = rootErrorCode(error)
    return fail('dns', `${name} does not resolve (${code || (error as Error).message})`, `check the host name in BKEND_API_URL (default ${DEFAULT_API_URL}), then your network, VPN or DNS settings`)
  }
}

// What each certificate failure usually means for a developer's machine.
const TLS_EXPLANATIONS: Array<[RegExp, string, string]> = [
  [/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/, 'the server presents a self-signed certificate, which is not trusted', 'if you trust it (a local test server, or a corporate proxy that re-signs traffic), add its CA certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem'],
  [/^(UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/, 'the certificate was signed by a CA this machine does not know (often a corporate proxy that inspects TLS)', 'add that CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem'],
  [/^CERT_HAS_EXPIRED$/, 'the server certificate has expired', 'check the machine\'s clock; if it is right, the server\'s certificate needs renewing'],
  [/^CERT_NOT_YET_VALID$/, 'the server certificate is not valid yet', 'check the machine\'s clock and time zone'],
  [/^ERR_TLS_CERT_ALTNAME_INVALID$/, 'the certificate is for another host name', 'check the host in BKEND_API_URL (a typo, or an IP address instead of the name)']
]

/** Pure: a TLS error code → what went wrong and the fix. */
export function explainTlsError (code: string, host: string): { detail: string, fix: string } {
  for (const [pattern, detail, fix] of TLS_EXPLANATIONS) {
    if (pattern.test(code)) return { detail: `TLS with ${host} failed (${code}): ${detail}`, fix }
  }
  return { detail: `TLS with ${host} failed (${code})`, fix: 'check that BKEND_API_URL points at an https server; a corporate proxy\'s CA goes in NODE_EXTRA_CA_CERTS' }
}

export async function checkTls (context: DoctorContext): Promise<StepResult> {
  const url = new URL(context.config.apiUrl)
  if (url.protocol === 'http:') return pass('tls', `${url.host} is plain http: no TLS handshake to check`)
  const outcome = await httpGet(context.dispatcher, url.origin + '/', {}, context.stepTimeoutMs, { readBody: false })
  if (outcome.kind === 'answer') return pass('tls', `${url.host} presented a trusted certificate`)
  const { code, message } = rootErrorCode(outcome.error)
  if (isTlsErrorCode(code)) {
    const { detail, fix } = explainTlsError(code, url.host)
    return fail('tls', detail, fix)
  }
  return fail('tls', `could not connect to ${url.host} (${code || message})`, connectionFix(code))
}

export function connectionFix (code: string): string {
  if (code === 'ECONNREFUSED') return 'nothing listens at that address and port: check BKEND_API_URL'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve: check BKEND_API_URL and your network'
  if (/TIMEOUT|ETIMEDOUT/.test(code)) return 'no answer in time: check your network, VPN or firewall (UPSTREAM_TIMEOUT_MS sets the per-step budget, at most 5 s)'
  return 'check BKEND_API_URL and your network'
}

function withTimeout<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
