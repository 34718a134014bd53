// /proc readings of the proxy child: RSS and open fds, sampled over a run, and the
// memory-growth rule the soaks share.
import { readFileSync } from 'node:fs'
import { fdCount } from '../helpers/fd-count.js'
import { percentile } from './helpers.js'

/** VmRSS of a process, in bytes. */
export function rssBytes (pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(match[1]) * 1024
}

export { fdCount } from '../helpers/fd-count.js'

export interface Sample { atMs: number, rss: number, fds: number }

/** Reads RSS and fds of `pid` every `intervalMs` until stopped. */
export function sampleProcess (pid: number, intervalMs = 1000): { samples: Sample[], stop: () => Sample[] } {
  const startedAt = Date.now()
  const samples: Sample[] = []
  const take = (): void => {
    try {
      samples.push({ atMs: Date.now() - startedAt, rss: rssBytes(pid), fds: fdCount(pid) })
    } catch {
      // the process is gone; the test's own assertions say why
    }
  }
  take()
  const timer = setInterval(take, intervalMs)
  return { samples, stop: () => { clearInterval(timer); take(); return samples } }
}

export interface RssGrowth { atWarmUp: number, atEnd: number, peak: number, growth: number, allowed: number }

/**
 * Memory growth after warm-up: the median RSS of the last `windowMs` of the run against the
 * median of the `windowMs` after warm-up, allowed max(20 MB, 10 %). Medians, because under
 * load RSS saws up and down by tens of MB with each major GC: a single sample at warm-up
 * against the highest later one measures where the sawtooth happened to be, not growth.
 */
export function rssGrowth (samples: Sample[], warmUpMs: number, endMs: number, windowMs = 10_000): RssGrowth {
  const median = (from: number, to: number): number => {
    const values = samples.filter(sample => sample.atMs >= from && sample.atMs <= to).map(sample => sample.rss)
    return percentile(values, 50)
  }
  const atWarmUp = median(warmUpMs, warmUpMs + windowMs)
  const atEnd = median(endMs - windowMs, endMs)
  const peak = Math.max(...samples.filter(sample => sample.atMs >= warmUpMs && sample.atMs <= endMs).map(sample => sample.rss))
  return { atWarmUp, atEnd, peak, growth: atEnd - atWarmUp, allowed: Math.max(20 * 1024 * 1024, atWarmUp * 0.1) }
}
