// An exchange and its replay side by side: status, headers and bodies, with the lines
// that differ between the two marked.
import { el, statusClass, prettyText } from './dom.js'

export function renderCompare (left, right) {
  return el('div', { className: 'compare', id: 'compare' },
    el('h2', {}, `#${left.id} and its replay #${right.id}`),
    el('table', { className: 'compare-table' },
      el('thead', {}, el('tr', {}, el('th', {}, `#${left.id} (original)`), el('th', {}, `#${right.id} (replay)`))),
      el('tbody', {},
        section('status'), el('tr', { className: 'compare-status' }, statusCell(left), statusCell(right)),
        section('error code'), el('tr', {}, el('td', {}, left.errorCode ?? '—'), el('td', {}, right.errorCode ?? '—')),
        section('duration'), el('tr', {}, el('td', {}, `${left.durationMs ?? '…'} ms`), el('td', {}, `${right.durationMs ?? '…'} ms`)),
        ...linesRows('request headers', headerLines(left.request), headerLines(right.request)),
        ...linesRows('request body', bodyLines(left.request), bodyLines(right.request)),
        ...linesRows('response headers', headerLines(left.response), headerLines(right.response)),
        ...linesRows('response body', bodyLines(left.response), bodyLines(right.response)))))
}

// Each part is titled on a row of its own, so the two sides get the pane's whole width.
function section (title) {
  return el('tr', { className: 'compare-section' }, el('th', { colspan: '2' }, title))
}

function statusCell (detail) {
  return el('td', {}, el('span', { className: `badge ${statusClass(detail.status)}` }, String(detail.status)))
}

// Date and request ids always differ and say nothing: shown, never marked.
const ALWAYS_DIFFERENT = new Set(['date', 'x-request-id', 'etag', 'age'])

function headerLines (side) {
  return [...(side?.headers ?? [])]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ name, value }) => ({ text: `${name}: ${value}`, noise: ALWAYS_DIFFERENT.has(name) }))
}

function bodyLines (side) {
  const body = side?.body
  if (!body || body.kind !== 'text') return [{ text: body?.kind === 'binary' ? '(binary)' : '(no body)' }]
  return prettyText(body.text).split('\n').map(text => ({ text }))
}

function linesRows (title, leftLines, rightLines) {
  const { left, right } = differingLines(leftLines.map(line => line.text), rightLines.map(line => line.text))
  const block = (lines, differs) => el('td', {}, el('pre', { className: 'lines' },
    lines.map((line, i) => el('span', { className: differs.has(i) && !line.noise ? 'line differs' : 'line' }, line.text || ' '))))
  return [section(title), el('tr', { className: 'compare-lines', dataset: { section: title } }, block(leftLines, left), block(rightLines, right))]
}

/**
 * Indexes of the lines of a and of b outside their longest common subsequence. Past a
 * few million cells the middle (between the common start and end) is all marked.
 */
export function differingLines (a, b) {
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB-- }
  const left = new Set()
  const right = new Set()
  const n = endA - start
  const m = endB - start
  let i = 0
  let j = 0
  if (n * m <= 4_000_000) {
    const common = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
    for (let x = n - 1; x >= 0; x--) {
      for (let y = m - 1; y >= 0; y--) common[x][y] = a[start + x] === b[start + y] ? common[x + 1][y + 1] + 1 : Math.max(common[x + 1][y], common[x][y + 1])
    }
    while (i < n && j < m) {
      if (a[start + i] === b[start + j]) { i++; j++ } else if (common[i + 1][j] >= common[i][j + 1]) left.add(start + i++)
      else right.add(start + j++)
    }
  }
  while (i < n) left.add(start + i++)
  while (j < m) right.add(start + j++)
  return { left, right }
}
