// The list of exchanges, newest on top. Rows are keyed by exchange id: an open stream's
// row is replaced each time the same id arrives again. Preflights (OPTIONS) are hidden
// unless asked for; the waterfall column draws every shown row's start and duration on
// one time axis, so a slow or serial request stands out.
import { el, clockTime, size, duration, statusClass } from './dom.js'

export function createList (tbody, onSelect) {
  const rows = new Map()
  let selected
  let preflightsHidden = true

  const hidden = summary => preflightsHidden && summary.method === 'OPTIONS'

  function row (summary) {
    const open = summary.state === 'open'
    const tr = el('tr', {
      className: [statusClass(summary.status), summary.failed ? 'failed' : '', open ? 'open' : '', summary.id === selected ? 'selected' : ''].filter(Boolean).join(' '),
      dataset: { id: String(summary.id) },
      tabindex: '0',
      hidden: hidden(summary),
      on: {
        click: () => onSelect(summary.id),
        keydown: event => { if (event.key === 'Enter') onSelect(summary.id) }
      }
    },
    el('td', { className: 'time', title: clockTime(summary.startedAt) }, clockTime(summary.startedAt).slice(0, 8)),
    el('td', { className: 'id' }, `#${summary.id}`),
    el('td', { className: 'method' }, summary.method),
    el('td', { className: 'path', title: summary.url }, el('div', { className: 'path-line' },
      summary.replayOf !== undefined ? el('span', { className: 'tag replay-mark' }, `replay of #${summary.replayOf}`) : null,
      summary.events !== undefined ? el('span', { className: 'tag events', title: `${summary.events} server-sent events` }, `${summary.events} events`) : null,
      el('span', { className: 'clip' }, summary.url))),
    el('td', { className: 'status' }, el('span', { className: `badge ${statusClass(summary.status)}` }, String(summary.status))),
    el('td', { className: `env env-${summary.environment}` }, summary.environment ?? ''),
    el('td', { className: 'by' }, summary.answeredBy === 'proxy' ? 'proxy' : ''),
    el('td', { className: 'duration' }, open ? el('span', { className: 'live' }, 'live') : duration(summary.durationMs)),
    el('td', { className: 'size' }, size(summary.bytes)),
    el('td', { className: 'waterfall' }, el('div', { className: 'track' }, el('div', { className: 'bar' }, el('div', { className: 'waiting' })))),
    // A line break may fall after the slash, never inside a code's name.
    el('td', { className: 'code' }, (summary.errorCode ?? '').split(/(?<=\/)/).map((part, i) => [i > 0 ? el('wbr') : null, el('span', {}, part)])),
    el('td', { className: 'hint' }, summary.hint ? el('span', { className: 'hint-mark', title: 'this exchange has a hint' }, 'hint') : ''))
    return tr
  }

  // Widths are shares of the span from the first shown start to the last end; an open
  // stream runs to now.
  function drawWaterfall () {
    const now = Date.now()
    const spans = []
    for (const { summary, tr } of rows.values()) {
      if (tr.hidden) continue
      const start = Date.parse(summary.startedAt)
      spans.push({ summary, tr, start, end: summary.durationMs === undefined ? Math.max(now, start) : start + summary.durationMs })
    }
    if (spans.length === 0) return
    const first = Math.min(...spans.map(span => span.start))
    const total = Math.max(...spans.map(span => span.end)) - first || 1
    for (const { summary, tr, start, end } of spans) {
      const bar = tr.querySelector('.bar')
      bar.style.left = `${(start - first) / total * 100}%`
      bar.style.width = `${(end - start) / total * 100}%`
      const waiting = summary.headersMs === undefined || end === start ? 1 : summary.headersMs / (end - start)
      bar.firstChild.style.width = `${Math.min(waiting, 1) * 100}%`
      bar.closest('td').title = `starts at +${duration(start - first)}, headers after ${duration(summary.headersMs)}, ${summary.durationMs === undefined ? 'still open' : `ends after ${duration(summary.durationMs)}`}`
    }
  }

  function shown () {
    return [...tbody.children].filter(tr => !tr.hidden)
  }

  return {
    /** Adds or replaces one exchange, keeping newest (highest id) first. */
    put (summary) {
      const fresh = row(summary)
      const existing = rows.get(summary.id)
      rows.set(summary.id, { summary, tr: fresh })
      if (existing) {
        const focused = existing.tr === document.activeElement
        existing.tr.replaceWith(fresh)
        if (focused) fresh.focus({ preventScroll: true })
      } else {
        let before = null
        for (const other of tbody.children) {
          if (Number(other.dataset.id) < summary.id) { before = other; break }
        }
        tbody.insertBefore(fresh, before)
      }
      drawWaterfall()
    },
    replaceAll (summaries) {
      rows.clear()
      tbody.replaceChildren()
      for (const summary of summaries) {
        const tr = row(summary)
        rows.set(summary.id, { summary, tr })
        tbody.append(tr)
      }
      drawWaterfall()
    },
    select (id) {
      selected = id
      for (const [rowId, { tr }] of rows) tr.classList.toggle('selected', rowId === id)
    },
    /** The id of the shown row `step` rows below (negative: above) the selected one. */
    neighbour (step) {
      const trs = shown()
      const at = trs.findIndex(tr => Number(tr.dataset.id) === selected)
      const next = trs[at < 0 ? 0 : Math.max(0, Math.min(trs.length - 1, at + step))]
      next?.scrollIntoView({ block: 'nearest' })
      return next === undefined ? undefined : Number(next.dataset.id)
    },
    hidePreflights (hide) {
      preflightsHidden = hide
      for (const { summary, tr } of rows.values()) tr.hidden = hidden(summary)
      drawWaterfall()
    },
    get shownCount () { return shown().length },
    get hiddenCount () { return rows.size - shown().length }
  }
}
