// Which faults are active: the config file's "faults", unless POST /__proxy/api/faults
// replaced them (until the next restart) or switched them all off.
import type { Config } from '../config/settings.js'
import type { Fault } from '../config/fault-setting.js'

export interface FaultSwitch {
  /** The faults a request running on `config` meets. */
  active: (config: Config) => readonly Fault[]
  /** The list in force, on or off. */
  list: (config: Config) => readonly Fault[]
  enabled: () => boolean
  /** Where the list comes from: the config file, or the API. */
  source: () => 'config' | 'api'
  set: (change: { enabled?: boolean, faults?: readonly Fault[] }) => void
}

export function createFaultSwitch (): FaultSwitch {
  let enabled = true
  let replaced: readonly Fault[] | undefined
  return {
    active: config => enabled ? replaced ?? config.faults : [],
    list: config => replaced ?? config.faults,
    enabled: () => enabled,
    source: () => replaced === undefined ? 'config' : 'api',
    set: change => {
      if (change.enabled !== undefined) enabled = change.enabled
      if (change.faults !== undefined) replaced = change.faults
    }
  }
}
