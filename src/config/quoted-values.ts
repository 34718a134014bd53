// `docker run --env-file` and compose's `- NAME="value"` keep quotes that .env drops, so a quoted
// key reaches bkend quotes and all (401). The value is used as given; the banner says so.
import { SETTING_KEYS, type Config, type SettingKey } from './settings.js'

/** The text inside matching outer quotes (" or '), or undefined when the value is not quoted. */
export function withoutQuotes (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const quoted = /^\s*(["'])([\s\S]*)\1\s*$/.exec(value)
  return quoted ? quoted[2] : undefined
}

/** One banner warning per setting whose value starts and ends with the same quote; never the value itself. */
export function quotedValueWarnings (config: Config, origin: Readonly<Record<SettingKey, string>>): string[] {
  return SETTING_KEYS.flatMap(key => {
    const value = config[key]
    if (withoutQuotes(value) === undefined) return []
    const quote = (value as string).trim()[0]
    return [`${key} (from ${origin[key]}) starts and ends with a ${quote} quote, and the proxy uses it as given, quotes included (docker run --env-file and compose pass them on; a .env file read by the proxy does not): remove the quotes.`]
  })
}
