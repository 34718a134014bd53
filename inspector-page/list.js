// The list of exchanges, newest on top. Rows are keyed by exchange id: an open stream's
// row is replaced when the same id arrives again finished.
import { el, clockTime, size, duration, statusClass } from './dom.js'

export function createList (tbody, onSelect) {
  const rows = new Map()
  let selected

  function row (summary) {
    const tr = el('tr', {
      className: [statusClass(summary.status), summary.failed ? 'failed' : '', summary.state === 'open' ? 'open' : '', summary.id === selected ? 'selected' : ''].filter(Boolean).join(' '),
      dataset: { id: String(summary.id) },
      tabindex: '0',
      on: {
        click: () => onSelect(summary.id),
        keydown: event => { if (event.key === 'Enter') onSelect(summary.id) }
      }
    },
    el('td', { className: 'time' }, clockTime(summary.startedAt)),
    el('td', { className: 'id' }, `#${summary.id}`, summary.replayOf !== undefined ? el('span', { className: 'replay-mark', title: `replay of #${summary.replayOf}` }, ` ↻${summary.replayOf}`) : null),
    el('td', { className: 'method' }, summary.method),
    el('td', { className: 'path', title: summary.url }, el('span', { className: 'clip' }, summary.url)),
    el('td', { className: 'status' }, el('span', { className: `badge ${statusClass(summary.status)}` }, String(summary.status)), summary.state === 'open' ? el('span', { className: 'live' }, ' live') : null),
    el('td', { className: `env env-${summary.environment}` }, summary.environment ?? ''),
    el('td', { className: 'duration' }, duration(summary.durationMs)),
    el('td', { className: 'size' }, size(summary.bytes)),
    el('td', { className: 'code', title: summary.errorCode }, el('span', { className: 'clip' }, summary.errorCode ?? '')),
    el('td', { className: 'hint' }, summary.hint ? el('span', { className: 'hint-mark', title: 'this exchange has a hint' }, 'hint') : ''),
    el('td', { className: 'by' }, summary.answeredBy === 'proxy' ? 'proxy' : 'upstream'))
    return tr
  }

  return {
    /** Adds or replaces one exchange, keeping newest (highest id) first. */
    put (summary) {
      const fresh = row(summary)
      const existing = rows.get(summary.id)
      rows.set(summary.id, { summary, tr: fresh })
      if (existing) {
        existing.tr.replaceWith(fresh)
        return
      }
      let before = null
      for (const other of tbody.children) {
        if (Number(other.dataset.id) < summary.id) { before = other; break }
      }
      tbody.insertBefore(fresh, before)
    },
    replaceAll (summaries) {
      rows.clear()
      tbody.replaceChildren()
      for (const summary of summaries) {
        const tr = row(summary)
        rows.set(summary.id, { summary, tr })
        tbody.append(tr)
      }
    },
    select (id) {
      selected = id
      for (const [rowId, { tr }] of rows) tr.classList.toggle('selected', rowId === id)
    },
    get size () { return rows.size }
  }
}
