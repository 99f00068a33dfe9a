// The HTTP API of a real `leasehold server --http 127.0.0.1:PORT --http-tokens FILE`, in namespaces of the
// test's own, driven by curl inside the server's namespace: a real ISC dhclient gets a lease, the API lists it
// and gives it by address, /metrics counts it; each role is checked (no token 401, read GETs but cannot DELETE
// 403, admin changes); a host created through the API gives the client's next DISCOVER its fixed address, its
// removal sends it back to the pool, and a lease deleted through the API is free in the lease file by the
// time the answer comes. Then: no tokens file and a non-loopback address refuses to start and says why, a bad
// tokens line names file:line, and --http-cert/--http-key serve HTTPS.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import {
  lastLease,
  requireTool,
  seedServerConf,
  serverCommand,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
  topology,
} from '../server/harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const PORT = 8067;
const BASE = `http://127.0.0.1:${PORT}`;
const ADMIN = 'admin-0123456789abcdef';
const READ = 'read-0123456789abcdef';
const FIXED = '192.0.2.50';

interface Answer {
  status: number;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are checked field by field
  json: () => any;
}

/** curl inside `ns`: the status and the body. */
async function call(
  lab: Lab,
  ns: Netns,
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; text?: string; insecure?: boolean } = {},
): Promise<Answer> {
  const args = ['-sS', '-X', method, '-o', '-', '-w', '\n%{http_code}', '--max-time', '10'];
  if (opts.insecure) args.push('-k');
  if (opts.token !== undefined) args.push('-H', `Authorization: Bearer ${opts.token}`);
  if (opts.body !== undefined)
    args.push('-H', 'content-type: application/json', '--data-binary', JSON.stringify(opts.body));
  if (opts.text !== undefined) args.push('-H', 'content-type: text/plain', '--data-binary', opts.text);
  const run = await lab.run(ns, 'curl', [...args, url], { timeoutMs: 15_000 });
  assert.equal(run.code, 0, `curl ${method} ${url}: ${run.stderr}`);
  const cut = run.stdout.lastIndexOf('\n');
  const body = run.stdout.slice(0, cut);
  return { status: Number(run.stdout.slice(cut + 1)), body, json: () => JSON.parse(body) };
}

