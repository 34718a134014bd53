// Paths of the inspector: everything under /__proxy/ but the health route.
export const INSPECTOR_PREFIX = '/__proxy'
const HEALTH_PATH = '/__proxy/health'

export function isInspectorPath (url: string): boolean {
  if (url.charCodeAt(1) !== 95 || !url.startsWith(INSPECTOR_PREFIX)) return false
  const rest = url.charCodeAt(INSPECTOR_PREFIX.length)
  if (!Number.isNaN(rest) && rest !== 47 && rest !== 63) return false // "/__proxyfoo" is not ours
  return !(url.startsWith(HEALTH_PATH) && (url.length === HEALTH_PATH.length || url[HEALTH_PATH.length] === '?'))
}
