// The check every fault test ends with: the proxy survived and still serves its health route.

interface Asserts {
  equal: (found: unknown, wanted: unknown, message: string) => unknown
}

export async function assertProxyHealthy (t: Asserts, proxyUrl: string): Promise<void> {
  const res = await fetch(new URL('/__proxy/health', proxyUrl))
  const body = await res.json() as { status?: string }
  t.equal(res.status, 200, 'health still answers 200 after the fault')
  t.equal(body.status, 'ok', 'health reports ok')
}
