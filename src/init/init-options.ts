// The command line of `bkend-dev-proxy init`: its own few flags and its help text.
// The key has no flag on purpose: a flag would show in `ps` and in shell history.
import { parseArgs } from 'node:util'
import { SETTINGS } from '../config/settings.js'
import { InitError } from './init-error.js'

export interface InitOptions {
  projectId?: string
  environment?: string
  force: boolean
  help: boolean
}

const PROJECT_FLAG = SETTINGS.projectId.flag
const ENVIRONMENT_FLAG = SETTINGS.environment.flag

export function parseInitOptions (argv: string[]): InitOptions {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      options: {
        [PROJECT_FLAG]: { type: 'string' },
        [ENVIRONMENT_FLAG]: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    const message = (error as Error).message.split('. ')[0]
    throw new InitError(`init: ${message}\n  fix: see bkend-dev-proxy init --help`, 2)
  }
  return {
    projectId: values[PROJECT_FLAG] as string | undefined,
    environment: values[ENVIRONMENT_FLAG] as string | undefined,
    force: values.force === true,
    help: values.help === true
  }
}

export function initUsage (): string {
  return [
    `Usage: bkend-dev-proxy init [--${PROJECT_FLAG} <id>] [--${ENVIRONMENT_FLAG} dev|staging|prod] [--force]`,
    '',
    'Writes a .env in the current directory with BKEND_API_KEY, BKEND_PROJECT_ID and BKEND_ENVIRONMENT,',
    'the settings the proxy reads from there at start-up.',
    '',
    `  The key comes from ${SETTINGS.apiKey.env} in the environment (never a flag: it would show in ps);`,
    `  the project and environment from the flags or ${SETTINGS.projectId.env} and ${SETTINGS.environment.env}.`,
    '  In a terminal, whatever is not given is asked for; the key is read without echo.',
    '  An existing .env is kept unless --force is given. A .gitignore here gets a .env line if it lacks one.',
    '  The key is never printed, only its fingerprint (e.g. sk_test_••••9f2c (40 chars)).'
  ].join('\n')
}
