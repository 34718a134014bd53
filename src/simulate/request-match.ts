// Pure: whether a request is one a mock's or fault's "match" names. Paths are globs (`*`
// any characters but `/`, `**` any at all); the query must carry the listed parameters
// with these values, in any order and among others; the body must contain a text.
import type { RequestMatch } from '../config/simulation-match.js'

export interface RequestFacts {
  method: string
  /** Path and query as the client sent them. */
  url: string
}

const globs = new Map<string, RegExp>()

/** Everything but the body; `needsBody` says whether the body decides the rest. */
export function matchesHead (match: RequestMatch, request: RequestFacts): boolean {
  // HEAD is answered like GET by the upstream, so a GET mock answers it too.
  if (match.method !== undefined && match.method !== request.method && !(match.method === 'GET' && request.method === 'HEAD')) return false
  const queryAt = request.url.indexOf('?')
  const path = queryAt < 0 ? request.url : request.url.slice(0, queryAt)
  if (match.path !== undefined && !globOf(match.path).test(path)) return false
  if (match.query !== undefined) {
    const query = new URLSearchParams(queryAt < 0 ? '' : request.url.slice(queryAt + 1))
    for (const [name, value] of Object.entries(match.query)) {
      if (!query.getAll(name).includes(value)) return false
    }
  }
  return true
}

export function needsBody (match: RequestMatch): boolean {
  return match.bodyContains !== undefined
}

export function matchesBody (match: RequestMatch, body: string | undefined): boolean {
  return match.bodyContains === undefined || (body !== undefined && body.includes(match.bodyContains))
}

function globOf (pattern: string): RegExp {
  let glob = globs.get(pattern)
  if (glob === undefined) {
    const source = pattern.split(/(\*\*|\*)/).map(part => part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('')
    glob = new RegExp(`^${source}$`)
    if (globs.size > 1000) globs.clear()
    globs.set(pattern, glob)
  }
  return glob
}
