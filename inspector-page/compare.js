// An exchange and its replay side by side: status, the headers that differ, bodies.
import { el, statusClass, prettyText } from './dom.js'

export function renderCompare (left, right) {
  return el('div', { className: 'compare', id: 'compare' },
    el('h2', {}, `#${left.id} and its replay #${right.id}`),
    el('table', { className: 'compare-table' },
      el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, `#${left.id} (original)`), el('th', {}, `#${right.id} (replay)`))),
      el('tbody', {},
        el('tr', { className: 'compare-status' }, el('th', {}, 'status'), statusCell(left), statusCell(right)),
        el('tr', {}, el('th', {}, 'error code'), el('td', {}, left.errorCode ?? '—'), el('td', {}, right.errorCode ?? '—')),
        el('tr', {}, el('th', {}, 'duration'), el('td', {}, `${left.durationMs ?? '…'} ms`), el('td', {}, `${right.durationMs ?? '…'} ms`)),
        ...headerRows('request', left.request?.headers ?? [], right.request?.headers ?? []),
        ...headerRows('response', left.response?.headers ?? [], right.response?.headers ?? []),
        el('tr', {}, el('th', {}, 'response body'), bodyCell(left), bodyCell(right)))))
}

function statusCell (detail) {
  return el('td', {}, el('span', { className: `badge ${statusClass(detail.status)}` }, String(detail.status)))
}

function bodyCell (detail) {
  const body = detail.response?.body
  if (!body || body.kind !== 'text') return el('td', { className: 'muted' }, body?.kind === 'binary' ? 'binary' : 'no body')
  return el('td', {}, el('pre', { className: 'body' }, prettyText(body.text)))
}

// Only headers whose values differ (or exist on one side) are worth a row; date and
// request ids always differ and say nothing.
const ALWAYS_DIFFERENT = new Set(['date', 'x-request-id', 'etag', 'age'])

function headerRows (side, leftHeaders, rightHeaders) {
  const leftMap = valuesByName(leftHeaders)
  const rightMap = valuesByName(rightHeaders)
  const names = [...new Set([...leftMap.keys(), ...rightMap.keys()])].sort()
  const rows = names
    .filter(name => !ALWAYS_DIFFERENT.has(name) && leftMap.get(name) !== rightMap.get(name))
    .map(name => el('tr', { className: 'header-diff' }, el('th', {}, `${side} ${name}`), el('td', {}, leftMap.get(name) ?? '(absent)'), el('td', {}, rightMap.get(name) ?? '(absent)')))
  return rows.length > 0 ? rows : [el('tr', {}, el('th', {}, `${side} headers`), el('td', { colspan: '2', className: 'muted' }, 'no differences'))]
}

function valuesByName (headers) {
  const map = new Map()
  for (const { name, value } of headers) map.set(name, map.has(name) ? `${map.get(name)}, ${value}` : value)
  return map
}
