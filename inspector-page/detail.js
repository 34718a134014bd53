// The detail pane for one exchange: the curl -v block as the log prints it, bodies,
// timings, hint, notes, copy-as-curl, replay and the link to its replays.
import { el, clear, clockTime, size, duration, statusClass, prettyText } from './dom.js'
import { exchangeDetail, replay } from './api.js'
import { renderCompare } from './compare.js'

export function createDetail (pane, { onSelect }) {
  let shownId
  // What a replay said, shown on the pane of the exchange it created.
  let notice

  async function show (id) {
    shownId = id
    let detail
    try {
      detail = await exchangeDetail(id)
    } catch (error) {
      if (shownId !== id) return
      clear(pane)
      pane.append(el('p', { className: 'error' }, `#${id}: ${error.message}`))
      return
    }
    if (shownId !== id) return // another row was picked meanwhile
    clear(pane)
    pane.append(...render(detail))
  }

  function render (detail) {
    const message = el('p', { className: 'action-result', role: 'status' }, notice?.id === detail.id ? notice.text : '')
    const parts = [
      el('h2', {}, el('span', { className: `badge ${statusClass(detail.status)}` }, String(detail.status)), ` #${detail.id} ${detail.method} `, el('span', { className: 'path' }, detail.url)),
      el('p', { className: 'meta' },
        `${clockTime(detail.startedAt)} · answered by ${detail.answeredBy}`,
        detail.target && detail.target !== 'proxy' ? ` · ${detail.target}` : '',
        detail.state === 'open' ? ' · still streaming' : '',
        detail.replayOf !== undefined ? ` · replay of #${detail.replayOf}` : ''),
      el('div', { className: 'actions' },
        el('button', { type: 'button', id: 'replay-button', on: { click: () => runReplay(detail.id, message) } }, 'Replay'),
        detail.curl ? el('button', { type: 'button', id: 'copy-curl', on: { click: () => copy(detail.curl, message) } }, 'Copy as curl') : null,
        detail.replayOf !== undefined ? el('button', { type: 'button', id: 'compare-button', on: { click: () => compare(detail.replayOf, detail.id) } }, `Compare with #${detail.replayOf}`) : null,
        ...(detail.replays ?? []).map(id => el('button', { type: 'button', className: 'link', on: { click: () => onSelect(id) } }, `replay #${id}`))),
      message
    ]
    if (detail.state === 'open' || detail.request === undefined) {
      parts.push(el('p', { className: 'placeholder' }, 'The stream is still open; headers, bodies and timings appear when it ends.'))
      return parts
    }
    if (detail.hints.length > 0) parts.push(el('div', { className: 'hint-box' }, el('h3', {}, 'Hint'), ...detail.hints.map(hint => el('p', {}, hint))))
    if (detail.error) parts.push(el('div', { className: 'error-box' }, el('h3', {}, detail.error.code), el('p', {}, detail.error.message)))
    if (detail.notes.length > 0) parts.push(el('div', { className: 'notes' }, el('h3', {}, 'Notes'), el('ul', {}, detail.notes.map(note => el('li', {}, note)))))
    parts.push(
      el('h3', {}, 'Timings'),
      el('dl', { className: 'timings' },
        el('dt', {}, 'time to headers'), el('dd', { id: 'timing-headers' }, duration(detail.headersMs)),
        el('dt', {}, 'total'), el('dd', { id: 'timing-total' }, duration(detail.durationMs)),
        el('dt', {}, 'response size'), el('dd', {}, size(detail.bytes)),
        el('dt', {}, 'completed'), el('dd', {}, detail.completed ? 'yes' : `no (cut by the ${detail.cutBy})`)),
      el('h3', {}, 'curl -v'),
      el('pre', { className: 'curl-verbose', id: 'curl-verbose' }, detail.curlVerbose),
      ...bodySection('Request body', detail.request.body, 'request-body'),
      ...bodySection('Response body', detail.response.body, 'response-body'))
    if (detail.curl) parts.push(el('h3', {}, 'Copy as curl'), el('pre', { className: 'curl', id: 'curl-command' }, detail.curl))
    return parts
  }

  async function runReplay (id, message) {
    message.textContent = `replaying #${id}…`
    try {
      const result = await replay(id).catch(error => {
        if (error.code !== 'proxy/replay-needs-confirmation' || !window.confirm(error.message)) throw error
        return replay(id, true)
      })
      const how = result.configuration === 're-read' ? ` with the re-read configuration (changed: ${result.changed.join(', ')})` : ''
      notice = { id: result.id, text: `replay of #${id}: ${result.status}${how}` }
      message.textContent = `replayed as #${result.id}: ${result.status}${how}`
      onSelect(result.id)
    } catch (error) {
      message.textContent = `replay failed: ${error.message}`
    }
  }

  async function compare (originalId, replayId) {
    try {
      const [left, right] = await Promise.all([exchangeDetail(originalId), exchangeDetail(replayId)])
      clear(pane)
      pane.append(el('div', { className: 'actions' }, el('button', { type: 'button', on: { click: () => show(replayId) } }, `Back to #${replayId}`)), renderCompare(left, right))
    } catch (error) {
      pane.append(el('p', { className: 'error' }, `compare failed: ${error.message}`))
    }
  }

  return { show, get shownId () { return shownId } }
}

function bodySection (title, body, id) {
  if (!body || body.kind === 'empty') return [el('h3', {}, title), el('p', { className: 'muted' }, 'no body')]
  const facts = [body.contentType ?? 'no content type', size(body.totalBytes)]
  if (body.truncated) facts.push(`first ${size(body.keptBytes)} kept (INSPECTOR_MAX_BODY_BYTES)`)
  if (body.decodedFrom) facts.push(`decoded from ${body.decodedFrom}`)
  if (body.decodedCut) facts.push(`first ${size(body.decodedBytes)} of it decoded (INSPECTOR_MAX_BODY_BYTES)`)
  const content = body.kind === 'binary'
    ? el('p', { className: 'muted' }, 'binary body, not shown')
    : el('pre', { className: 'body', id }, body.truncated ? body.text : prettyText(body.text))
  return [el('h3', {}, title, el('span', { className: 'muted' }, ` ${facts.join(' · ')}`)), content]
}

async function copy (text, message) {
  try {
    await navigator.clipboard.writeText(text)
    message.textContent = 'curl command copied (secrets are $VARIABLES: export them first)'
  } catch {
    message.textContent = 'the browser refused the clipboard; select the command below and copy it'
  }
}
