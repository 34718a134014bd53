// Pure: LOG_FORMAT=compact, one access-log line per exchange: #N, method, path, status, duration,
// size, and a short marker for what needs a look. Failing exchanges get their curl command below.
import type { ExchangeHead, ExchangeRecord } from './exchange.js'
import { clean, formatDuration, isAllowedPreflight, environmentMark, recordTone, replayMark, streamEndedBy, tag } from './curl-format.js'
import { PLAIN, statusTone, type Palette } from './colour.js'
import { describeRateLimit, isRateLimitLow } from './rate-limit.js'

export interface CompactExtras {
  hint?: string
  curl?: string
  errorCode?: string
}

export function compactLine (record: ExchangeRecord, extras: CompactExtras = {}, paint: Palette = PLAIN): string {
  const markers: string[] = []
  if (isAllowedPreflight(record)) markers.push('preflight')
  if (record.answeredBy === 'mock' || record.answeredBy === 'fault') markers.push(`answered by a ${record.answeredBy}`)
  if (extras.errorCode !== undefined) markers.push(clean(extras.errorCode))
  if (record.rateLimit !== undefined && (record.response.status === 429 || isRateLimitLow(record.rateLimit))) markers.push(describeRateLimit(record.rateLimit))
  if (record.streamed) markers.push(`stream ${streamEndedBy(record)}${record.events === undefined ? '' : `, ${record.events} ${record.events === 1 ? 'event' : 'events'}`}`)
  else if (!record.completed) markers.push(record.cutBy === 'upstream' ? 'cut off by the upstream' : record.cutBy === 'proxy' ? 'cut at shutdown' : 'client left')
  const main = `${tag(record)}${environmentMark(record)}${replayMark(record)}${record.method} ${clean(record.url)} ${record.response.status} ${formatDuration(record.durationMs)} ${formatSize(record.bytes)}${markers.map(marker => ` ${marker}`).join('')}`
  const note = extras.hint !== undefined
    ? paint.hint(`hint: ${shortHint(extras.hint)}`)
    : record.notes.length > 0 ? `note: ${clean(shortNote(record.notes[0]!))}` : undefined
  const line = paint.tone(recordTone(record), main) + (note === undefined ? '' : `  ${note}`)
  return extras.curl === undefined ? line : `${line}\n${clean(extras.curl)}`
}

export function compactOpenLine (head: ExchangeHead, contentType: string | undefined, paint: Palette = PLAIN): string {
  return paint.tone(statusTone(head.response.status, false), `${tag(head)}${environmentMark(head)}${replayMark(head)}${head.method} ${clean(head.url)} ${head.response.status} stream open${contentType ? ` (${clean(contentType)})` : ''}`)
}

/** The fix a hint names, cut to its first clause: hints read "what happened: what to do (details)". */
export function shortHint (hint: string): string {
  const first = hint.split('\n', 1)[0]!
  const colon = first.indexOf(': ')
  const fix = colon < 0 ? first : first.slice(colon + 2)
  return clean(fix.split(/ \(|; /, 1)[0]!)
}

function shortNote (note: string): string {
  return note.split('; ', 1)[0]!
}

export function formatSize (bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
