#!/usr/bin/env node
// The command line: flags, help, exit codes. The only reader of argv and process.exit.
import { parseArgs } from 'node:util'
import { SETTINGS, SETTING_KEYS, settingOf, type SettingKey } from './config/settings.js'
import { ConfigError, loadConfig } from './config/load-config.js'
import { closestName } from './config/did-you-mean.js'
import { createLogger } from './log/logger.js'
import { buildApp } from './app.js'
import { bannerFacts, bannerText, bannerTitle } from './lifecycle/banner.js'
import { installShutdown } from './lifecycle/shutdown.js'
import { listenFailureMessage } from './lifecycle/listen-failure.js'
import { VERSION } from './config/version.js'
import { formatDoctorReport, runDoctor } from './doctor/doctor.js'
import { stepsToSkip } from './doctor/skip.js'
import { runInit } from './init/init.js'
import { inContainer, logColour } from './config/surroundings.js'
import { createLiveConfig } from './config/live-config.js'
import { withEnvironment } from './config/profiles.js'
import { watchConfig } from './config/watch-config.js'
import { resolve } from 'node:path'

const FLAG_KEYS = SETTING_KEYS.filter(key => settingOf(key).flag !== undefined)

function usage (): string {
  const rows = FLAG_KEYS.map(key => {
    const setting = settingOf(key)
    // A switch that is on by default is shown by the form that changes it.
    const flag = setting.boolean ? `--${setting.default === true ? 'no-' : ''}${setting.flag}` : `--${setting.flag} <value>`
    return `  ${flag.padEnd(30)} ${setting.env?.padEnd(20) ?? ''.padEnd(20)} ${setting.help} (default ${JSON.stringify(setting.default)})`
  })
  return [
    `bkend-dev-proxy ${VERSION}: a local proxy for the bkend API that answers CORS, injects the key`,
    '(X-API-Key for pk_/sk_ keys, or Authorization: Bearer with X-Project-Id and X-Environment; see',
    'BKEND_AUTH_SCHEME), and logs each exchange like curl -v.',
    '',
    'Usage: bkend-dev-proxy [flags]',
    '       bkend-dev-proxy doctor [--origin <url>] [--all-environments] [--skip <step,...>] [--json] [flags]   check the setup step by step',
    '       bkend-dev-proxy init [--project-id <id>] [--environment <env>] [--force]   write .env here (key from BKEND_API_KEY, or asked)',
    '',
    `  ${'flag'.padEnd(30)} ${'variable'.padEnd(20)} meaning`,
    ...rows,
    `  ${'--config <file>'.padEnd(30)} ${''.padEnd(20)} JSON config file (keys: ${SETTING_KEYS.join(', ')})`,
    `  ${'-h, --help'.padEnd(30)} ${''.padEnd(20)} this text`,
    `  ${'-v, --version'.padEnd(30)} ${''.padEnd(20)} the version`,
    '',
    `The API key is read from ${SETTINGS.apiKey.env} (or .env, or the config file), never from a flag.`,
    'Sources, strongest first: flags, environment, .env in the working directory, --config file, config/default.json.',
    'The log is coloured on a terminal; NO_COLOR=1 turns colour off, FORCE_COLOR=1 turns it on for a pipe.',
    '',
    'doctor checks the configuration, the API URL, DNS, TLS, an authenticated read (--probe-path), CORS for',
    '--origin, the environment and the MCP endpoint; it prints one line per step (--json: one JSON document)',
    'and exits 0 only when every step passed. --all-environments checks the key, project and environment of every',
    'configured profile (dev, staging, prod) and says which key works where. --skip mcp (comma-separated or',
    'repeated step names) leaves steps out, e.g. offline; a step skipped so does not fail the doctor. The proxy step',
    'asks HOST:PORT/__proxy/health whether the proxy runs, and with the same settings.',
    '',
    'Profiles: BKEND_API_KEY_DEV, _STAGING, _PROD (and BKEND_AUTH_SCHEME_*, BKEND_PROJECT_ID_*, BKEND_API_URL_*) or "environments" in the',
    'config file; each falls back to the unsuffixed setting. Switch without a restart, on the inspector\'s port (INSPECTOR_PORT),',
    'or by setting BKEND_ENVIRONMENT in .env (applied on save; the only way with INSPECTOR=false):',
    `  curl -X POST http://localhost:8788/__proxy/api/environment -H 'content-type: application/json' -d '{"environment": "staging"}'`
  ].join('\n')
}

