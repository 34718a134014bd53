// The one owner of the running configuration. Each request snapshots it when it starts
// (request-config.ts), so a switch or reload never mixes one profile's key with another's URL.
import type { Config } from './settings.js'

export type ConfigListener = (next: Config, previous: Config) => void

export interface LiveConfig {
  /** The configuration requests that start now run with. */
  running: () => Config
  /** For requests that start from now on; listeners hear of it. */
  replace: (next: Config) => void
  subscribe: (listener: ConfigListener) => () => void
}

export function createLiveConfig (initial: Config): LiveConfig {
  let config = initial
  const listeners = new Set<ConfigListener>()
  return {
    running: () => config,
    replace: next => {
      const previous = config
      if (next === previous) return
      config = next
      for (const listener of listeners) listener(next, previous)
    },
    subscribe: listener => {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}
