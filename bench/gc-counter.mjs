// Preloaded into every Node process under test (node --import): counts garbage
// collections by kind and, on SIGUSR2, writes the running totals to
// $BENCH_GC_DIR/gc-<pid>.json, so the bench reads them before and after each cell
// without touching the process's stdout (our proxy's log goes there). Issue 16 item 4.
// On demand, not on a timer: a write every 100 ms cost a fifth of a profiled proxy's
// busy time on this machine's disk (the bench puts the files on /dev/shm when it can).
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { writeFileSync } from 'node:fs'

const dir = process.env.BENCH_GC_DIR
if (dir) {
  // Scavenges are the young generation; mark-compact (and its incremental steps) the old one.
  const counts = { young: 0, old: 0, incremental: 0, weak: 0, gcMs: 0 }
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail?.kind ?? entry.kind
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.young++
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.old++
      else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) counts.incremental++
      else counts.weak++
      counts.gcMs += entry.duration
    }
  }).observe({ entryTypes: ['gc'] })
  const file = `${dir}/gc-${process.pid}.json`
  const save = () => { try { writeFileSync(file, JSON.stringify(counts)) } catch {} }
  process.on('SIGUSR2', save)
  save()
}
