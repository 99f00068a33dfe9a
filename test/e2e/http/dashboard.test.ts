// The web dashboard. First its files as the HTTP app serves them (no namespace needed): `/` and `/dashboard`
// redirect keeping `?token=`, the page, its modules and the two libraries load without a token and with a strict
// Content-Security-Policy, and the API still wants its token. Then the page in a real browser: a running
// `leasehold server --http 127.0.0.1:PORT --http-tokens FILE` in a namespace of the test's own, a real ISC
// dhclient's lease, and Debian's headless Chromium - started by a child script inside the server's namespace
// (dashboard-child.ts), driven by playwright-core - that signs in with the read token (the lease is shown, the
// reservation refused), then with the admin token turns the lease into a reservation in one click. The API and
// the lease file confirm the host, and the client's next DISCOVER gets that address as its fixed address.
// Screenshots of each step are kept in test-output/dashboard/ at the repository root.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../../src/http/app.js';
import type { RouteContext } from '../../../src/http/context.js';
import { parseTokens } from '../../../src/http/tokens.js';
import { isEventLine, parseEvents } from '../lib/child.js';
import { createLab, nodeOutcome, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { processAlive, waitFor, waitForLog } from '../lib/wait.js';
import {
  REPO,
  requireTool,
  seedServerConf,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
  topology,
} from '../server/harness.js';
import type { DashboardInput, DashboardResult } from './dashboard-child.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const CHILD = fileURLToPath(new URL('./dashboard-child.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(REPO, 'test-output/dashboard');
const PORT = 8068;
const BASE = `http://127.0.0.1:${PORT}`;
const ADMIN = 'admin-dashboard-0123456789';
const READ = 'read-dashboard-0123456789';

test('the dashboard files: redirects keep ?token=, files load without a token under a strict CSP, the API still needs one', async () => {
  const tokens = parseTokens(`admin ${ADMIN}\nread ${READ}\n`, 'tokens');
  assert.ok(tokens.ok);
  // the dashboard's files touch no route context
  const app = buildApp({ ctx: { source: {} } as unknown as RouteContext, tokens: tokens.tokens });
  try {
    for (const [url, location] of [
      ['/', '/dashboard/'],
      ['/?token=abc', '/dashboard/?token=abc'],
      ['/dashboard', '/dashboard/'],
      ['/dashboard?token=x%20y', '/dashboard/?token=x%20y'],
    ] as const) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 302, url);
      assert.equal(r.headers.location, location, url);
    }
    const page = await app.inject({ url: '/dashboard/?token=abc' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(page.headers['cache-control'], 'no-cache');

    // every file the page and its modules name is served, and every file of the folder is one of them
    const dir = join(REPO, 'src/http/dashboard');
    const named = new Set<string>();
    for (const m of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) named.add(m[1]!);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/^import .* from '\.\/([^']+)';$/gm))
        named.add(m[1]!);
    }
    const own = readdirSync(dir).filter((f) => f !== 'index.html');
    assert.deepEqual([...named].filter((f) => !f.startsWith('vendor/')).sort(), own.sort());
    for (const f of named) {
      const r = await app.inject({ url: `/dashboard/${f}` });
      assert.equal(r.statusCode, 200, `${f}: ${r.body.slice(0, 200)}`);
      assert.match(String(r.headers['content-type']), f.endsWith('.css') ? /^text\/css/ : /^text\/javascript/, f);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
    const chart = await app.inject({ url: '/dashboard/vendor/chart.umd.min.js' });
    assert.match(chart.body, /Chart\.js v4\./);
    assert.match(String(chart.headers['cache-control']), /max-age=/);
    assert.equal((await app.inject({ method: 'HEAD', url: '/dashboard/app.js' })).statusCode, 200);

    // nothing else skips authorization
    assert.equal((await app.inject({ url: '/api/v1/pools' })).statusCode, 401);
    assert.equal((await app.inject({ url: '/dashboard/other.js' })).statusCode, 401);
    assert.equal((await app.inject({ url: '/dashboard/%2e%2e/package.json' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'POST', url: '/dashboard/' })).statusCode, 401);
    const unknown = await app.inject({ url: '/dashboard/other.js', headers: { authorization: `Bearer ${READ}` } });
    assert.equal(unknown.statusCode, 404);
  } finally {
    await app.close();
  }
});

function playwrightInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('playwright-core');
    return true;
  } catch {
    return false;
  }
}

