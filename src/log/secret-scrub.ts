// Pure: literal copies of configured secrets (every profile's API key) replaced by their
// fingerprints, wherever they stand: a header the upstream echoes, a body, a URL a
// client typed. Rules by field name (redact.ts, body-redact.ts) cannot know those places.
// One function for the log (every line it writes, logger.ts) and the inspector.
import { redactSecret } from './redact.js'

/** Replaces every literal occurrence of each secret (at least 8 characters) with its redaction. */
export function scrubSecrets (text: string, secrets: readonly string[]): string {
  let result = text
  for (const secret of secrets) {
    if (secret.length < 8 || !result.includes(secret)) continue
    result = result.split(secret).join(redactSecret(secret))
  }
  return result
}

/** The secrets one logger has been told of, kept for its whole life: a key replaced by a reload is still a key. */
export interface SecretScrubber {
  /** Adds secrets (the same list again costs one comparison). */
  remember: (secrets: readonly string[]) => void
  scrub: (text: string) => string
}

export function createSecretScrubber (): SecretScrubber {
  let known: readonly string[] = []
  let lastTold: readonly string[] | undefined
  return {
    remember: secrets => {
      if (secrets === lastTold) return
      lastTold = secrets
      const added = secrets.filter(secret => !known.includes(secret))
      // Longest first, so that a secret which contains another is replaced whole.
      if (added.length > 0) known = [...known, ...added].sort((a, b) => b.length - a.length)
    },
    scrub: text => known.length === 0 ? text : scrubSecrets(text, known)
  }
}
