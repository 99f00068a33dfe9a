// Small DOM helpers shared by the page's parts. Text from the server only ever goes in as text nodes (never as
// HTML), so a hostname a client chose cannot become markup.

/** `el('td', { className: 'x', title: 't' }, 'text', child)`: properties set as such, `data-*` as attributes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('data-') || k.startsWith('aria-')) node.setAttribute(k, String(v));
    else node[k] = v;
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    node.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
  return node;
}

export function byId(id) {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node;
}

/** "2024-05-01 12:00:03" in the browser's time zone, or '' (the ISO text stays in the cell's title). */
export function shortTime(iso) {
  if (iso === null || iso === undefined || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function timeCell(iso) {
  return el('td', { title: iso ?? '' }, shortTime(iso));
}

export function clockTime(d = new Date()) {
  return shortTime(d.toISOString()).slice(11);
}

/** The status line under the header: what the last action did ('ok'), or why it failed ('error'). */
export function notify(message, kind = 'info') {
  const node = byId('notice');
  node.textContent = message;
  node.dataset.kind = kind;
  node.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

const MAX_EVENTS = 200;

/** A line at the top of the live event log (the newest 200 are kept). */
export function logEvent(text, kind = 'info') {
  const list = byId('event-log');
  list.prepend(el('li', { 'data-kind': kind }, el('time', {}, clockTime()), ' ', text));
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}

/** A hardware address as the API takes it in `mac=`: 1 to 16 hex octets separated by ':' or '-'. */
export function isMac(text) {
  return /^[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){1,15}$/i.test(text.trim());
}

export function isIp(text) {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text.trim());
}