test('the dashboard in headless Chromium: a real client lease found by MAC, refused with a read token, reserved in one click with admin', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, CHROMIUM)) return;
  if (!requireTool(t, '/usr/bin/curl')) return;
  if (!playwrightInstalled()) {
    t.skip('playwright-core is not installed (npm ci)');
    return;
  }
  const started = Date.now();
  const lab = createLab(t);
  const dir = tempDir(t);
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });

  const { server, client, clientMac } = await topology(lab);
  const files = serverFiles(dir, seedServerConf());
  const tokens = join(dir, 'tokens');
  writeFileSync(tokens, `admin ${ADMIN}\nread ${READ}\n`, { mode: 0o600 });
  const srv = await startLeasehold(lab, server, files, ['--http', `127.0.0.1:${PORT}`, '--http-tokens', tokens]);
  await waitForLog(srv, new RegExp(`^HTTP API listening on http://127\\.0\\.0\\.1:${PORT}/api/v1 \\(tokens from `), {
    name: 'server stderr',
  });
  const curl = async (path: string, token?: string) => {
    const auth = token === undefined ? [] : ['-H', `Authorization: Bearer ${token}`];
    const run = await lab.run(
      server,
      'curl',
      ['-sS', '--max-time', '10', '-w', '\n%{http_code} %{redirect_url}', ...auth, `${BASE}${path}`],
      {
        timeoutMs: 15_000,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const cut = run.stdout.lastIndexOf('\n');
    const [status, location] = run.stdout.slice(cut + 1).split(' ');
    return { status: Number(status), location, body: run.stdout.slice(0, cut) };
  };
  const home = await curl('/');
  assert.deepEqual([home.status, home.location], [302, `${BASE}/dashboard/`]);

  // a real client's lease
  const first = startDhclient(lab, client, dir, 'first');
  const address = (await first.waitFor('BOUND', 20_000)).get('new_ip_address') ?? '';
  await first.stop();
  assert.match(address, /^192\.0\.2\.1\d\d$/);
  t.diagnostic(`client ${clientMac} bound ${address} ${Date.now() - started} ms after the start`);

  // the browser, inside the server's namespace
  const input: DashboardInput = {
    base: BASE,
    admin: ADMIN,
    read: READ,
    mac: clientMac,
    ip: address,
    shots: SHOTS,
    chromium: CHROMIUM,
  };
  const browserStart = Date.now();
  const child = lab.spawnNode(server, CHILD, input, { timeoutMs: 120_000 });
  let browserPid: number | undefined;
  t.after(() => {
    // the child stops its browser; if the child itself was killed, the browser's process group goes here
    if (browserPid !== undefined && processAlive(browserPid)) process.kill(-browserPid, 'SIGKILL');
  });
  const line = await child.waitForLine(isEventLine('browser'), 30_000).catch(() => undefined);
  if (line !== undefined) browserPid = (parseEvents(line)[0]?.data as { pid?: number } | undefined)?.pid;
  const run = await child.exited;
  const shotsTaken = existsSync(SHOTS) ? readdirSync(SHOTS).sort() : [];
  for (const f of shotsTaken) t.diagnostic(`screenshot: ${join(SHOTS, f)}`);
  const { result } = nodeOutcome<DashboardResult>(run);
  t.diagnostic(
    `Chromium ${result.browserVersion}: ${Date.now() - browserStart} ms in the browser; steps ${JSON.stringify(result.stepsMs)}`,
  );
  assert.ok(browserPid !== undefined, 'the child named its browser');
  await waitFor(() => !processAlive(browserPid!), { what: `Chromium (PID ${browserPid}) to have exited` });

  // what the page showed
  assert.deepEqual(result.pageErrors, []);
  assert.deepEqual(result.cspViolations, []);
  assert.equal(result.shots.length, 8);
  assert.deepEqual(
    result.shots.map((p) => p.slice(SHOTS.length + 1)),
    shotsTaken,
  );
  // read: the lease is shown, the action disabled and, forced, refused by the server with its reason
  assert.equal(result.readRole, 'read token');
  assert.ok(
    result.readRowMacs.length >= 1 && result.readRowMacs.every((m) => m === clientMac),
    result.readRowMacs.join(),
  );
  assert.equal(result.readReserveDisabled, true);
  assert.match(result.readReserveTitle, /needs an admin token/);
  assert.match(result.readNotice, /Read-only: this page uses a read token/);
  assert.equal(
    result.readRefusal,
    `Reserving ${address} was refused: a read token may only GET; POST needs an admin token`,
  );
  // admin: the token taken from the address and removed from it; pools, the plot's library, the event log
  assert.equal(result.adminAddress, `${BASE}/dashboard/`);
  assert.equal(result.adminRole, 'admin token');
  assert.match(result.poolText, /^192\.0\.2\.100-192\.0\.2\.199 .* 1 \/ 100 /);
  assert.equal(result.chartLibrary, 'function');
  assert.ok(result.events >= 1);
  assert.ok(result.adminRowMacs.length >= 1 && result.adminRowMacs.every((m) => m === clientMac));
  // the reservation, on the page
  assert.match(
    result.reserveNotice,
    new RegExp(`^Reserved ${address} for ${clientMac}: host \\S+ \\(fixed-address ${address}\\)\\.$`),
  );
  assert.equal(result.hostRow.hardware, clientMac);
  assert.equal(result.hostRow.fixed, address);
  assert.equal(result.reservedTag, `reserved: ${result.hostRow.name}`);
  assert.equal(result.readSeesReservation, result.reservedTag);
  assert.ok(result.historyRows >= 1);

  // ... through the API (one host for the client: the read token's attempt left nothing), and in the lease file
  const hosts = await curl(`/api/v1/hosts?mac=${clientMac}`, READ);
  assert.equal(hosts.status, 200, hosts.body);
  assert.deepEqual(JSON.parse(hosts.body).items, [
    {
      name: result.hostRow.name,
      hardware: clientMac,
      fixedAddress: address,
      clientId: null,
      options: {},
      dynamic: true,
    },
  ]);
  assert.match(
    readFileSync(files.leases, 'latin1'),
    new RegExp(
      `host ${result.hostRow.name} \\{\\n  dynamic;\\n  hardware ethernet ${clientMac};\\n  fixed-address ${address.replaceAll('.', '\\.')};\\n\\}\\n`,
    ),
  );
  await waitForLog(srv, new RegExp(`^HTTP API: host ${result.hostRow.name} created from 127\\.0\\.0\\.1$`), {
    name: 'server stderr',
  });
  // ... and by DHCP: the client's next DISCOVER is answered with its fixed address
  const again = startDhclient(lab, client, dir, 'again');
  assert.equal((await again.waitFor('BOUND', 20_000)).get('new_ip_address'), address);
  await again.stop();

  const end = await srv.stop();
  assert.equal(end.code, 0, end.stderr);
  assert.doesNotMatch(end.stderr, /internal error/);
  t.diagnostic(`${Date.now() - started} ms in all`);
});