test('the API over a running server: leases of a real client, each role, hosts served at once, a lease freed on disk, /metrics', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, '/usr/bin/curl')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client, clientMac } = await topology(lab);
  const files = serverFiles(dir, seedServerConf());
  const tokens = join(dir, 'tokens');
  writeFileSync(tokens, `# the API's tokens\nadmin ${ADMIN}\n\nread ${READ}\n`, { mode: 0o600 });
  const srv = await startLeasehold(lab, server, files, ['--http', `127.0.0.1:${PORT}`, '--http-tokens', tokens]);
  await waitForLog(srv, /^HTTP API listening on http:\/\/127\.0\.0\.1:8067\/api\/v1 \(tokens from /, {
    name: 'server stderr',
  });
  const api = (method: string, path: string, opts: Parameters<typeof call>[4] = {}) =>
    call(lab, server, method, `${BASE}${path}`, opts);

  // a real client's lease
  const first = startDhclient(lab, client, dir, 'first');
  const address = (await first.waitFor('BOUND', 20_000)).get('new_ip_address') ?? '';
  await first.stop();
  assert.match(address, /^192\.0\.2\.1\d\d$/);

  // roles
  const anonymous = await api('GET', '/api/v1/leases');
  assert.equal(anonymous.status, 401);
  assert.deepEqual(anonymous.json(), { error: 'an Authorization: Bearer TOKEN header is required' });
  assert.equal((await api('GET', '/api/v1/leases', { token: 'wrong' })).status, 401);
  assert.equal((await api('GET', '/metrics')).status, 401);
  const forbidden = await api('DELETE', `/api/v1/leases/${address}`, { token: READ });
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.json().error, /read token may only GET/);

  // leases (read)
  const list = await api('GET', '/api/v1/leases', { token: READ });
  assert.equal(list.status, 200, list.body);
  const lease = list.json().items.find((l: { ip: string }) => l.ip === address);
  assert.equal(lease?.state, 'active', list.body);
  assert.equal(lease.hardware, clientMac);
  assert.match(lease.starts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(lease.ends, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(lease.pool, '192.0.2.100-192.0.2.199');
  assert.equal(list.json().next, null);
  assert.deepEqual((await api('GET', `/api/v1/leases/${address}`, { token: READ })).json(), lease);
  const byMac = await api('GET', `/api/v1/leases?mac=${clientMac}&state=active&limit=5`, { token: READ });
  assert.deepEqual(byMac.json(), { items: [lease], next: null });
  assert.equal((await api('GET', '/api/v1/leases/198.51.100.1', { token: READ })).status, 404);
  assert.equal((await api('GET', '/api/v1/leases?limit=5000', { token: READ })).status, 400);

  // the rest of what a read token may see
  const pools = (await api('GET', '/api/v1/pools', { token: READ })).json();
  assert.equal(pools[0].name, '192.0.2.100-192.0.2.199');
  assert.equal(pools[0].total, 100);
  assert.equal(pools[0].active, 1);
  assert.deepEqual((await api('GET', '/api/v1/failover', { token: READ })).json(), []);
  const stats = (await api('GET', '/api/v1/stats', { token: READ })).json();
  assert.ok(stats.receivedByType.DHCPDISCOVER >= 1 && stats.repliesByType.DHCPACK >= 1, JSON.stringify(stats));
  assert.ok(stats.committed >= 1);
  const doc = (await api('GET', '/api/v1/openapi.json', { token: READ })).json();
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/leases/{ip}'].delete);
  const history = await api('GET', `/api/v1/history?ip=${address}`, { token: READ });
  assert.ok(history.status === 200 || history.status === 501, history.body);
  const metrics = await api('GET', '/metrics', { token: READ });
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /^leasehold_leases\{pool="192\.0\.2\.100-192\.0\.2\.199",state="active"\} 1$/m);
  assert.match(metrics.body, /^leasehold_packets_received_total\{type="DHCPREQUEST"\} [1-9]\d*$/m);
  assert.match(metrics.body, /^leasehold_replies_total\{type="DHCPACK"\} [1-9]\d*$/m);
  assert.match(metrics.body, /^leasehold_pool_utilization\{pool="192\.0\.2\.100-192\.0\.2\.199"\} 0\.01$/m);
  assert.match(metrics.body, /^# TYPE leasehold_drops_total counter$/m);

  // configuration: a text checked, the file reloaded
  const bad = await api('POST', '/api/v1/config/test', { token: ADMIN, text: 'subnet 192.0.2.0 netmask {\n' });
  assert.equal(bad.status, 200, bad.body);
  assert.equal(bad.json().ok, false);
  assert.ok(bad.json().errors.length > 0);
  const good = await api('POST', '/api/v1/config/test', { token: ADMIN, text: seedServerConf() });
  assert.equal(good.json().ok, true, good.body);
  assert.equal((await api('POST', '/api/v1/config/test', { token: READ, text: 'x' })).status, 403);
  const reload = await api('POST', '/api/v1/config/reload', { token: ADMIN });
  assert.equal(reload.status, 200, reload.body);
  assert.equal(reload.json().ok, true);
  assert.match((await api('GET', '/metrics', { token: READ })).body, /^leasehold_reloads_total\{outcome="ok"\} 1$/m);

  // a host for the client: in the lease file before the answer, and its next DISCOVER gets the fixed address
  const created = await api('POST', '/api/v1/hosts', {
    token: ADMIN,
    body: { name: 'laptop', hardware: clientMac, fixedAddress: FIXED },
  });
  assert.equal(created.status, 201, created.body);
  assert.deepEqual(created.json(), {
    name: 'laptop',
    hardware: clientMac,
    fixedAddress: FIXED,
    clientId: null,
    options: {},
    dynamic: true,
  });
  assert.match(
    readFileSync(files.leases, 'latin1'),
    new RegExp(`host laptop \\{\\n  dynamic;\\n  hardware ethernet ${clientMac};\\n  fixed-address ${FIXED};\\n\\}\\n`),
  );
  assert.equal(
    (await api('POST', '/api/v1/hosts', { token: ADMIN, body: { name: 'laptop', hardware: clientMac } })).status,
    409,
  );
  assert.equal(
    (await api('POST', '/api/v1/hosts', { token: READ, body: { name: 'x', hardware: clientMac } })).status,
    403,
  );
  assert.equal((await api('GET', '/api/v1/hosts/laptop', { token: READ })).json().fixedAddress, FIXED);
  const fixed = startDhclient(lab, client, dir, 'fixed');
  assert.equal((await fixed.waitFor('BOUND', 20_000)).get('new_ip_address'), FIXED);
  await fixed.stop();

  // removed: the record written, the host gone
  assert.equal((await api('DELETE', '/api/v1/hosts/laptop', { token: ADMIN })).status, 204);
  assert.match(readFileSync(files.leases, 'latin1'), /host laptop \{\n {2}dynamic;\n {2}deleted;\n\}\n/);
  assert.equal((await api('GET', '/api/v1/hosts/laptop', { token: READ })).status, 404);

  // a lease freed through the API is free in the lease file once the answer is in
  const freed = await api('DELETE', `/api/v1/leases/${address}`, { token: ADMIN });
  assert.equal(freed.status, 200, freed.body);
  assert.equal(freed.json().state, 'free');
  assert.match(lastLease(files.leases, address), /binding state free;/);
  assert.equal((await api('GET', `/api/v1/leases/${address}`, { token: READ })).json().state, 'free');
  await waitForLog(srv, new RegExp(`^HTTP API: lease ${address.replaceAll('.', '\\.')} freed from 127\\.0\\.0\\.1$`), {
    name: 'server stderr',
  });

  const end = await srv.stop();
  assert.equal(end.code, 0, end.stderr);
  assert.doesNotMatch(end.stderr, /internal error/);
});

