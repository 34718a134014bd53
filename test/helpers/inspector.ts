// The inspector's API from a test's side: JSON calls, an SSE reader, and a HAR 1.2
// structure check (the fields and types the spec requires, as DevTools reads them).

export interface SseEvent { event: string, data: string }

export interface SseReader {
  events: SseEvent[]
  /** Resolves with the first event (seen or to come) that passes `match`. */
  next: (match: (event: SseEvent) => boolean, timeoutMs?: number) => Promise<SseEvent>
  close: () => void
}

interface Teardown { teardown: (fn: () => unknown) => void }

export async function openSse (t: Teardown, url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const controller = new AbortController()
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal })
  if (response.status !== 200) throw new Error(`SSE ${url} answered ${response.status}`)
  const events: SseEvent[] = []
  const waiters = new Set<() => void>()
  void (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event !== undefined && data !== undefined) events.push({ event, data })
          for (const wake of waiters) wake()
        }
      }
    } catch { /* aborted */ }
  })()
  const close = (): void => controller.abort()
  t.teardown(close)
  return {
    events,
    close,
    next: (match, timeoutMs = 5000) => new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = events.find(match)
        if (found === undefined) return false
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found)
        return true
      }
      const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no matching SSE event within ${timeoutMs} ms; saw ${JSON.stringify(events)}`)) }, timeoutMs)
      if (!check()) waiters.add(check)
    })
  }
}

/** Problems with a HAR document against HAR 1.2's required structure; empty when valid. */
export function harProblems (doc: unknown): string[] {
  const problems: string[] = []
  const need = (ok: boolean, what: string): void => { if (!ok) problems.push(what) }
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)
  const nameValues = (value: unknown, where: string): void => {
    need(Array.isArray(value), `${where} is an array`)
    if (Array.isArray(value)) value.forEach((item, i) => need(isObject(item) && typeof item.name === 'string' && typeof item.value === 'string', `${where}[${i}] has string name and value`))
  }
  if (!isObject(doc) || !isObject(doc.log)) return ['log is an object']
  const log = doc.log
  need(log.version === '1.2', 'log.version is "1.2"')
  need(isObject(log.creator) && typeof log.creator.name === 'string' && typeof log.creator.version === 'string', 'log.creator has name and version')
  need(Array.isArray(log.entries), 'log.entries is an array')
  for (const [i, entry] of (Array.isArray(log.entries) ? log.entries : []).entries()) {
    const at = `entries[${i}]`
    if (!isObject(entry)) { problems.push(`${at} is an object`); continue }
    need(typeof entry.startedDateTime === 'string' && !Number.isNaN(Date.parse(entry.startedDateTime)) && /T.*(Z|[+-]\d\d:\d\d)$/.test(entry.startedDateTime), `${at}.startedDateTime is ISO 8601 with a zone`)
    need(typeof entry.time === 'number' && entry.time >= 0, `${at}.time is a number >= 0`)
    need(isObject(entry.cache), `${at}.cache is an object`)
    const request = entry.request
    if (!isObject(request)) { problems.push(`${at}.request is an object`); continue }
    need(typeof request.method === 'string' && typeof request.url === 'string' && typeof request.httpVersion === 'string', `${at}.request has method, url, httpVersion`)
    need(typeof request.url === 'string' && URL.canParse(request.url), `${at}.request.url is absolute`)
    nameValues(request.cookies, `${at}.request.cookies`)
    nameValues(request.headers, `${at}.request.headers`)
    nameValues(request.queryString, `${at}.request.queryString`)
    need(typeof request.headersSize === 'number' && typeof request.bodySize === 'number', `${at}.request has headersSize and bodySize`)
    if (request.postData !== undefined) need(isObject(request.postData) && typeof request.postData.mimeType === 'string' && typeof request.postData.text === 'string', `${at}.request.postData has mimeType and text`)
    const response = entry.response
    if (!isObject(response)) { problems.push(`${at}.response is an object`); continue }
    need(typeof response.status === 'number' && typeof response.statusText === 'string' && typeof response.httpVersion === 'string', `${at}.response has status, statusText, httpVersion`)
    nameValues(response.cookies, `${at}.response.cookies`)
    nameValues(response.headers, `${at}.response.headers`)
    need(isObject(response.content) && typeof response.content.size === 'number' && typeof response.content.mimeType === 'string', `${at}.response.content has size and mimeType`)
    need(typeof response.redirectURL === 'string' && typeof response.headersSize === 'number' && typeof response.bodySize === 'number', `${at}.response has redirectURL, headersSize, bodySize`)
    const timings = entry.timings
    if (!isObject(timings)) { problems.push(`${at}.timings is an object`); continue }
    for (const name of ['send', 'wait', 'receive']) need(typeof timings[name] === 'number' && (timings[name] as number) >= 0, `${at}.timings.${name} is a number >= 0`)
    for (const name of ['blocked', 'dns', 'connect', 'ssl']) need(timings[name] === undefined || (typeof timings[name] === 'number' && ((timings[name] as number) >= 0 || timings[name] === -1)), `${at}.timings.${name} is -1 or >= 0`)
    for (const name of Object.keys(entry)) need(['startedDateTime', 'time', 'request', 'response', 'cache', 'timings', 'pageref', 'serverIPAddress', 'connection', 'comment'].includes(name) || name.startsWith('_'), `${at}.${name} is a HAR field or starts with _`)
  }
  return problems
}
