// The live lease table: GET /api/v1/leases a page at a time (50 leases; the cursor the API gives leads to the
// next page), filtered by what the search box holds - a MAC, an address prefix or a hostname - and by state and
// pool, refreshed with the rest of the page. Each lease becomes a reservation in one click (POST /api/v1/hosts with
// its hardware address and fixed-address = its address), is released (DELETE /api/v1/leases/{ip}), or shows its
// history. With a read token the actions are shown disabled.

import { call, get, query } from './api.js';
import { byId, el, isMac, logEvent, notify, timeCell } from './ui.js';

const PAGE = 50;
const NEEDS_ADMIN = 'needs an admin token: this page uses a read token';

/** What the search box's text is searched as: the API's `mac`, `ip` (prefix or CIDR) or `hostname` filter. */
export function searchFilter(text) {
  const t = text.trim();
  if (t === '') return { what: 'everything', params: {} };
  if (isMac(t)) return { what: `hardware address ${t}`, params: { mac: t } };
  if (/^\d{1,3}(\.\d{0,3}){0,3}(\/\d{1,2})?$/.test(t)) return { what: `addresses starting ${t}`, params: { ip: t } };
  return { what: `hostnames containing "${t}"`, params: { hostname: t } };
}

/** A host name the API accepts, from the lease's client hostname, else its hardware address or address. */
function hostNameFor(lease) {
  const fromHostname = (lease.hostname ?? '')
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[^A-Za-z0-9_]+/, '')
    .slice(0, 63);
  if (fromHostname !== '') return fromHostname;
  if (lease.hardware) return `mac-${lease.hardware.replace(/^\S+ /, '').replace(/[:-]/g, '')}`.slice(0, 63);
  return `ip-${lease.ip.replaceAll('.', '-')}`;
}

/**
 * @param {{ canChange: () => boolean, reservedAs: (mac: string) => string | undefined,
 *           hostsChanged: () => Promise<void>, showHistory: (key: string) => void }} deps
 */
