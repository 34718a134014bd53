// RFC 9110 §7.6.1: connection-specific fields never cross a proxy, in either direction.
// Alt-Svc and Proxy-Authenticate describe the upstream's own connection, not ours.

export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'alt-svc', 'http2-settings'
])

/** The fixed list plus every name the response's Connection lists (reply-from drops those on the request side). */
export function hopByHopNames (connection: string | string[] | undefined): ReadonlySet<string> {
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return HOP_BY_HOP
  const names = new Set(HOP_BY_HOP)
  for (const value of Array.isArray(connection) ? connection : [connection]) {
    for (const name of value.split(',')) {
      const trimmed = name.trim().toLowerCase()
      if (trimmed) names.add(trimmed)
    }
  }
  return names
}
