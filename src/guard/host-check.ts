// Pure: is a Host header one we answer? Loopback names always; ALLOWED_HOSTS entries
// at any port. Refusing other names stops DNS-rebinding pages from spending the key.

export type HostVerdict = 'allowed' | 'refused' | 'malformed'

const HOST_SYNTAX = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/i

/** Host name without port, lower-cased, trailing dot removed; undefined when malformed. */
export function parseHostName (host: string): string | undefined {
  const match = HOST_SYNTAX.exec(host)
  if (!match) return undefined
  if (match[2] !== undefined && Number(match[2]) > 65535) return undefined
  return match[1]!.toLowerCase().replace(/\.$/, '')
}

export function isLoopbackName (name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost') || name === '[::1]') return true
  const octets = name.split('.')
  return octets.length === 4 && octets[0] === '127' && octets.every(octet => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)
}

/** The Host names the proxy answers, as the banner and the health route show them. */
export function answeredHostNames (allowedHosts: readonly string[]): string[] {
  return ['localhost', '*.localhost', '127.0.0.0/8', '[::1]', ...allowedHosts]
}

export function checkHost (host: string | undefined, allowedHosts: readonly string[]): HostVerdict {
  if (host === undefined || host === '') return 'malformed'
  const name = parseHostName(host)
  if (name === undefined) return 'malformed'
  if (isLoopbackName(name)) return 'allowed'
  return allowedHosts.some(allowed => allowed === name || (allowed.startsWith('*.') && name.endsWith(allowed.slice(1)))) ? 'allowed' : 'refused'
}

/** checkHost with its verdicts remembered (a proxy hears the same few Hosts all day); bounded. */
export function hostChecker (allowedHosts: readonly string[]): (host: string | undefined) => HostVerdict {
  const verdicts = new Map<string, HostVerdict>()
  return host => {
    if (host === undefined) return checkHost(host, allowedHosts)
    let verdict = verdicts.get(host)
    if (verdict === undefined) {
      if (verdicts.size >= 64) verdicts.clear()
      verdicts.set(host, verdict = checkHost(host, allowedHosts))
    }
    return verdict
  }
}
