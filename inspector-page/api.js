// The page's only way to the proxy: its own API, same origin.

export const API = '/__proxy/api'

export function filterQuery (filters) {
  const query = new URLSearchParams()
  if (filters.status) query.set('status', filters.status)
  if (filters.method) query.set('method', filters.method)
  if (filters.environment) query.set('environment', filters.environment)
  if (filters.q) query.set('q', filters.q)
  if (filters.failed) query.set('failed', 'true')
  if (filters.stream) query.set('stream', 'true')
  return query
}

async function json (response) {
  const body = response.status === 204 ? null : await response.json()
  if (!response.ok) throw Object.assign(new Error(body?.error?.message ?? `HTTP ${response.status}`), { code: body?.error?.code })
  return body
}

export async function listExchanges (filters, limit) {
  const query = filterQuery(filters)
  query.set('limit', String(limit))
  return json(await fetch(`${API}/exchanges?${query}`))
}

export async function exchangeDetail (id) {
  return json(await fetch(`${API}/exchanges/${encodeURIComponent(id)}`))
}

// confirm: the proxy asks for it before sending a refresh token again.
export async function replay (id, confirm = false) {
  return json(await fetch(`${API}/exchanges/${encodeURIComponent(id)}/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(confirm ? { confirm: true } : {})
  }))
}

export async function clearExchanges () {
  // Every request that changes something is JSON, so no form or beacon elsewhere can send one.
  return json(await fetch(`${API}/exchanges`, { method: 'DELETE', headers: { 'content-type': 'application/json' } }))
}

export function eventsUrl (filters) {
  return `${API}/events?${filterQuery(filters)}`
}

export function harUrl (filters) {
  const query = filterQuery(filters)
  const text = query.toString()
  return `${API}/har${text ? `?${text}` : ''}`
}
