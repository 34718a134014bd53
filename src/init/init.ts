// `bkend-dev-proxy init`: writes a .env with the key, project and environment for the next
// `bkend-dev-proxy` started in this directory.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { redactSecret } from '../redact/redact.js'
import { chooseAuthScheme, describeScheme } from '../config/auth-scheme.js'
import { secretKeyWarning } from '../config/key-warnings.js'
import { isEnvironmentName } from '../config/profile-table.js'
import { existingEnvFile, renderEnvFile, writeEnvFile, type InitValues } from './env-file.js'
import { ensureEnvIgnored, type GitignoreOutcome } from './gitignore.js'
import { InitError } from './init-error.js'
import { initUsage, parseInitOptions } from './init-options.js'
import { collectInitValues } from './init-values.js'
import type { Terminal } from './terminal-prompt.js'

// Where the package keeps them: init runs in the app's directory, not the proxy's.
const SHIPPED_EXAMPLES = {
  env: fileURLToPath(new URL('../../.env.example', import.meta.url)),
  config: fileURLToPath(new URL('../../config/example.json', import.meta.url))
}

export interface InitIo extends Terminal {
  argv: string[]
  env: Record<string, string | undefined>
  cwd: string
  errors: NodeJS.WritableStream
}

/** Runs the command and returns its exit code: 0 written, 1 refused, 2 bad input, 130 cancelled. */
export async function runInit (io: InitIo): Promise<number> {
  try {
    const options = parseInitOptions(io.argv)
    if (options.help) {
      io.output.write(initUsage() + '\n')
      return 0
    }
    const path = join(io.cwd, '.env')
    // Before any question, so nobody types a key only to be told the file exists.
    if (!options.force && existsSync(path)) throw existingEnvFile(path)
    const values = await collectInitValues(options, io.env, io)
    writeEnvFile(path, renderEnvFile(values), options.force)
    const gitignore = ensureEnvIgnored(io.cwd)
    io.output.write(summary(path, values, gitignore, commandName(io.env)) + '\n')
    return 0
  } catch (error) {
    if (!(error instanceof InitError)) throw error
    io.errors.write(error.message + '\n')
    return error.exitCode
  }
}

// Under `npx` the command is not on PATH, so the next step is spelled the way it was run.
function commandName (env: Record<string, string | undefined>): string {
  return env.npm_command === 'exec' ? 'npx bkend-dev-proxy' : 'bkend-dev-proxy'
}

function summary (path: string, values: InitValues, gitignore: GitignoreOutcome, command: string): string {
  const scheme = chooseAuthScheme(values.apiKey, values.authScheme)
  const noProject = scheme.scheme === 'api-key' ? '(not needed: the key carries its project)' : '(none: requests go without X-Project-Id)'
  const lines = [
    `wrote ${path}`,
    `  BKEND_API_KEY      ${redactSecret(values.apiKey)}, sent as ${describeScheme(scheme, values.authScheme === 'auto' ? undefined : 'BKEND_AUTH_SCHEME')}`,
    `  BKEND_PROJECT_ID   ${values.projectId === '' ? noProject : values.projectId}`,
    `  BKEND_ENVIRONMENT  ${values.environment}`
  ]
  const secret = isEnvironmentName(values.environment) ? secretKeyWarning(values.environment, values) : undefined
  if (secret !== undefined) lines.push(`warning: ${secret}`)
  if (gitignore === 'added') lines.push('added .env to .gitignore')
  if (gitignore === 'no-gitignore') lines.push('no .gitignore here: keep .env out of version control')
  lines.push(
    '',
    `next: ${command} doctor    checks the key, project and environment against the API`,
    `      ${command}           starts the proxy on http://127.0.0.1:8787`,
    '',
    'more settings, shipped with the proxy:',
    `  ${SHIPPED_EXAMPLES.env}  every setting .env may hold (a key per environment, PROD_READ_ONLY, WATCH, INSPECTOR_PORT, LOG_FORMAT, ...)`,
    `  ${SHIPPED_EXAMPLES.config}  a --config file: profiles (environments), extra headers and headerPolicy`
  )
  return lines.join('\n')
}