/** The server's command line in `ns` with `extra` flags, run to its end (it is expected to refuse to start). */
function runServer(lab: Lab, ns: Netns, dir: string, extra: string[]) {
  const files = serverFiles(dir, seedServerConf());
  const args = [...serverCommand(), '-d', '-cf', files.conf, '-lf', files.leases, '-pf', files.pid, ...extra, 'srv0'];
  return lab.run(ns, process.execPath, args, { timeoutMs: 30_000 });
}

test('without a tokens file a non-loopback address is refused at start, with why; a bad tokens line names file:line', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server } = await topology(lab);
  const open = await runServer(lab, server, dir, ['--http', '192.0.2.1:8080']);
  assert.equal(open.code, 1, open.stderr);
  assert.match(
    open.stderr,
    /^refusing to serve the HTTP API on 192\.0\.2\.1:8080 without --http-tokens: .* Give --http-tokens FILE/m,
  );
  assert.doesNotMatch(open.stderr, /Server starting service/);
  const tokens = join(dir, 'tokens');
  writeFileSync(tokens, `admin ${ADMIN}\nsuperuser x\n`, { mode: 0o600 });
  const badLine = await runServer(lab, server, dir, ['--http', '192.0.2.1:8080', '--http-tokens', tokens]);
  assert.equal(badLine.code, 1, badLine.stderr);
  assert.match(badLine.stderr, new RegExp(`^${tokens}:2: unknown role "superuser" \\(read or admin\\)$`, 'm'));
  const unpaired = await runServer(lab, server, dir, ['--http', '127.0.0.1:8080', '--http-cert', tokens]);
  assert.equal(unpaired.code, 2, unpaired.stderr);
  assert.match(unpaired.stderr, /--http-cert and --http-key go together/);
});

test('--http-cert and --http-key: the API over HTTPS', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/usr/bin/openssl') || !requireTool(t, '/usr/bin/curl')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server } = await topology(lab);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = await lab.run(server, '/usr/bin/openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
    ...['-keyout', key, '-out', cert],
  ]);
  assert.equal(made.code, 0, made.stderr);
  const files = serverFiles(dir, seedServerConf());
  const srv = await startLeasehold(lab, server, files, [
    '--http',
    '127.0.0.1:8443',
    '--http-cert',
    cert,
    '--http-key',
    key,
  ]);
  await waitForLog(srv, /^HTTP API listening on https:\/\/127\.0\.0\.1:8443\/api\/v1 \(no tokens: loopback only\)/, {
    name: 'server stderr',
  });
  const pools = await call(lab, server, 'GET', 'https://127.0.0.1:8443/api/v1/pools', { insecure: true });
  assert.equal(pools.status, 200, pools.body);
  assert.equal(pools.json()[0].total, 100);
  const end = await srv.stop();
  assert.equal(end.code, 0, end.stderr);
});