type FlagOptions = Record<string, { type: 'string' | 'boolean', short?: string, multiple?: boolean }>

function parseFlags (argv: string[], extra: FlagOptions = {}): { flags: Partial<Record<SettingKey, string | boolean>>, configFile?: string, help: boolean, version: boolean, extra: Record<string, string | string[] | boolean | undefined> } {
  const options: FlagOptions = {
    ...extra,
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' }
  }
  for (const key of FLAG_KEYS) {
    const setting = settingOf(key)
    options[setting.flag!] = { type: setting.boolean ? 'boolean' : 'string' }
    if (setting.boolean) options[`no-${setting.flag!}`] = { type: 'boolean' } // --no-inspector
  }
  let values: Record<string, string | string[] | boolean | undefined>
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as typeof values
  } catch (error) {
    const message = (error as Error).message.split('. ')[0]
    throw new ConfigError(`bkend-dev-proxy: ${message}\n  fix: ${unknownOptionFix(error, Object.keys(options))}`)
  }
  const flags: Partial<Record<SettingKey, string | boolean>> = {}
  for (const key of FLAG_KEYS) {
    const value = values[settingOf(key).flag!] as string | boolean | undefined
    if (value !== undefined) flags[key] = value
    if (values[`no-${settingOf(key).flag!}`] === true) flags[key] = false
  }
  const extraValues = Object.fromEntries(Object.keys(extra).map(name => [name, values[name]]))
  return { flags, configFile: values.config as string | undefined, help: values.help === true, version: values.version === true, extra: extraValues }
}

const FLAGLESS_KEYS = SETTING_KEYS.filter(key => settingOf(key).flag === undefined)

/** For a mistyped option, the flag it most likely meant, or where a setting without a flag is set instead. */
function unknownOptionFix (error: unknown, optionNames: string[]): string {
  const help = 'see bkend-dev-proxy --help for the flags'
  const typed = /^Unknown option '--?([^'=]+)'/.exec((error as Error).message)?.[1]
  const guess = typed === undefined ? undefined : closestName(typed, [...optionNames, ...FLAGLESS_KEYS])
  if (guess === undefined) return help
  if (!(FLAGLESS_KEYS as string[]).includes(guess)) return `did you mean --${guess}? ${help}`
  if (guess === 'apiKey') return `the API key is never a flag (it would show in ps): set ${SETTINGS.apiKey.env} in the environment or .env`
  return `${guess} is not a flag: set "${guess}" in a --config file`
}

// Exit codes: 0 every step passed, 1 a step failed, 2 the command line is wrong.
async function doctorMain (argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseFlags>
  let skip: ReturnType<typeof stepsToSkip>
  try {
    parsed = parseFlags(argv, { origin: { type: 'string' }, json: { type: 'boolean' }, 'all-environments': { type: 'boolean' }, skip: { type: 'string', multiple: true } })
    skip = stepsToSkip((parsed.extra.skip as string[] | undefined) ?? [])
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(error.message + '\n')
    process.exitCode = 2
    return
  }
  if (parsed.help) { process.stdout.write(usage() + '\n'); return }
  const report = await runDoctor({
    loadConfig: () => loadConfig({ flags: parsed.flags, configFile: parsed.configFile }),
    origin: parsed.extra.origin as string | undefined,
    allEnvironments: parsed.extra['all-environments'] === true,
    skip
  })
  process.stdout.write((parsed.extra.json === true ? JSON.stringify(report, null, 2) : formatDoctorReport(report)) + '\n')
  process.exitCode = report.ok ? 0 : 1
}

