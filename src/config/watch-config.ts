// Live reload: when .env or the --config file changes on disk, every source is read again,
// validated, and the result applied to requests that start afterwards, with one log line
// naming what changed. A bad edit keeps the running configuration and logs the message a
// bad start-up prints, fix included. WATCH=false (--no-watch) turns this off.
//
// The directories are watched, not the files: editors save by writing a new file and
// renaming it over the old one, which ends a watch on the file itself. Events are
// debounced, and a reload happens only when a watched file's content has changed.
import { watch, readFileSync, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { Logger } from 'pino'
import { ConfigError, type LoadedConfig } from './load-config.js'
import type { LiveConfig } from './live-config.js'
import { configChanges, reloadLine } from './config-changes.js'
import { withEnvironment } from './profiles.js'
import { activeProfileWarnings, prodNotice } from './environment-warnings.js'

export interface WatchOptions {
  /** Absolute paths: .env in the working directory, the --config file. */
  files: string[]
  /** Reads every source again, as at start-up; throws ConfigError for a bad value. */
  load: () => LoadedConfig
  live: LiveConfig
  logger: Logger
  /** The environment the sources named at start-up (a switch since then is kept over reloads that leave it alone). */
  environment: string
  debounceMs?: number
}

export interface ConfigWatcher { close: () => void }

export function watchConfig (options: WatchOptions): ConfigWatcher {
  const { live, logger } = options
  const debounceMs = options.debounceMs ?? 100
  const names = new Map(options.files.map(file => [file, basename(file)]))
  const seen = new Map(options.files.map(file => [file, contentOf(file)]))
  let sourcesEnvironment = options.environment
  let timer: NodeJS.Timeout | undefined
  let recheckedVanished = false

  const schedule = (): void => {
    clearTimeout(timer)
    timer = setTimeout(check, debounceMs)
  }

  function check (): void {
    const changed = options.files.filter(file => contentOf(file) !== seen.get(file))
    if (changed.length === 0) return
    // A file that is gone may be mid-save (some editors delete, then write): look once more.
    if (!recheckedVanished && changed.some(file => contentOf(file) === undefined && seen.get(file) !== undefined)) {
      recheckedVanished = true
      schedule()
      return
    }
    recheckedVanished = false
    for (const file of changed) seen.set(file, contentOf(file))
    reload(changed.map(file => names.get(file)!).join(' and '))
  }

  function reload (what: string): void {
    let loaded: LoadedConfig
    try {
      loaded = options.load()
    } catch (error) {
      if (!(error instanceof ConfigError)) {
        logger.error({ err: error }, `config: reloading after ${what} changed failed; the running configuration stays`)
        return
      }
      logger.error(`${error.message}\n  (${what} changed on disk, but this value is not valid: the proxy keeps running with the configuration it had; fix the value and save again)`)
      return
    }
    const running = live.current()
    // An environment switched since start-up stays, unless the edit itself names another.
    const sourcesMoved = loaded.config.environment !== sourcesEnvironment
    sourcesEnvironment = loaded.config.environment
    const next = sourcesMoved ? loaded.config : withEnvironment(loaded.config, running.environment)
    const changes = configChanges(running, next)
    logger.info(reloadLine(what, changes) ?? `config: ${what} changed on disk; no setting changed`)
    if (changes.applied.length === 0) return
    live.replace(changes.config)
    const notice = running.environment === changes.config.environment ? undefined : prodNotice(changes.config)
    for (const warning of [...(notice === undefined ? [] : [notice]), ...activeProfileWarnings(running, changes.config)]) logger.warn(warning)
  }

  const watchers: FSWatcher[] = []
  for (const directory of new Set(options.files.map(file => dirname(file)))) {
    const wanted = new Set(options.files.filter(file => dirname(file) === directory).map(file => basename(file)))
    try {
      const watcher = watch(directory, { persistent: false }, (_event, filename) => {
        if (filename === null || wanted.has(basename(String(filename)))) schedule()
      })
      watcher.on('error', error => logger.warn(`config: stopped watching ${directory} (${error.message}); edits there need a restart`))
      watchers.push(watcher)
    } catch (error) {
      logger.warn(`config: cannot watch ${directory} (${(error as Error).message}); edits there need a restart`)
    }
  }
  return {
    close: () => {
      clearTimeout(timer)
      for (const watcher of watchers) watcher.close()
    }
  }
}

function contentOf (file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
