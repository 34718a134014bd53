// Fetching through the proxy when only the answer's body matters: as text, or as the
// proxy's JSON error with its status.

export interface ErrorBody { success: boolean, error: { code: string, message: string } }

export async function getJson (url: URL): Promise<{ status: number, body: ErrorBody, text: string }> {
  const res = await fetch(url)
  const text = await res.text()
  return { status: res.status, body: JSON.parse(text) as ErrorBody, text }
}

export async function fetchText (url: URL | string, init: RequestInit = {}): Promise<string> {
  return (await fetch(url, init)).text()
}