export function createLeases(deps) {
  const cursors = []; // the cursors of the pages before this one
  let cursor = null; // this page's
  let next = null;
  let filter = searchFilter('');
  let generation = 0; // a filter change makes answers to older requests stale

  function actionButton(label, title, onClick) {
    const allowed = deps.canChange();
    const b = el('button', {
      type: 'button',
      className: 'small',
      disabled: !allowed,
      title: allowed ? title : `${label}: ${NEEDS_ADMIN}`,
      'data-action': label.toLowerCase(),
    });
    b.textContent = label;
    b.addEventListener('click', () => void onClick(b));
    return b;
  }

  async function reserve(lease, button) {
    button.disabled = true;
    const body = { fixedAddress: lease.ip };
    if (lease.hardware) body.hardware = lease.hardware;
    else body.clientId = lease.clientId;
    try {
      let host;
      try {
        host = await call('POST', '/api/v1/hosts', { name: hostNameFor(lease), ...body });
      } catch (e) {
        if (e.status !== 409) throw e;
        host = await call('POST', '/api/v1/hosts', body); // the name is taken: the server names it (nh...)
      }
      const who = lease.hardware ?? lease.clientId;
      notify(`Reserved ${lease.ip} for ${who}: host ${host.name} (fixed-address ${host.fixedAddress}).`, 'ok');
      logEvent(`reservation ${host.name}: ${who} -> ${lease.ip}`, 'ok');
      await deps.hostsChanged();
    } catch (e) {
      notify(`Reserving ${lease.ip} was refused: ${e.message}`, 'error');
      logEvent(`reserving ${lease.ip} refused: ${e.message}`, 'error');
    } finally {
      button.disabled = !deps.canChange();
      await refresh().catch(() => {});
    }
  }

  async function release(lease, button) {
    if (
      !window.confirm(`Release ${lease.ip}${lease.hardware ? ` (${lease.hardware})` : ''}? The address becomes free.`)
    )
      return;
    button.disabled = true;
    try {
      const freed = await call('DELETE', `/api/v1/leases/${encodeURIComponent(lease.ip)}`);
      notify(`Released ${lease.ip}: now ${freed.state}.`, 'ok');
      logEvent(`lease ${lease.ip} released from this page`, 'ok');
    } catch (e) {
      notify(`Releasing ${lease.ip} was refused: ${e.message}`, 'error');
      logEvent(`releasing ${lease.ip} refused: ${e.message}`, 'error');
    } finally {
      button.disabled = !deps.canChange();
      await refresh().catch(() => {});
    }
  }

  function row(lease) {
    const reservedAs = lease.hardware ? deps.reservedAs(lease.hardware) : undefined;
    const actions = el('td', { className: 'actions' });
    if (reservedAs !== undefined)
      actions.append(el('span', { className: 'tag', 'data-reserved': reservedAs }, `reserved: ${reservedAs}`));
    else if (lease.hardware || lease.clientId) {
      actions.append(
        actionButton('Reserve', `make ${lease.ip} a fixed address of this client`, (b) => reserve(lease, b)),
      );
    }
    if (lease.state !== 'free' && lease.state !== 'backup') {
      actions.append(actionButton('Release', `free ${lease.ip} now`, (b) => release(lease, b)));
    }
    const history = el('button', { type: 'button', className: 'small secondary', 'data-action': 'history' }, 'History');
    history.addEventListener('click', () => deps.showHistory(lease.ip));
    actions.append(history);
    return el(
      'tr',
      { 'data-ip': lease.ip, 'data-mac': lease.hardware ?? '', 'data-state': lease.state },
      el('td', {}, lease.ip),
      el('td', {}, el('span', { className: `state state-${lease.state}` }, lease.state)),
      el('td', { title: lease.clientId ? `client id ${lease.clientId}` : '' }, lease.hardware ?? ''),
      el('td', {}, lease.hostname ?? ''),
      timeCell(lease.starts),
      timeCell(lease.ends),
      el('td', {}, lease.pool ?? ''),
      actions,
    );
  }

  async function refresh() {
    const mine = generation;
    const params = {
      ...filter.params,
      state: byId('lease-state').value,
      pool: byId('lease-pool').value,
      limit: PAGE,
      cursor,
    };
    const page = await get(`/api/v1/leases${query(params)}`);
    if (mine !== generation) return; // the filter changed meanwhile: that request's answer is coming
    next = page.next;
    const rows = page.items.map(row);
    if (rows.length === 0) rows.push(el('tr', {}, el('td', { colSpan: 8 }, 'No lease matches.')));
    byId('lease-rows').replaceChildren(...rows);
    byId('lease-next').disabled = next === null;
    byId('lease-first').disabled = cursor === null;
    const partial = next !== null && page.items.length < PAGE ? ' (the server looked no further this time)' : '';
    byId('lease-page').textContent =
      `page ${cursors.length + 1}: ${page.items.length} lease${page.items.length === 1 ? '' : 's'}${partial}`;
  }

  function restart() {
    generation++;
    cursors.length = 0;
    cursor = null;
    byId('lease-search-as').firstElementChild.textContent = `Searching ${filter.what}.`;
    return refresh();
  }

  let debounce;
  const report = (e) => notify(`Leases: ${e.message}`, 'error');
  byId('lease-search').addEventListener('input', (ev) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      filter = searchFilter(ev.target.value);
      restart().catch(report);
    }, 300);
  });
  byId('lease-filter').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(debounce);
    filter = searchFilter(byId('lease-search').value);
    restart().catch(report);
  });
  for (const id of ['lease-state', 'lease-pool']) byId(id).addEventListener('change', () => restart().catch(report));
  byId('lease-next').addEventListener('click', () => {
    if (next === null) return;
    cursors.push(cursor);
    cursor = next;
    generation++;
    refresh().catch(report);
  });
  byId('lease-first').addEventListener('click', () => restart().catch(report));

  return { refresh, restart };
}
