// The detail pane for one exchange: the curl -v block as the log prints it, bodies,
// timings, hint, notes, a stream's events (live while it is open), copy-as-curl, replay
// and the link to its replays.
import { el, clear, clockTime, size, duration, statusClass, prettyText, askToConfirm } from './dom.js'
import { exchangeDetail, replay } from './api.js'
import { renderCompare } from './compare.js'
import { activeEnvironment } from './environment.js'

const WRITING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
// The proxy keeps a stream's last 500 events; the live table keeps as many.
const MAX_EVENT_ROWS = 500

export function createDetail (pane, { onSelect }) {
  let shownId
  // The exchange on screen: a new one starts at the top, the same one keeps its place.
  let renderedId
  // What a replay said, shown on the pane of the exchange it created.
  let notice
  // The open stream's event table and the last event in it, for live events to append to.
  let liveEvents

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
    liveEvents = undefined
    clear(pane)
    pane.append(...render(detail))
    if (renderedId !== id) pane.scrollTop = 0
    renderedId = id
  }

  function render (detail) {
    const message = el('p', { className: 'action-result', role: 'status' }, notice?.id === detail.id ? notice.text : '')
    const parts = [
      el('h2', {}, el('span', { className: `badge ${statusClass(detail.status)}` }, String(detail.status)), ` #${detail.id} ${detail.method} `, el('span', { className: 'path' }, detail.url)),
      el('p', { className: 'meta' },
        `${clockTime(detail.startedAt)} · ${detail.environment} · answered by ${detail.answeredBy}`,
        detail.target && detail.target !== 'proxy' ? ` · ${detail.target}` : '',
        detail.state === 'open' ? ' · still streaming' : '',
        detail.endedBy === 'client' ? ' · closed by the client' : '',
        detail.replayOf !== undefined ? ` · replay of #${detail.replayOf}` : ''),
      el('div', { className: 'actions' },
        el('button', { type: 'button', id: 'replay-button', on: { click: () => runReplay(detail, message) } }, 'Replay'),
        detail.curl ? el('button', { type: 'button', id: 'copy-curl', on: { click: () => copy(curlWithShownBody(detail.curl, detail.request?.body), message) } }, 'Copy as curl') : null,
        detail.replayOf !== undefined ? el('button', { type: 'button', id: 'compare-button', on: { click: () => compare(detail.replayOf, detail.id) } }, `Compare with #${detail.replayOf}`) : null,
        ...(detail.replays ?? []).map(id => el('button', { type: 'button', className: 'link', on: { click: () => onSelect(id) } }, `replay #${id}`))),
      message
    ]
    if (detail.streamEvents) parts.push(...eventsSection(detail))
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
        el('dt', {}, 'completed'), el('dd', {}, detail.completed ? 'yes' : detail.cutBy === 'client' ? 'closed by the client' : `no (cut by the ${detail.cutBy})`)),
      el('h3', {}, 'curl -v'),
      el('pre', { className: 'curl-verbose', id: 'curl-verbose' }, detail.curlVerbose),
      ...bodySection('Request body', detail.request.body, 'request-body'),
      ...bodySection('Response body', detail.response.body, 'response-body'))
    if (detail.curl) parts.push(el('h3', {}, 'Copy as curl'), el('pre', { className: 'curl', id: 'curl-command' }, curlWithShownBody(detail.curl, detail.request.body)))
    return parts
  }

  function eventsSection (detail) {
    const { items, dropped } = detail.streamEvents
    const tbody = el('tbody', {}, items.map(eventRow))
    const count = el('span', { className: 'muted' }, '')
    if (detail.state === 'open') liveEvents = { id: detail.id, tbody, count, last: items.at(-1), seen: items.length, dropped }
    count.textContent = eventCount(items.length + dropped, dropped)
    return [
      el('h3', {}, 'Events', count),
      el('div', { className: 'events-box' }, el('table', { className: 'events', id: 'stream-events' },
        el('thead', {}, el('tr', {}, el('th', {}, 'time'), el('th', {}, 'event'), el('th', {}, 'id'), el('th', {}, 'data'))),
        tbody))
    ]
  }

  /** One event of an open stream from the feed; the detail already holds the ones before it. */
  function streamEvent (id, event) {
    if (liveEvents === undefined || liveEvents.id !== id || shownId !== id) return
    const last = liveEvents.last
    if (last !== undefined && (event.at < last.at || (event.at === last.at && event.data === last.data && event.id === last.id))) return
    liveEvents.last = event
    liveEvents.seen++
    // Followed like tail -f while scrolled to the end; at most as many rows as the proxy keeps.
    const box = liveEvents.tbody.closest('.events-box')
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4
    liveEvents.tbody.append(eventRow(event))
    if (liveEvents.tbody.children.length > MAX_EVENT_ROWS) {
      liveEvents.tbody.firstChild.remove()
      liveEvents.seen--
      liveEvents.dropped++
    }
    if (atEnd) box.scrollTop = box.scrollHeight
    liveEvents.count.textContent = eventCount(liveEvents.seen + liveEvents.dropped, liveEvents.dropped)
  }

  async function runReplay (detail, message) {
    const { id, method, url } = detail
    // Sending a write again may create or change data: the page asks first, naming where it goes.
    let confirmed = false
    if (WRITING_METHODS.has(method)) {
      const environment = await activeEnvironment().catch(() => undefined)
      confirmed = await askToConfirm({
        title: `Send ${method} ${url} again?`,
        lines: [
          ['method', method], ['path', url], ['environment', environment ?? 'unknown'],
          environment !== undefined && environment !== detail.environment ? ['note', `the original went to ${detail.environment}; the replay goes to the active environment`] : null
        ],
        warning: `${method} writes: sending it again may create, change or delete data${environment === 'prod' ? ' IN PROD' : ''}.`,
        action: `Send ${method} again`
      })
      if (!confirmed) {
        message.textContent = `replay of #${id} cancelled: nothing was sent`
        return
      }
    }
    message.textContent = `replaying #${id}…`
    try {
      const result = await replay(id, confirmed).catch(async error => {
        if (error.code !== 'proxy/replay-needs-confirmation') throw error
        if (!await askToConfirm({ title: `Send ${method} ${url} again?`, lines: [], warning: error.message, action: 'Send it again' })) throw new Error('cancelled: nothing was sent')
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
      pane.scrollTop = 0
      renderedId = undefined
    } catch (error) {
      pane.append(el('p', { className: 'error' }, `compare failed: ${error.message}`))
    }
  }

  return { show, streamEvent, get shownId () { return shownId } }
}

function eventCount (total, dropped) {
  return ` (${total}${dropped > 0 ? `; the first ${dropped} not kept` : ''})`
}

function eventRow (event) {
  return el('tr', {},
    el('td', { className: 'at' }, `+${duration(event.at)}`),
    el('td', { className: 'event-name' }, event.event ?? 'message'),
    el('td', { className: 'event-id' }, event.id ?? ''),
    el('td', { className: 'data', title: event.data }, event.data))
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

// The proxy's command names a file for a body it does not log (LOG_BODIES); the page has
// that body, redacted as it shows it, so its command carries it. A body that was cut or
// decoded from gzip and the like stays a file: the text shown is not what was sent.
const BODY_FILE = / --data-binary @request-body\.\w+ # .*$/

export function curlWithShownBody (curl, body) {
  if (body?.kind !== 'text' || body.truncated || body.decodedFrom || !BODY_FILE.test(curl)) return curl
  const command = curl.replace(BODY_FILE, () => ` --data-binary ${shellQuoted(body.text)}`)
  return body.text.includes('••••') ? `${command} # secret fields are shown as ••••: put their values back before running it` : command
}

// As the proxy quotes (src/diagnose/copy-as-curl.ts): POSIX single quotes, or bash's $'…'
// when the text holds a line break or another control character.
function shellQuoted (text) {
  if (!/[\u0000-\u001f\u007f]/.test(text)) return `'${text.replace(/'/g, `'\\''`)}'`
  const escaped = text.replace(/[\\'\u0000-\u001f\u007f]/g, character => {
    if (character === '\n') return '\\n'
    if (character === '\r') return '\\r'
    if (character === '\t') return '\\t'
    if (character === '\\' || character === "'") return `\\${character}`
    return `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
  return `$'${escaped}'`
}
