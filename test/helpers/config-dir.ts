// A working directory with the given files, and the message of the ConfigError a load throws.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../../src/config/load-config.js'

export function workdir (files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'bkend-config-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

export function failure (fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  throw new Error('expected a ConfigError')
}
