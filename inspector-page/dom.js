// Building DOM from data: every value from the wire becomes a text node (textContent),
// never markup: no value is ever parsed as HTML anywhere in the page.

/** el('td', { className: 'status' }, '404') → <td class="status">404</td>. */
export function el (tag, props = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue
    if (name === 'className') node.className = value
    else if (name === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler)
    else if (name === 'dataset') Object.assign(node.dataset, value)
    else node.setAttribute(name, value === true ? '' : String(value))
  }
  append(node, children)
  return node
}

function append (node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue
    if (Array.isArray(child)) append(node, child)
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

export function clear (node) {
  while (node.firstChild) node.firstChild.remove()
}

export function clockTime (iso) {
  const date = new Date(iso)
  const two = n => String(n).padStart(2, '0')
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`
}

export function size (bytes) {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

export function duration (ms) {
  if (ms === undefined) return '…'
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`
}

export function statusClass (status) {
  return `s${Math.floor(status / 100)}xx`
}

/** JSON pretty-printed when the whole text parses; any other text as it is. */
export function prettyText (text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

/**
 * An in-page dialog (not window.confirm, which a page can be made to skip and a test
 * cannot read): a title, labelled facts, a warning; resolves true only on the action button.
 */
export function askToConfirm ({ title, lines, warning, action }) {
  return new Promise(resolve => {
    const finish = answer => { dialog.close(); dialog.remove(); resolve(answer) }
    const dialog = el('dialog', { id: 'confirm-dialog', 'aria-labelledby': 'confirm-title', on: { cancel: () => finish(false) } },
      el('h2', { id: 'confirm-title' }, title),
      el('dl', { className: 'facts' }, lines.filter(Boolean).map(([name, value]) => [el('dt', {}, name), el('dd', { className: `fact-${name}${value === 'prod' ? ' prod' : ''}` }, value)])),
      el('p', { className: 'warning' }, warning),
      el('div', { className: 'actions' },
        el('button', { type: 'button', id: 'confirm-cancel', on: { click: () => finish(false) } }, 'Cancel'),
        el('button', { type: 'button', id: 'confirm-send', className: 'primary', on: { click: () => finish(true) } }, action)))
    document.body.append(dialog)
    dialog.showModal()
    dialog.querySelector('#confirm-cancel').focus()
  })
}
