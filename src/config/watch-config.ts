// Live reload of .env and the --config file; a bad edit keeps the running configuration.
// Directories are watched, not files: editors save by renaming a new file over the old one,
// which ends a watch on the file itself. A vanished or shrunk file may not take a key away.
import { watch, readFileSync, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { Logger } from 'pino'
import { ConfigError, type LoadedConfig } from './load-config.js'
import type { LiveConfig } from './live-config.js'
import { configChanges, reloadLine } from './config-changes.js'
import { withEnvironment } from './profiles.js'
import { isShrunk, lostSettings, shrinkOf } from './reload-losses.js'
import { activeProfileWarnings, prodNotice } from './environment-warnings.js'

export interface WatchOptions {
  /** Absolute paths: .env in the working directory, the --config file. */
  files: string[]
  /** Reads every source again, as at start-up; throws ConfigError for a bad value. */
  load: () => LoadedConfig
  live: LiveConfig
  logger: Logger
  /** As the sources named it at start-up: a switch since is kept over reloads that leave it alone. */
  environment: string
  settleMs?: number
}

export interface ConfigWatcher { close: () => void }

type Contents = Map<string, string | undefined>

export function watchConfig (options: WatchOptions): ConfigWatcher {
  const { live, logger, files } = options
  const settleMs = options.settleMs ?? 150
  const names = new Map(files.map(file => [file, basename(file)]))
  const read = (): Contents => new Map(files.map(file => [file, contentOf(file)]))
  // What the running configuration was read from, and what was last acted on.
  const good = read()
  const seen = new Map(good)
  let lastRead: Contents | undefined
  let sourcesEnvironment = options.environment
  let timer: NodeJS.Timeout | undefined

  const schedule = (): void => {
    clearTimeout(timer)
    timer = setTimeout(check, settleMs)
  }

  // Editors save in steps (truncate, then write): act once two reads a quiet interval apart agree.
  function check (): void {
    const now = read()
    if (lastRead === undefined || files.some(file => now.get(file) !== lastRead!.get(file))) {
      lastRead = now
      schedule()
      return
    }
    lastRead = undefined
    const changed = files.filter(file => now.get(file) !== seen.get(file))
    if (changed.length === 0) return
    for (const file of changed) seen.set(file, now.get(file))
    reload(changed, now)
  }

  function reload (changed: string[], now: Contents): void {
    const what = changed.map(file => names.get(file)!).join(' and ')
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
    const running = live.running()
    const sourcesMoved = loaded.config.environment !== sourcesEnvironment
    const next = sourcesMoved ? loaded.config : withEnvironment(loaded.config, running.environment)
    // Any watched file, not only the one just saved: loading reads them all.
    const shrunk = files.filter(file => isShrunk(good.get(file), now.get(file)))
    const lost = shrunk.length === 0 ? [] : lostSettings(running, next)
    if (lost.length > 0) {
      const how = shrunk.map(file => `${names.get(file)!} (${file}) ${shrinkOf(good.get(file)!, now.get(file))}`).join(' and ')
      const restore = shrunk.map(file => names.get(file)!).join(' and ')
      logger.warn(`config: ${how}; reading it now would ${lost.join(', ')}, so the running configuration stays. To apply it: restore ${restore}, or restart the proxy to start from the files as they are`)
      return
    }
    sourcesEnvironment = loaded.config.environment
    for (const file of files) good.set(file, now.get(file))
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
