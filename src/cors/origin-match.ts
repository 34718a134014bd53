// Matching is on parsed scheme, host and port, never on substrings, so
// http://localhost:3000.evil.example cannot pass for http://localhost:3000.

interface OriginRule { protocol: string, hostname: string, port: string | '*' }

export type OriginMatcher = (origin: string) => boolean

// A page sends the same few origins all day; bounded, so made-up origins cannot grow it.
const CACHE_LIMIT = 256

export function createOriginMatcher (patterns: readonly string[]): OriginMatcher {
  const rules = patterns.map(toRule)
  const verdicts = new Map<string, boolean>()
  const decide = (origin: string): boolean => {
    const parsed = parseOrigin(origin)
    if (parsed === undefined) return false
    return rules.some(rule => rule.protocol === parsed.protocol &&
      rule.hostname === parsed.hostname &&
      (rule.port === '*' || rule.port === parsed.port))
  }
  return origin => {
    let verdict = verdicts.get(origin)
    if (verdict === undefined) {
      verdict = decide(origin)
      if (verdicts.size >= CACHE_LIMIT) verdicts.clear()
      verdicts.set(origin, verdict)
    }
    return verdict
  }
}

function toRule (pattern: string): OriginRule {
  const anyPort = pattern.endsWith(':*')
  const url = new URL(anyPort ? pattern.slice(0, -2) : pattern)
  return { protocol: url.protocol, hostname: url.hostname, port: anyPort ? '*' : effectivePort(url) }
}

function parseOrigin (origin: string): { protocol: string, hostname: string, port: string } | undefined {
  // "null" (sandboxed iframes, file://) and anything with a path is not a real origin.
  if (!/^https?:\/\/[^/?#@\s]+$/i.test(origin)) return undefined
  try {
    const url = new URL(origin)
    return { protocol: url.protocol, hostname: url.hostname, port: effectivePort(url) }
  } catch {
    return undefined
  }
}

function effectivePort (url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80')
}

/** Rebuilt when a reload brings another CORS_ORIGINS list. */
export function liveOriginMatcher (currentOrigins: () => readonly string[]): OriginMatcher {
  let origins = currentOrigins()
  let matcher = createOriginMatcher(origins)
  return origin => {
    const now = currentOrigins()
    if (now !== origins) matcher = createOriginMatcher(origins = now)
    return matcher(origin)
  }
}
