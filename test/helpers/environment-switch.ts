// The environment switch from a test's side, in one place, so a test that switches
// follows the switch wherever it is served.

/** POST {"environment": ...} to the switch on the inspector's port; resolves with the response. */
export function switchEnvironment (proxy: { inspectorUrl: string }, environment: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ environment })
  })
}

/** GET the switch's state: the active environment and the configured ones. */
export async function environmentState (proxy: { inspectorUrl: string }): Promise<{ environment: string, environments: Array<{ environment: string, active: boolean, authScheme: string }> }> {
  return await (await fetch(new URL('/__proxy/api/environment', proxy.inspectorUrl))).json() as Awaited<ReturnType<typeof environmentState>>
}
