// The environment switch from a test's side, in one place, so a test that switches
// follows the switch wherever it is served.

/** POST {"environment": ...} to the proxy's switch; resolves with the response. */
export function switchEnvironment (proxy: { url: string }, environment: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('/__proxy/api/environment', proxy.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ environment })
  })
}

/** GET the switch's state: the active environment and the configured ones. */
export async function environmentState (proxy: { url: string }): Promise<{ environment: string, environments: Array<{ environment: string, active: boolean, authScheme: string }> }> {
  return await (await fetch(new URL('/__proxy/api/environment', proxy.url))).json() as Awaited<ReturnType<typeof environmentState>>
}
