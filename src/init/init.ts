// `bkend-dev-proxy init`: writes a .env in the current directory with the key, project and
// environment, so that the next `bkend-dev-proxy` started there finds them. This room owns
// that file and the .gitignore line for it. It reads no process state itself (cli.ts passes
// argv, the environment and the streams in) and never prints the key, only its fingerprint.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
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
    `      ${command}           starts the proxy on http://127.0.0.1:8787`
  )
  return lines.join('\n')
}
