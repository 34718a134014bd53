// The inspector page: the list (loaded once, then live over SSE), filters, pause and
// clear, and the detail pane. Filtering happens on the proxy (the same query as the API
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
  $('empty').hidden = list.size > 0
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
$('filters').addEventListener('change', () => { void reload() })
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

void reload()
void createEnvironmentSwitch($('environment'), say)