async function main (argv: string[]): Promise<void> {
  if (argv[0] === 'doctor') return doctorMain(argv.slice(1))
  if (argv[0] === 'init') { process.exitCode = await runInit({ argv: argv.slice(1), env: process.env, cwd: process.cwd(), input: process.stdin, output: process.stdout, errors: process.stderr }); return }
  let parsed: ReturnType<typeof parseFlags>
  let loaded: ReturnType<typeof loadConfig>
  try {
    parsed = parseFlags(argv)
    if (parsed.help) { process.stdout.write(usage() + '\n'); return }
    if (parsed.version) { process.stdout.write(VERSION + '\n'); return }
    loaded = loadConfig({ flags: parsed.flags, configFile: parsed.configFile })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(error.message + '\n')
    process.exitCode = 2
    return
  }

  const { config, origin } = loaded
  const colour = config.logFormat !== 'json' && logColour(process.stdout.isTTY === true)
  const { logger, exchangeWriter, flush, droppedLines } = createLogger(config, { colorize: colour })
  const exit = (code: number): void => { void flush().then(() => process.exit(code)) }
  // The stack goes into the message: the text formats print messages, not error objects.
  const stackOf = (error: unknown): string => (error instanceof Error ? error.stack : undefined) ?? String(error)
  let stopOnBug = (what: string, error: unknown): void => {
    logger.error(`${what} while starting: ${stackOf(error)}`)
    exit(1)
  }
  process.on('uncaughtException', error => stopOnBug('uncaught exception', error))
  process.on('unhandledRejection', error => stopOnBug('unhandled rejection', error))

  const load = (): ReturnType<typeof loadConfig> => loadConfig({ flags: parsed.flags, configFile: parsed.configFile })
  const live = createLiveConfig(config)
  live.subscribe((next, previous) => { if (next.logLevel !== previous.logLevel) logger.level = next.logLevel })
  // Replay re-reads .env and the config file (WATCH=false included), in the environment active now.
  const rereadConfig = (): typeof config => withEnvironment(load().config, live.running().environment)
  // The banner and the reload lines show at every level but silent: they confirm a start and a save.
  const notices = logger.child({}, { level: config.logLevel === 'silent' ? 'silent' : 'info' })
  // Watching starts before the banner shows, so an edit made as soon as it does is seen.
  const files = [resolve('.env'), ...(parsed.configFile === undefined ? [] : [resolve(parsed.configFile)])]
  const watcher = config.watch ? watchConfig({ files, load, live, logger: notices, environment: config.environment }) : undefined
  const app = await buildApp(config, { logger, exchangeWriter, droppedLogLines: droppedLines, rereadConfig, liveConfig: live, logColour: colour })
  app.addHook('onClose', async () => { watcher?.close() })
  const stop = installShutdown(app, { graceMs: config.shutdownGraceMs, logger, exit })
  stopOnBug = (what, error) => {
    logger.error(`${what}: the proxy stops once open requests finish (a bug in the proxy; please report it with this stack): ${stackOf(error)}`)
    stop(what, 1)
  }
  // The inspector's port first, where it is bound where the proxy binds (HOST).
  const inspecting = app.inspectorApp !== null
  const listening = [
    ...(app.inspectorApp === null ? [] : [{ server: app.inspectorApp, port: config.inspectorPort, variable: 'INSPECTOR_PORT', from: origin.inspectorPort, otherPort: config.port, otherVariable: 'PORT' }]),
    { server: app, port: config.port, variable: 'PORT', from: origin.port, otherPort: inspecting ? config.inspectorPort : null, otherVariable: 'INSPECTOR_PORT' }
  ]
  for (const { server, ...attempt } of listening) {
    try {
      await server.listen({ port: attempt.port, host: config.host })
    } catch (error) {
      process.stderr.write(listenFailureMessage({ ...attempt, host: config.host, hostFrom: origin.host }, error as NodeJS.ErrnoException) + '\n')
      process.exitCode = 1
      await app.close()
      await flush()
      return
    }
  }
  const portOf = (server: { server: { address: () => unknown } }, fallback: number): number => {
    const address = server.server.address() as { port?: number } | null
    return typeof address === 'object' && address?.port !== undefined ? address.port : fallback
  }
  const port = portOf(app, config.port)
  const inspectorPort = app.inspectorApp === null ? null : portOf(app.inspectorApp, config.inspectorPort)
  const facts = bannerFacts(config, origin, port, { inContainer: inContainer() }, inspectorPort)
  if (config.logFormat === 'json') notices.info({ banner: facts }, bannerTitle(facts))
  else notices.info(bannerText(facts))
  for (const notice of facts.notices) notices.info(notice)
  for (const warning of facts.warnings) logger.warn(warning)
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bkend-dev-proxy: unexpected failure at start-up: ${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
