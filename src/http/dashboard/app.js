// The dashboard's start: the token (from `?token=` once, or the sign-in form; kept in sessionStorage), the role
// it has (read: actions shown disabled), then each part refreshed on its own timer - pools, leases and the event
// log every 5 s, reservations, failover and DDNS every 10 s - never two requests of one part at once, and none
// while the tab is hidden. Nothing here can stall DHCP: each refresh is one bounded API request (the lease table
// asks for 50 leases a page).

import { ApiError, probeRole, takeTokenFromAddress, token, whenUnauthorized } from './api.js';
import { createLeases } from './leases.js';
import { createEvents, createFailover, createHistory, createHosts } from './panels.js';
import { createPools } from './pools.js';
import { byId, logEvent, notify } from './ui.js';

const FAST_MS = 5000;
const SLOW_MS = 10_000;

let role = null; // 'admin' | 'read' | 'open' once signed in
let pollers = [];

const canChange = () => role === 'admin' || role === 'open';
const hosts = createHosts();
const history = createHistory();
const pools = createPools();
const events = createEvents();
const failover = createFailover();
const leases = createLeases({
  canChange,
  reservedAs: (mac) => hosts.reservedAs(mac),
  hostsChanged: () => hosts.refresh(),
  showHistory: (key) => void history.show(key),
});

/** Runs `fn` after `first` ms, then `ms` after each end; a failure is told once (until it succeeds again). */
function every(ms, what, fn, first = 0) {
  let timer;
  let stopped = false;
  let failing = '';
  const run = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try {
        await fn();
        if (failing !== '') logEvent(`${what}: working again`, 'ok');
        failing = '';
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return; // the sign-in form is shown
        if (e.message !== failing) {
          failing = e.message;
          logEvent(`${what}: ${e.message}`, 'error');
          notify(`${what} could not be refreshed: ${e.message}`, 'error');
        }
      }
    }
    if (!stopped) timer = setTimeout(run, ms);
  };
  timer = setTimeout(run, first);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function stopPolling() {
  for (const stop of pollers) stop();
  pollers = [];
}

function showSignIn(message) {
  stopPolling();
  role = null;
  byId('app').hidden = true;
  byId('sign-out').hidden = true;
  const badge = byId('role');
  badge.textContent = '';
  badge.dataset.role = '';
  byId('login-error').textContent = message;
  byId('login').hidden = false;
  byId('login-token').focus();
}

async function start() {
  let got;
  try {
    got = await probeRole();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      showSignIn(token.get() === null ? '' : `The server refused this token: ${e.message}`);
      if (token.get() !== null) token.clear();
      return;
    }
    notify(`The server cannot be reached: ${e.message}. Trying again in 5 s.`, 'error');
    setTimeout(() => void start(), FAST_MS);
    return;
  }
  role = got;
  const badge = byId('role');
  badge.dataset.role = role;
  badge.textContent = role === 'open' ? 'no tokens (loopback only)' : `${role} token`;
  byId('login').hidden = true;
  byId('app').hidden = false;
  byId('sign-out').hidden = token.get() === null;
  byId('read-only').hidden = role !== 'read';
  notify('');
  stopPolling();
  const hostsLoaded = hosts.refresh().catch(() => {}); // the lease table marks reserved clients from the start
  pollers = [
    every(FAST_MS, 'pools', () => pools.refresh()),
    every(FAST_MS, 'events', () => events.refresh()),
    every(FAST_MS, 'leases', async () => {
      await hostsLoaded;
      await leases.refresh();
    }),
    every(SLOW_MS, 'reservations', () => hosts.refresh(), SLOW_MS),
    every(SLOW_MS, 'failover', () => failover.refresh()),
  ];
}

whenUnauthorized((message) => {
  if (role === null) return; // start() tells
  token.clear();
  showSignIn(`The server refused the token: ${message}. Sign in again.`);
});

byId('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const t = byId('login-token').value.trim();
  if (t === '') return;
  token.set(t);
  byId('login-token').value = '';
  void start();
});

byId('sign-out').addEventListener('click', () => {
  token.clear();
  showSignIn('Signed out.');
});

takeTokenFromAddress();
void start();
