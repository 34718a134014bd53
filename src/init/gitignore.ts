// Keeps the key out of git: a .gitignore in the directory gets a .env line if it lacks one.
// Without a .gitignore nothing is created: the directory may not be a repository at all.
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type GitignoreOutcome = 'added' | 'already-ignored' | 'no-gitignore'

// Lines that ignore a .env in the same directory as the .gitignore.
const IGNORING_LINES = new Set(['.env', '/.env', '.env*', '/.env*', '*.env', '**/.env'])

export function ensureEnvIgnored (dir: string): GitignoreOutcome {
  const path = join(dir, '.gitignore')
  if (!existsSync(path)) return 'no-gitignore'
  const text = readFileSync(path, 'utf8')
  const lines = text.split(/\r?\n/).map(line => line.trim())
  if (lines.some(line => IGNORING_LINES.has(line))) return 'already-ignored'
  const separator = text === '' || text.endsWith('\n') ? '' : '\n'
  appendFileSync(path, `${separator}.env\n`)
  return 'added'
}
