// The inspector page: the list (loaded once, then live over SSE), filters, pause and
// clear, the detail pane, the split between them, and ↑/↓ through the rows. Filtering happens on the proxy (the same query as the API
// and HAR export), so the page, the API and the HAR file always agree.
import { listExchanges, eventsUrl, harUrl, clearExchanges } from './api.js'
import { createList } from './list.js'
import { createDetail } from './detail.js'
import { createEnvironmentSwitch } from './environment.js'

const LIST_LIMIT = 1000

const $ = id => document.getElementById(id)
const statusLine = $('status-line')
const list = createList(document.querySelector('#list tbody'), select)
const detail = createDetail($('detail-pane'), { onSelect: select })

let source
let paused = false
let waiting = []
let generation = 0

function filters () {
  return {
    status: $('f-status').value,
    method: $('f-method').value,
    environment: $('f-environment').value,
    q: $('f-q').value.trim(),
    failed: $('f-failed').checked,
    stream: $('f-stream').checked
  }
}

function select (id) {
  list.select(id)
  void detail.show(id)
}

function updateEmpty () {
  $('empty').hidden = list.shownCount > 0
  const hidden = list.hiddenCount
  $('preflight-count').textContent = hidden > 0 ? ` (${hidden})` : ''
  $('empty').textContent = hidden > 0 ? `Only preflights so far (${hidden}, hidden).` : 'No exchanges yet. Requests through the proxy appear here as they happen.'
}

function applyPreflightToggle () {
  // Asking for OPTIONS by the method filter shows them.
  list.hidePreflights($('f-preflights').checked && $('f-method').value !== 'OPTIONS')
  updateEmpty()
}

function say (text) {
  statusLine.textContent = text
}

function arrived (summary) {
  if (paused) {
    waiting.push(summary)
    say(`paused: ${waiting.length} new`)
    return
  }
  list.put(summary)
  updateEmpty()
  if (summary.id === detail.shownId && summary.state === 'done') void detail.show(summary.id)
}

async function reload () {
  const mine = ++generation
  const current = filters()
  $('har').href = harUrl(current)
  source?.close()
  // Subscribe first, then load: an exchange that finishes in between arrives twice
  // (put() replaces by id) rather than not at all.
  source = new EventSource(eventsUrl(current))
  source.addEventListener('exchange', event => { if (mine === generation) arrived(JSON.parse(event.data)) })
  source.addEventListener('stream-event', event => {
    if (mine !== generation) return
    const { id, event: streamed } = JSON.parse(event.data)
    detail.streamEvent(id, streamed)
  })
  source.addEventListener('clear', () => { if (mine === generation) { list.replaceAll([]); updateEmpty() } })
  source.addEventListener('open', () => { if (!paused) say('live') })
  source.addEventListener('error', () => { if (!paused) say('reconnecting…') })
  try {
    const { exchanges, kept, capacity } = await listExchanges(current, LIST_LIMIT)
    if (mine !== generation) return
    list.replaceAll(exchanges)
    if (detail.shownId !== undefined) list.select(detail.shownId)
    updateEmpty()
    document.title = `Inspector (${kept}/${capacity}) · bkend-dev-proxy`
  } catch (error) {
    say(`cannot load the list: ${error.message}`)
  }
}

let typing
$('filters').addEventListener('submit', event => event.preventDefault())
$('filters').addEventListener('change', event => {
  applyPreflightToggle()
  if (event.target.id !== 'f-preflights') void reload()
})
$('f-q').addEventListener('input', () => {
  clearTimeout(typing)
  typing = setTimeout(() => { void reload() }, 250)
})

$('pause').addEventListener('click', () => {
  paused = !paused
  $('pause').textContent = paused ? 'Resume' : 'Pause'
  $('pause').setAttribute('aria-pressed', String(paused))
  if (paused) {
    say('paused')
    return
  }
  const held = waiting
  waiting = []
  for (const summary of held) arrived(summary)
  say('live')
})

$('clear').addEventListener('click', async () => {
  try {
    await clearExchanges()
    list.replaceAll([])
    waiting = []
    updateEmpty()
  } catch (error) {
    say(`clear failed: ${error.message}`)
  }
})

// ↑/↓ move through the shown rows wherever the focus is, except where the keys edit something.
document.addEventListener('keydown', event => {
  if ((event.key !== 'ArrowUp' && event.key !== 'ArrowDown') || event.altKey || event.ctrlKey || event.metaKey) return
  if (event.target.closest('input, select, textarea, dialog, #splitter')) return
  const id = list.neighbour(event.key === 'ArrowDown' ? 1 : -1)
  if (id === undefined) return
  event.preventDefault()
  if (id !== detail.shownId) select(id)
  document.querySelector(`#list tbody tr[data-id="${id}"]`)?.focus({ preventScroll: true })
})

// The split between list and detail: dragged, or ←/→ on the separator; kept as a share
// of the width, so it survives a reload and a resized window.
const SPLIT_KEY = 'bkend-dev-proxy.inspector.split'
const MIN_LIST_PX = 420
const MIN_DETAIL_PX = 300

function setSplit (listPx) {
  const width = $('list-pane').parentElement.clientWidth
  const clamped = Math.max(MIN_LIST_PX, Math.min(listPx, width - MIN_DETAIL_PX))
  const share = Math.round(clamped / width * 1000) / 10
  $('list-pane').style.flexBasis = `${share}%`
  $('splitter').setAttribute('aria-valuenow', String(share))
  localStorage.setItem(SPLIT_KEY, String(share))
}

$('splitter').addEventListener('pointerdown', event => {
  event.preventDefault()
  const splitter = $('splitter')
  const startX = event.clientX
  const startWidth = $('list-pane').getBoundingClientRect().width
  const move = moved => setSplit(startWidth + moved.clientX - startX)
  splitter.setPointerCapture(event.pointerId)
  splitter.classList.add('dragging')
  splitter.addEventListener('pointermove', move)
  splitter.addEventListener('lostpointercapture', () => {
    splitter.removeEventListener('pointermove', move)
    splitter.classList.remove('dragging')
  }, { once: true })
})
$('splitter').addEventListener('keydown', event => {
  if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return
  event.preventDefault()
  setSplit($('list-pane').getBoundingClientRect().width + (event.key === 'ArrowLeft' ? -40 : 40))
})
const savedSplit = Number(localStorage.getItem(SPLIT_KEY))
if (savedSplit > 0 && savedSplit < 100) $('list-pane').style.flexBasis = `${savedSplit}%`

applyPreflightToggle()
void reload()
void createEnvironmentSwitch($('environment'), say)
