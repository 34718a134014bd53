// A secret as the proxy shows it (its fingerprint, src/redact/redact.ts), as a piece of a
// regular expression: tests that check where a key is shown do not pin the display format.
import { redactSecret } from '../../src/redact/redact.js'

export function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** The source of a RegExp matching `secret`'s fingerprint. */
export function fingerprint (secret: string): string {
  return escapeRegExp(redactSecret(secret))
}
