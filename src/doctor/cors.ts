// Whether the proxy would let the page at --origin call it, decided by the same matcher
// the proxy uses.
import { createOriginMatcher } from '../cors/origin-match.js'
import { SETTINGS, type Config } from '../config/settings.js'
import { fail, pass, type StepResult } from './step.js'

/** `defaulted`: CORS_ORIGINS is set nowhere, so the built-in default origins apply. */
export function checkCors (origin: string | undefined, config: Pick<Config, 'corsOrigins'>, defaulted = false): StepResult {
  if (origin === undefined) {
    if (config.corsOrigins.length === 0) return fail('cors', 'CORS_ORIGINS is empty: no browser page may call the proxy', 'CORS_ORIGINS=http://localhost:*')
    const allowed = defaulted ? `the default origins allow ${config.corsOrigins.join(', ')} (CORS_ORIGINS is not set)` : `CORS_ORIGINS allows ${config.corsOrigins.join(', ')}`
    return pass('cors', `${allowed}; add --origin <your app's address> to check yours`)
  }
  const wanted = origin.replace(/\/+$/, '')
  try {
    SETTINGS.corsOrigins.parse(wanted)
  } catch {
    return fail('cors', `${origin} is not an origin (scheme://host[:port], no path)`, 'pass the address your app runs at, e.g. --origin http://localhost:3000')
  }
  if (createOriginMatcher(config.corsOrigins)(wanted)) return pass('cors', `${wanted} is allowed by ${defaulted ? 'the default origins (CORS_ORIGINS is not set)' : 'CORS_ORIGINS'}`)
  return fail('cors', `${wanted} is not allowed: the browser will report a CORS error`, `CORS_ORIGINS=${[...config.corsOrigins, wanted].join(',')}`)
}
