// Where init's three values come from: flags, then the environment (as for the proxy
// itself), then, on a terminal, a question. Each value passes the setting's own check.
import { SETTINGS, settingOf, type SettingKey } from '../config/settings.js'
import { SettingError } from '../config/parse-values.js'
import { redactSecret } from '../redact/redact.js'
import type { InitValues } from './env-file.js'
import { InitError } from './init-error.js'
import type { InitOptions } from './init-options.js'
import { askHidden, askVisible, type Terminal } from './terminal-prompt.js'
import { chooseAuthScheme, type AuthSchemeSetting } from '../config/auth-scheme.js'

interface Given { raw: string, from: string, fix: (example: string) => string }

type Env = Record<string, string | undefined>

function given (key: SettingKey, flagValue: string | undefined, env: Env): Given | undefined {
  const setting = settingOf(key)
  if (flagValue !== undefined) return { raw: flagValue, from: `--${setting.flag}`, fix: example => `--${setting.flag} ${example}` }
  const fromEnv = setting.env === undefined ? undefined : env[setting.env]
  if (fromEnv !== undefined && fromEnv !== '') return { raw: fromEnv, from: setting.env!, fix: example => `${setting.env}=${example}` }
  return undefined
}

/** The setting's parsed value, or the message that says what is wrong (the key shown as a fingerprint). */
function check (key: SettingKey, raw: string): { value: string } | { problem: SettingError } {
  try {
    return { value: String(settingOf(key).parse(raw)) }
  } catch (error) {
    if (error instanceof SettingError) return { problem: error }
    throw error
  }
}

function checkGiven (key: SettingKey, source: Given): string {
  const result = check(key, source.raw)
  if ('value' in result) return result.value
  const setting = settingOf(key)
  const shown = JSON.stringify(setting.secret ? redactSecret(source.raw) : source.raw)
  const fix = result.problem.advice ? result.problem.fix : source.fix(result.problem.fix || setting.example)
  throw new InitError(`init: ${setting.env} ${shown} (from ${source.from}) ${result.problem.message}\n  fix: ${fix}`, 2)
}

async function askUntilValid (terminal: Terminal, key: SettingKey, ask: () => Promise<string>): Promise<string> {
  for (;;) {
    const result = check(key, await ask())
    if ('value' in result && !(key === 'apiKey' && result.value === '')) return result.value
    const reason = 'problem' in result ? result.problem.message : 'is needed: paste the key from the bkend console'
    terminal.output.write(`  ${settingOf(key).env} ${reason}\n`)
  }
}

export async function collectInitValues (options: InitOptions, env: Env, terminal: Terminal): Promise<InitValues> {
  const interactive = terminal.input.isTTY === true
  const key = given('apiKey', undefined, env)
  const project = given('projectId', options.projectId, env)
  const environment = given('environment', options.environment, env)

  let apiKey: string
  if (key !== undefined) apiKey = checkGiven('apiKey', key)
  else if (interactive) apiKey = await askUntilValid(terminal, 'apiKey', () => askHidden(terminal, 'API key (pk_... publishable, from the bkend console under API Keys; not shown as you type): '))
  else throw new InitError(`init: no API key: ${SETTINGS.apiKey.env} is not set, and there is no terminal to ask on\n  fix: ${SETTINGS.apiKey.env}=pk_... bkend-dev-proxy init, or run init in a terminal`, 2)

  const scheme = given('authScheme', undefined, env)
  const authScheme = (scheme === undefined ? SETTINGS.authScheme.default : checkGiven('authScheme', scheme)) as AuthSchemeSetting
  // A pk_/sk_ key carries its project: nothing to ask.
  const projectNeeded = chooseAuthScheme(apiKey, authScheme).scheme === 'bearer'

  let projectId = ''
  if (project !== undefined) projectId = checkGiven('projectId', project)
  else if (interactive && projectNeeded) projectId = await askUntilValid(terminal, 'projectId', () => askVisible(terminal, 'Project id (X-Project-Id; Enter for none): ', ''))

  let environmentName: string = SETTINGS.environment.default
  if (environment !== undefined) environmentName = checkGiven('environment', environment)
  else if (interactive) environmentName = await askUntilValid(terminal, 'environment', () => askVisible(terminal, `Environment (dev, staging or prod) [${SETTINGS.environment.default}]: `, SETTINGS.environment.default))

  return { apiKey, authScheme, projectId, environment: environmentName }
}
