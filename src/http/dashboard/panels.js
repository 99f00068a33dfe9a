// The smaller parts of the page: the lease history of an address or client (GET /api/v1/history), the
// reservations (GET /api/v1/hosts, first 200), the live event log (what changed in GET /api/v1/stats since the
// last look, plus this page's own actions), and failover (GET /api/v1/failover) and DDNS status (the
// leasehold_ddns_* series of /metrics, when the server has them).

import { ApiError, get, query } from './api.js';
import { byId, el, isIp, isMac, logEvent, timeCell } from './ui.js';

// ---- lease history

export function createHistory() {
  async function show(key) {
    const k = key.trim();
    byId('history-key').value = k;
    const note = byId('history-note').firstElementChild;
    const params = isIp(k) ? { ip: k } : isMac(k) ? { mac: k } : undefined;
    if (params === undefined) {
      note.textContent = `"${k}" is neither an IPv4 address nor a MAC (aa:bb:cc:dd:ee:ff).`;
      return;
    }
    try {
      const { items } = await get(`/api/v1/history${query({ ...params, limit: 50 })}`);
      const rows = items.map((h) =>
        el(
          'tr',
          { 'data-ip': h.ip, 'data-state': h.state },
          timeCell(h.at),
          el('td', {}, h.ip),
          el('td', {}, h.state),
          el('td', {}, h.hardware ?? ''),
          el('td', {}, h.hostname ?? ''),
          timeCell(h.starts),
          timeCell(h.ends),
        ),
      );
      byId('history-rows').replaceChildren(...rows);
      note.textContent = `${items.length} change${items.length === 1 ? '' : 's'} of ${k}, newest first.`;
    } catch (e) {
      byId('history-rows').replaceChildren();
      note.textContent =
        e instanceof ApiError && e.status === 501
          ? 'This server keeps no lease history (--history-days 0).'
          : `History of ${k}: ${e.message}`;
    }
    byId('history').scrollIntoView({ block: 'nearest' });
  }

  byId('history-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void show(byId('history-key').value);
  });
  return { show };
}

// ---- reservations

export function createHosts() {
  let byMac = new Map(); // lower-case hardware -> host name

  async function refresh() {
    const { items, next } = await get('/api/v1/hosts?limit=200');
    byMac = new Map(items.filter((h) => h.hardware).map((h) => [h.hardware.toLowerCase(), h.name]));
    const rows = items.map((h) =>
      el(
        'tr',
        { 'data-host': h.name, 'data-mac': h.hardware ?? '' },
        el('td', {}, h.name),
        el('td', {}, h.hardware ?? ''),
        el('td', {}, h.fixedAddress ?? ''),
        el('td', {}, h.clientId ?? ''),
        el('td', {}, h.dynamic ? 'made at run time' : 'dhcpd.conf'),
      ),
    );
    if (rows.length === 0) rows.push(el('tr', {}, el('td', { colSpan: 5 }, 'No reservations.')));
    byId('host-rows').replaceChildren(...rows);
    byId('host-note').firstElementChild.textContent = next === null ? '' : 'The first 200 are shown.';
  }

  return { refresh, reservedAs: (mac) => byMac.get(mac.toLowerCase()) };
}

// ---- the live event log, from the server's counters

function deltas(before = {}, now = {}) {
  const out = [];
  for (const [k, v] of Object.entries(now)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out.push(`+${d} ${k}`);
  }
  return out;
}

export function createEvents() {
  let last;

  async function refresh() {
    const s = await get('/api/v1/stats');
    if (last === undefined) {
      logEvent(`connected: server up ${s.uptimeSeconds} s, ${s.leases.active ?? 0} active leases`);
    } else if (s.uptimeSeconds < last.uptimeSeconds) {
      logEvent('the server restarted', 'warn');
    } else {
      const traffic = [
        ...deltas(last.receivedByType, s.receivedByType),
        ...deltas(last.repliesByType, s.repliesByType),
      ];
      if (traffic.length > 0) logEvent(traffic.join(', '));
      const drops = deltas(last.drops, s.drops);
      if (drops.length > 0) logEvent(`dropped: ${drops.join(', ')}`, 'warn');
      const states = Object.keys(s.leases)
        .filter((k) => s.leases[k] !== last.leases[k])
        .map((k) => `${k} ${last.leases[k] ?? 0} -> ${s.leases[k]}`);
      if (states.length > 0) logEvent(`leases: ${states.join(', ')}`);
      if (s.commitFailures > last.commitFailures) {
        logEvent(`${s.commitFailures - last.commitFailures} lease-file writes failed`, 'error');
      }
      if (s.conflicts > last.conflicts)
        logEvent(`${s.conflicts - last.conflicts} address conflicts (ping answered)`, 'warn');
      if (s.dynamicHosts !== last.dynamicHosts) logEvent(`reservations made at run time: ${s.dynamicHosts}`);
    }
    last = s;
    byId('server-line').textContent =
      `up ${Math.floor(s.uptimeSeconds / 60)} min, ${s.received} packets, ${s.replies} replies`;
  }

  return { refresh };
}

// ---- failover and DDNS

/** `leasehold_ddns...{labels} value` lines of the Prometheus text. */
export function ddnsSeries(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^(leasehold_ddns\w*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m !== null) out.push({ name: m[1], labels: (m[2] ?? '').slice(1, -1), value: m[3] });
  }
  return out;
}

export function createFailover() {
  const states = new Map(); // relationship -> "local/partner", to log changes

  async function refresh() {
    const rels = await get('/api/v1/failover');
    const box = byId('failover-body');
    if (rels.length === 0) {
      box.replaceChildren(el('p', {}, el('small', {}, 'No failover relationship in the configuration.')));
    } else {
      const head = ['Relationship', 'Role', 'This server', 'Partner', 'MCLT', 'Partner address', 'Unacked'];
      const rows = rels.map((r) => {
        const now = `${r.localState}/${r.partnerState}`;
        const before = states.get(r.name);
        if (before !== undefined && before !== now) logEvent(`failover ${r.name}: ${before} -> ${now}`, 'warn');
        states.set(r.name, now);
        return el(
          'tr',
          { 'data-failover': r.name },
          el('td', {}, r.name),
          el('td', {}, r.role),
          el('td', {}, r.localState),
          el('td', {}, r.partnerState),
          el('td', {}, `${r.mclt} s`),
          el('td', {}, `${r.partnerAddress}:${r.partnerPort}`),
          el('td', {}, r.unackedUpdates),
        );
      });
      box.replaceChildren(
        el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))), el('tbody', {}, ...rows)),
      );
    }
    const series = ddnsSeries(await get('/metrics'));
    byId('ddns-body').replaceChildren(
      series.length === 0
        ? el('p', {}, el('small', {}, 'No DDNS updates reported by this server.'))
        : el(
            'table',
            {},
            el('thead', {}, el('tr', {}, el('th', {}, 'DDNS'), el('th', {}, 'Labels'), el('th', {}, 'Value'))),
            el(
              'tbody',
              {},
              ...series.map((s) => el('tr', {}, el('td', {}, s.name), el('td', {}, s.labels), el('td', {}, s.value))),
            ),
          ),
    );
  }

  return { refresh };
}
