// One view of the request target for every decision: the router decodes percent-escapes
// before it matches, so a guard comparing the raw target (/%761/data/posts) would miss a
// path routed to /v1. Runs once per request as Fastify's rewriteUrl.
// Only escapes of unreserved characters are decoded (RFC 3986 §6.2.2.2); what is still not
// canonical (dot segments, a fragment, an absolute-form target for another server) is
// refused, not repaired. Absolute-form for our own Host must be accepted (RFC 9112 §3.2.2).
import type { IncomingMessage } from 'node:http'

export type CanonicalTarget = { url: string } | { refusal: string }

// Targets without an escape, fragment, backslash or dot segment (almost all) skip the work.
const SUSPECT = /[%#\\]|\/\.\.?(?:[/?]|$)/
const ESCAPE = /%([0-9A-Fa-f]{2})/g
const ABSOLUTE_FORM = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is

/** The origin-form target every decision reads, or why the target is refused. */
export function canonicalTarget (target: string, host: string | undefined): CanonicalTarget {
  if (target.charCodeAt(0) === 47 && !SUSPECT.test(target)) return { url: target }
  let originForm = target
  if (target.charCodeAt(0) !== 47) {
    const absolute = ABSOLUTE_FORM.exec(target)
    if (absolute === null) return { url: target } // `*` or authority-form
    const [, scheme, authority, rest] = absolute as unknown as [string, string, string, string]
    if (scheme.toLowerCase() !== 'http' || host === undefined || authority.toLowerCase() !== host.toLowerCase()) {
      return { refusal: `an absolute-form target names another scheme or server than this proxy (http://${host ?? '?'}); send the path only, e.g. /v1/data/posts` }
    }
    originForm = rest.startsWith('/') ? rest : '/' + rest
  }
  const queryStart = originForm.indexOf('?')
  const rawPath = queryStart < 0 ? originForm : originForm.slice(0, queryStart)
  if (rawPath.includes('#')) return { refusal: 'a request target cannot carry a fragment (#…)' }
  const path = rawPath.includes('%') ? rawPath.replace(ESCAPE, decodeUnreserved) : rawPath
  // A backslash counts as a separator here: WHATWG URL parsers (undici's among them) read it as one.
  if (path.split(/[/\\]/).some(segment => segment === '.' || segment === '..')) {
    return { refusal: 'the path has a dot segment ("." or ".."), perhaps percent-encoded; send the path it stands for' }
  }
  return { url: queryStart < 0 ? path : path + originForm.slice(queryStart) }
}

/** A target as the log notes show it: no query (it may carry a key), no userinfo. */
export function shownTarget (target: string): string {
  const path = target.split('?', 1)[0]!
  return path.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1…@')
}

function decodeUnreserved (escape: string, hex: string): string {
  const code = parseInt(hex, 16)
  const unreserved = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) ||
    code === 0x2d || code === 0x2e || code === 0x5f || code === 0x7e
  return unreserved ? String.fromCharCode(code) : escape
}

// Why a request's target was refused, for the guard to answer (rewriteUrl cannot reply).
const refusedTargets = new WeakMap<IncomingMessage, string>()

/** Fastify's rewriteUrl: the canonical target; a refused one stays as sent and is marked. */
export function canonicalRequestUrl (request: IncomingMessage): string {
  const target = request.url ?? '/'
  const verdict = canonicalTarget(target, request.headers.host)
  if ('url' in verdict) return verdict.url
  refusedTargets.set(request, verdict.refusal)
  return target
}

/** Why this request's target is not canonical, when it is not. */
export function nonCanonicalTargetOf (request: IncomingMessage): string | undefined {
  return refusedTargets.get(request)
}
