// Medians, the Markdown table, and the target check.

export const TARGETS = ['direct', 'bare', 'ours-silent', 'ours-pretty', 'ours-json', 'ours-no-inspector']
export const TARGET_LABELS = {
  direct: 'direct',
  bare: 'bare fastify',
  'ours-silent': 'ours, LOG_LEVEL=silent',
  'ours-pretty': 'ours, curl -v (default)',
  'ours-json': 'ours, LOG_FORMAT=json',
  'ours-no-inspector': 'ours, curl -v, INSPECTOR=false'
}

/** The browser-like case's own pair (run.mjs): bare fastify, and ours with its defaults. */
export const BROWSER_TARGETS = ['browser-bare', 'browser-ours']

export function median (values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Rows of the table: which figure, from which samples, and how to print it. */
export const ROWS = [
  { label: 'GET 1.2 KB, 1 conn: req/s', test: 'get-c1', key: 'rps', digits: 0 },
  { label: 'GET 1.2 KB, 1 conn: p50 ms', test: 'get-c1', key: 'p50Ms', digits: 3 },
  { label: 'GET 1.2 KB, 1 conn: p99 ms', test: 'get-c1', key: 'p99Ms', digits: 3 },
  { label: 'GET 1.2 KB, 32 conn: req/s', test: 'get-c32', key: 'rps', digits: 0 },
  { label: 'GET 1.2 KB, 32 conn: p50 ms', test: 'get-c32', key: 'p50Ms', digits: 2 },
  { label: 'GET 1.2 KB, 32 conn: p99 ms', test: 'get-c32', key: 'p99Ms', digits: 2 },
  { label: 'POST 1 KB, 32 conn: req/s', test: 'post-c32', key: 'rps', digits: 0 },
  { label: 'POST 1 KB, 32 conn: p99 ms', test: 'post-c32', key: 'p99Ms', digits: 2 },
  { label: '1 MiB download, 4 conn: MiB/s', test: 'large-c4', key: 'mibPerS', digits: 0 },
  { label: 'first SSE event: ms', test: 'sse', key: 'firstEventMs', digits: 3 },
  { label: 'CPU per request (GET, 32 conn): µs', test: 'get-c32', key: 'cpuUsPerRequest', digits: 0 },
  { label: 'CPU per request (POST, 32 conn): µs', test: 'post-c32', key: 'cpuUsPerRequest', digits: 0 },
  { label: 'GC per 10k GET (32 conn): young', test: 'get-c32', key: 'gcYoungPer10k', digits: 0 },
  { label: 'GC per 10k GET (32 conn): old', test: 'get-c32', key: 'gcOldPer10k', digits: 1 },
  { label: 'GC per 10k GET (32 conn): ms paused', test: 'get-c32', key: 'gcMsPer10k', digits: 0 },
  { label: 'GC per 10k POST (32 conn): young', test: 'post-c32', key: 'gcYoungPer10k', digits: 0 },
  { label: 'GC per 10k POST (32 conn): old', test: 'post-c32', key: 'gcOldPer10k', digits: 1 },
  { label: 'RSS idle after start-up: MiB', test: 'idle', key: 'rssMiB', digits: 0 },
  { label: 'RSS under GET 32 conn load: MiB', test: 'get-c32', key: 'loadRssMiB', digits: 0 },
  { label: 'peak RSS over the whole run: MiB', test: 'memory', key: 'peakRssMiB', digits: 0 }
]

/** medians[target][test][key] over rounds (or samples, for SSE). */
export function summarize (samples) {
  const medians = {}
  for (const target of TARGETS) {
    medians[target] = {}
    for (const sample of samples.filter(s => s.target === target)) {
      const byTest = medians[target][sample.test] ??= {}
      for (const [key, value] of Object.entries(sample)) {
        if (typeof value !== 'number' || key === 'round') continue
        ;(byTest[key] ??= []).push(value)
      }
    }
    for (const byTest of Object.values(medians[target])) {
      for (const key of Object.keys(byTest)) byTest[key] = median(byTest[key])
    }
  }
  return medians
}

export function markdownTable (medians) {
  const format = (value, digits) => Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a'
  const ratio = (value, base) => Number.isFinite(value) && Number.isFinite(base) && base !== 0 ? `${(value / base).toFixed(2)}×` : 'n/a'
  const lines = [
    `| figure | ${TARGETS.map(t => TARGET_LABELS[t]).join(' | ')} |`,
    `|---|${TARGETS.map(() => '---:').join('|')}|`
  ]
  for (const row of ROWS) {
    const value = target => medians[target]?.[row.test]?.[row.key]
    const direct = value('direct')
    const bare = value('bare')
    const cells = TARGETS.map(target => {
      const v = value(target)
      if (target === 'direct') return format(v, row.digits)
      if (target === 'bare') return `${format(v, row.digits)} (${ratio(v, direct)} d)`
      return `${format(v, row.digits)} (${ratio(v, direct)} d, ${ratio(v, bare)} b)`
    })
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}

/**
 * The browser-like case's table and, per test, ours' req/s over bare's: the median of the
 * ratios within each round (the two cells of a round run back to back, so a neighbour's
 * load falls on both).
 */
export function browserLines (samples) {
  const lines = ['| figure | bare fastify | ours, defaults |', '|---|---:|---:|']
  const ratios = {}
  const figures = [['req/s', 'rps', 0], ['p50 ms', 'p50Ms', 3], ['p99 ms', 'p99Ms', 3], ['CPU per request: µs', 'cpuUsPerRequest', 0]]
  for (const test of ['browser-c1', 'browser-c32']) {
    const of = target => samples.filter(s => s.test === test && s.target === target)
    const [bare, ours] = BROWSER_TARGETS.map(of)
    if (bare.length === 0) continue
    const perRound = ours.map(o => o.rps / bare.find(b => b.round === o.round)?.rps)
    ratios[test] = median(perRound)
    for (const [label, key, digits] of figures) {
      const [b, o] = [bare, ours].map(list => median(list.map(s => s[key])))
      const shown = key === 'rps' ? `${ratios[test].toFixed(2)}× b; rounds ${perRound.map(r => r.toFixed(2)).join(', ')}` : `${(o / b).toFixed(2)}× b`
      lines.push(`| GET 1.2 KB, ${test.slice('browser-c'.length)} conn: ${label} | ${b.toFixed(digits)} | ${o.toFixed(digits)} (${shown}) |`)
    }
  }
  return { lines, ratios }
}

/** Issues 5 (item 5) and 16: ours with its defaults (curl -v log, inspector on). */
export function targetChecks (medians, browserRatios = {}) {
  const m = (target, test, key) => medians[target]?.[test]?.[key]
  const ratio = (target, test, key) => m(target, test, key) / m('direct', test, key)
  const checks = []
  // A subset run (BENCH_ONLY) leaves some figures out: n/a, not a crash.
  const fixed = (value, digits) => Number.isFinite(value) ? value.toFixed(digits) : 'n/a'
  for (const test of ['get-c1', 'get-c32', 'post-c32']) {
    const ours = ratio('ours-pretty', test, 'rps')
    const bare = ratio('bare', test, 'rps')
    checks.push({ name: `${test} req/s ratio to direct ≥ bare fastify's`, met: ours >= bare, detail: `ours ${fixed(ours, 3)}× vs bare ${fixed(bare, 3)}× (${fixed(((ours / bare - 1) * 100), 0)} %)` })
  }
  const cpu = m('ours-pretty', 'get-c32', 'cpuUsPerRequest')
  const bareCpu = m('bare', 'get-c32', 'cpuUsPerRequest')
  checks.push({ name: 'CPU per request (GET, 32 conn) ≤ bare + 10 µs', met: cpu <= bareCpu + 10, detail: `${fixed(cpu, 0)} µs vs bare ${fixed(bareCpu, 0)} µs (+${fixed((cpu - bareCpu), 0)} µs; LOG_LEVEL=silent ${fixed(m('ours-silent', 'get-c32', 'cpuUsPerRequest'), 0)} µs)` })
  if (browserRatios['browser-c1'] !== undefined) {
    checks.push({ name: 'browser-like GET at 1 connection ≥ 0.8× bare fastify', met: browserRatios['browser-c1'] >= 0.8, detail: `${fixed(browserRatios['browser-c1'], 2)}× (32 connections ${fixed(browserRatios['browser-c32'], 2)}×)` })
  }
  const large = ratio('ours-pretty', 'large-c4', 'mibPerS')
  const bareLarge = ratio('bare', 'large-c4', 'mibPerS')
  checks.push({ name: '1 MiB download ≥ 0.3× direct and ≥ bare fastify', met: large >= 0.3 && large >= bareLarge, detail: `${fixed(large, 3)}× direct (bare ${fixed(bareLarge, 3)}×)` })
  const added = m('ours-pretty', 'sse', 'firstEventMs') - m('direct', 'sse', 'firstEventMs')
  checks.push({ name: 'first SSE event ≤ +1 ms over direct', met: added <= 1, detail: `+${fixed(added, 3)} ms (bare +${fixed((m('bare', 'sse', 'firstEventMs') - m('direct', 'sse', 'firstEventMs')), 3)} ms)` })
  // Issue 13: the inspector is on by default, so it must be cheap.
  const inspectorCost = 1 - m('ours-pretty', 'get-c32', 'rps') / m('ours-no-inspector', 'get-c32', 'rps')
  checks.push({ name: 'inspector on costs ≤ 10 % of req/s at 32 conn', met: inspectorCost <= 0.1, detail: `${fixed((inspectorCost * 100), 1)} % (curl -v with the inspector vs INSPECTOR=false)` })
  const inspectorSse = m('ours-pretty', 'sse', 'firstEventMs') - m('ours-no-inspector', 'sse', 'firstEventMs')
  checks.push({ name: 'inspector adds nothing to the first SSE event (≤ +0.1 ms)', met: inspectorSse <= 0.1, detail: `${inspectorSse >= 0 ? '+' : ''}${fixed(inspectorSse, 3)} ms` })
  const idle = m('ours-pretty', 'idle', 'rssMiB')
  checks.push({ name: 'resident memory idle after start-up ≤ 60 MiB', met: idle <= 60, detail: `${fixed(idle, 0)} MiB (bare ${fixed(m('bare', 'idle', 'rssMiB'), 0)} MiB)` })
  const loaded = m('ours-pretty', 'get-c32', 'loadRssMiB')
  checks.push({ name: 'resident memory under the 32-connection load ≤ 100 MiB', met: loaded <= 100, detail: `${fixed(loaded, 0)} MiB (bare ${fixed(m('bare', 'get-c32', 'loadRssMiB'), 0)} MiB; peak over the whole run, 1 MiB downloads included: ${fixed(m('ours-pretty', 'memory', 'peakRssMiB'), 0)} MiB)` })
  return checks
}
