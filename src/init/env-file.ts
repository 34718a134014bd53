// The .env file init writes: its text, and writing it without clobbering an existing one.
import { writeFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { SETTINGS } from '../config/settings.js'
import { InitError } from './init-error.js'
import { chooseAuthScheme, describeScheme, type AuthSchemeSetting } from '../config/auth-scheme.js'

export interface InitValues {
  apiKey: string
  /** Written only when it is not auto (from BKEND_AUTH_SCHEME). */
  authScheme: AuthSchemeSetting
  projectId: string
  environment: string
}

const LINES: Array<[keyof InitValues, string]> = [
  ['apiKey', SETTINGS.apiKey.env],
  ['authScheme', SETTINGS.authScheme.env],
  ['projectId', SETTINGS.projectId.env],
  ['environment', SETTINGS.environment.env]
]

/**
 * Plain NAME=value lines, the one form that both the proxy's .env reader and
 * `docker run --env-file` read the same way (Docker keeps quotes as part of the value).
 */
export function renderEnvFile (values: InitValues): string {
  const lines = LINES.filter(([key]) => key !== 'authScheme' || values.authScheme !== 'auto')
  const text = [
    '# bkend-dev-proxy settings, written by `bkend-dev-proxy init`. Holds your API key: keep it out of git.',
    '# Every other setting (PORT, BKEND_API_URL, CORS_ORIGINS, ...) is listed by `bkend-dev-proxy --help`.',
    `# The key goes upstream as ${describeScheme(chooseAuthScheme(values.apiKey, values.authScheme))}; BKEND_AUTH_SCHEME=api-key or bearer chooses otherwise.`,
    ...lines.map(([key, name]) => `${name}=${values[key]}`)
  ].join('\n') + '\n'
  // A value with `#`, quotes or surrounding spaces would read back as something else.
  const readBack = parseEnv(text)
  for (const [key, name] of lines) {
    if (readBack[name] !== values[key]) {
      const shown = key === 'apiKey' ? 'the key' : JSON.stringify(values[key])
      throw new InitError(`init: ${name}: ${shown} cannot be written as a plain NAME=value line (it holds #, quotes or surrounding spaces)\n  fix: check the value, or write .env by hand`, 2)
    }
  }
  return text
}

/** Creates the file (readable by its owner only); an existing one is replaced only with `force`. */
export function writeEnvFile (path: string, text: string, force: boolean): void {
  try {
    writeFileSync(path, text, { flag: force ? 'w' : 'wx', mode: 0o600 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw existingEnvFile(path)
    throw new InitError(`init: cannot write ${path} (${(error as Error).message})\n  fix: run init in a directory you can write to`, 1)
  }
}

export function existingEnvFile (path: string): InitError {
  return new InitError(`init: ${path} already exists; it was left as it is\n  fix: edit it, or run bkend-dev-proxy init --force to replace it`, 1)
}
