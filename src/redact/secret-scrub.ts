// Literal copies of configured secrets, wherever they stand (an echoed header, a body, a URL),
// which rules by field name cannot know.
import { CUT_SECRET, redactSecret } from './redact.js'

// A copy cut off at a preview's end still starts like the secret: more than a fingerprint
// shows (an 8-character kind at most), few enough to catch a cut that leaves most of it.
const CUT_PROBE_CHARS = 12

/** Whole copies become fingerprints; copies cut short (CUT_PROBE_CHARS or more) the cut mark. */
export function scrubSecrets (text: string, secrets: readonly string[]): string {
  let result = text
  let started = false
  for (const secret of secrets) {
    if (secret.length < 8) continue
    // One scan for most lines: without its start, no copy of the secret is there, whole or cut.
    const start = secret.length > CUT_PROBE_CHARS ? secret.slice(0, CUT_PROBE_CHARS) : secret
    if (!result.includes(start)) continue
    if (result.includes(secret)) result = result.split(secret).join(redactSecret(secret))
    started ||= start !== secret
  }
  if (!started) return result
  // Whole copies first: two keys may share their first characters (sk_test_ and a few more).
  const cut = secrets.filter(secret => secret.length > CUT_PROBE_CHARS && result.includes(secret.slice(0, CUT_PROBE_CHARS)))
  return cut.length === 0 ? result : withoutCutCopies(result, cut)
}

// As far as the secret that matches longest there goes on.
function withoutCutCopies (text: string, secrets: readonly string[]): string {
  const probes = secrets.map(secret => secret.slice(0, CUT_PROBE_CHARS))
  let result = ''
  let from = 0
  for (;;) {
    let at = -1
    for (const probe of probes) {
      const found = text.indexOf(probe, from)
      if (found >= 0 && (at < 0 || found < at)) at = found
    }
    if (at < 0) return result + text.slice(from)
    let end = at + CUT_PROBE_CHARS
    for (const secret of secrets) {
      if (!text.startsWith(secret.slice(0, CUT_PROBE_CHARS), at)) continue
      let matched = at + CUT_PROBE_CHARS
      while (matched < text.length && matched - at < secret.length && text[matched] === secret[matched - at]) matched++
      end = Math.max(end, matched)
    }
    result += text.slice(from, at) + CUT_SECRET
    from = end
  }
}

/** The secrets one logger has been told of, kept for its whole life: a key replaced by a reload is still a key. */
export interface SecretScrubber {
  /** The same list again costs one comparison. */
  remember: (secrets: readonly string[]) => void
  scrub: (text: string) => string
}

export function createSecretScrubber (): SecretScrubber {
  let known: readonly string[] = []
  // One scan for a line that holds none of them (nearly every line).
  let starts: RegExp | undefined
  let lastTold: readonly string[] | undefined
  return {
    remember: secrets => {
      if (secrets === lastTold) return
      lastTold = secrets
      const added = secrets.filter(secret => secret.length >= 8 && !known.includes(secret))
      if (added.length === 0) return
      // Longest first, so that a secret which contains another is replaced whole.
      known = [...known, ...added].sort((a, b) => b.length - a.length)
      starts = new RegExp([...new Set(known.map(secret => escapeRegExp(secret.slice(0, CUT_PROBE_CHARS))))].join('|'))
    },
    scrub: text => starts === undefined || !starts.test(text) ? text : scrubSecrets(text, known)
  }
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
