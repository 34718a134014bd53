// What a reload from a vanished or shrunk file (mid-save, `rm .env` by mistake) would take away.
import { listedEnvironments, profilesOf } from './profiles.js'
import type { Config } from './settings.js'
import { redactSecret } from '../redact/redact.js'

export function isShrunk (before: string | undefined, after: string | undefined): boolean {
  return before !== undefined && (after === undefined || Buffer.byteLength(after) < Buffer.byteLength(before))
}

/** "was deleted", "was emptied", "shrank from 412 to 60 bytes". */
export function shrinkOf (before: string, after: string | undefined): string {
  if (after === undefined) return 'was deleted'
  if (after.trim() === '') return 'was emptied'
  return `shrank from ${Buffer.byteLength(before)} to ${Buffer.byteLength(after)} bytes`
}

/** What `next` takes away from `running`: a key gone or cut short, an upstream URL changed. */
export function lostSettings (running: Config, next: Config): string[] {
  const before = profilesOf(running)
  const after = profilesOf(next)
  const lost: string[] = []
  const listed = listedEnvironments(running)
  const label = (name: string, field: string): string => listed.length === 1 ? field : `${name}.${field}`
  for (const name of listed) {
    const key = before[name].apiKey
    const nextKey = after[name].apiKey
    if (key !== '' && nextKey !== key && key.startsWith(nextKey)) lost.push(`${nextKey === '' ? 'drop' : 'cut short'} ${label(name, 'apiKey')} (${redactSecret(key)})`)
    if (after[name].apiUrl !== before[name].apiUrl) lost.push(`change ${label(name, 'apiUrl')} ${before[name].apiUrl} → ${after[name].apiUrl}`)
  }
  if (next.environment !== running.environment) lost.push(`switch from ${running.environment} to ${next.environment}`)
  if (next.mcpUrl !== running.mcpUrl) lost.push(`change mcpUrl ${running.mcpUrl} → ${next.mcpUrl}`)
  return lost
}
