// The one owner of "the configuration now". A request takes its snapshot when it starts
// (config/request-config.ts, the first onRequest hook) and keeps it to its end, so a switch of environment or
// a reloaded .env applies to the requests that start afterwards, and no request mixes
// the key of one profile with the URL of another. Configurations are frozen; replacing
// one swaps the reference, nothing is changed in place.
import type { Config } from './settings.js'

export type ConfigListener = (next: Config, previous: Config) => void

export interface LiveConfig {
  /** The configuration requests that start now run with. */
  running: () => Config
  /** Makes `next` current for requests that start from now on; listeners hear of it. */
  replace: (next: Config) => void
  /** Returns the unsubscribe function. */
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
