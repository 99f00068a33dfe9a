// Dynamic DNS end to end: Leasehold's server updates a real BIND named (TSIG hmac-sha256) for ISC dhclient
// clients - A, PTR and the guard record on commit, removal on release and on expiry, conflict detection
// between two clients claiming one name, the client FQDN option, a wrong key, a DNS server that is down.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLab, requireRoot } from '../lib/netns.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import { lastLease, releaseDhclient, requireTool, startDhclient, waitForLease } from '../server/harness.js';
import { requireBind } from './bind.js';
import { clientConf, ddnsConf, ddnsLab, serverFiles, startServer } from './harness.js';

const DHCLIENT = '/sbin/dhclient';

test('standard style: a lease gets A, PTR and DHCID records; the lease file keeps the DNS state; RELEASE removes them', async (t) => {
  if (!requireRoot(t) || !requireBind(t) || !requireTool(t, DHCLIENT)) return;
  const lab = createLab(t);
  const l = await ddnsLab(t, lab, 1);
  const files = serverFiles(l.dir, ddnsConf({ style: 'standard', secret: l.secret }));
  const server = await startServer(lab, l.server, files, ['--http', '127.0.0.1:8069']);
  const conf = clientConf(l.dir, 'c1', ['send host-name "laptop1";']);
  const c1 = startDhclient(lab, l.clients[0]!.ns, l.dir, 'c1', { conf, configure: true });
  const env = await c1.waitFor('BOUND', 30_000);
  const ip = env.get('new_ip_address')!;
  const rev = `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
  await l.bind.waitRecords('laptop1.example.org.', 'A', [ip]);
  await l.bind.waitRecords(rev, 'PTR', ['laptop1.example.org.']);
  const dhcid = await l.bind.query('laptop1.example.org.', 'DHCID');
  assert.equal(dhcid.length, 1, `one DHCID record: ${dhcid.join(' | ')}`);
  await waitForLog(server, `Added new forward map from laptop1.example.org to ${ip}`);
  await waitForLog(server, `Added reverse map from ${rev.slice(0, -1)} to laptop1.example.org`);
  // The DNS state is written with the lease, as ISC writes it.
  const block = await waitForLease(files.leases, ip, /set ddns-rev-name = /);
  assert.match(block, /set ddns-fwd-name = "laptop1\.example\.org";/);
  assert.match(block, /set ddns-dhcid = /);
  // /metrics counts it.
  const metrics = await lab.run(l.server, '/usr/bin/curl', ['-sS', '--max-time', '5', 'http://127.0.0.1:8069/metrics']);
  assert.match(metrics.stdout, /^leasehold_ddns_updates\{result="succeeded"\} 1$/m, metrics.stdout.slice(0, 2000));
  // RELEASE: both records go (the guard with them).
  await c1.leaseWritten(ip);
  await c1.stop();
  const rel = await releaseDhclient(lab, l.clients[0]!.ns, l.dir, 'c1', conf);
  assert.equal(rel.code, 0, rel.stderr);
  await l.bind.waitRecords('laptop1.example.org.', 'A', []);
  await l.bind.waitRecords('laptop1.example.org.', 'DHCID', []);
  await l.bind.waitRecords(rev, 'PTR', []);
  await waitForLog(server, `Removed forward map from laptop1.example.org to ${ip}`);
  await waitForLog(server, `Removed reverse map on ${rev.slice(0, -1)}`);
  await waitFor(() => !/set ddns-fwd-name/.test(lastLease(files.leases, ip)), {
    what: 'the DNS state gone from the lease file',
    seen: () => lastLease(files.leases, ip),
  });
  await server.stop();
});

test('conflict detection: a second client claiming the same name does not take it; interim style uses TXT', async (t) => {
  if (!requireRoot(t) || !requireBind(t) || !requireTool(t, DHCLIENT)) return;
  const lab = createLab(t);
  const l = await ddnsLab(t, lab, 2);
  const files = serverFiles(l.dir, ddnsConf({ style: 'interim', secret: l.secret }));
  const server = await startServer(lab, l.server, files);
  const conf = clientConf(l.dir, 'same', ['send host-name "shared";']);
  const a = startDhclient(lab, l.clients[0]!.ns, l.dir, 'a', { conf });
  const ipA = (await a.waitFor('BOUND', 30_000)).get('new_ip_address')!;
  await l.bind.waitRecords('shared.example.org.', 'A', [ipA]);
  const txt = await l.bind.query('shared.example.org.', 'TXT');
  assert.equal(txt.length, 1, `ISC's interim TXT guard: ${txt.join(' | ')}`);
  assert.match(txt[0]!, /^"[0-9a-f]{34}"$/);
  const b = startDhclient(lab, l.clients[1]!.ns, l.dir, 'b', { conf });
  const ipB = (await b.waitFor('BOUND', 30_000)).get('new_ip_address')!;
  assert.notEqual(ipA, ipB);
  // The guard must match (ddns-guard-id-must-match): named answers NXRRSET to B's guard, and ISC's line for
  // that is this one (its "DHCID mismatch" line is for YXRRSET, which a must-match prerequisite never gets).
  await waitForLog(
    server,
    `Forward map from shared.example.org to ${ipB} FAILED: Has an address record but no DHCID, not mine.`,
  );
  assert.deepEqual(await l.bind.query('shared.example.org.', 'A'), [ipA], 'the first client keeps the name');
  assert.deepEqual(await l.bind.query('shared.example.org.', 'TXT'), txt);
  await a.stop();
  await b.stop();
  await server.stop();
});

test('client FQDN option with S=0: the client keeps its A record, the server adds only the PTR and says so in the ACK', async (t) => {
  if (!requireRoot(t) || !requireBind(t) || !requireTool(t, DHCLIENT)) return;
  const lab = createLab(t);
  const l = await ddnsLab(t, lab, 1);
  const files = serverFiles(l.dir, ddnsConf({ style: 'standard', secret: l.secret }));
  const server = await startServer(lab, l.server, files);
  const conf = clientConf(l.dir, 'f', [
    'send fqdn.fqdn "self.example.org.";',
    'send fqdn.encoded on;',
    'send fqdn.server-update off;',
  ]);
  const c = startDhclient(lab, l.clients[0]!.ns, l.dir, 'f', { conf });
  const ip = (await c.waitFor('BOUND', 30_000)).get('new_ip_address')!;
  const rev = `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
  await l.bind.waitRecords(rev, 'PTR', ['self.example.org.']);
  assert.deepEqual(await l.bind.query('self.example.org.', 'A'), [], 'the server left the A record to the client');
  const block = await waitForLease(files.leases, ip, /set ddns-rev-name = /);
  assert.match(block, /set ddns-client-fqdn = "self\.example\.org";/);
  assert.doesNotMatch(block, /ddns-fwd-name/);
  await c.stop();
  await server.stop();
});

test('a wrong TSIG key is refused by named and logged; DHCP goes on', async (t) => {
  if (!requireRoot(t) || !requireBind(t) || !requireTool(t, DHCLIENT)) return;
  const lab = createLab(t);
  const l = await ddnsLab(t, lab, 1);
  const wrong = Buffer.alloc(32, 7).toString('base64');
  const files = serverFiles(l.dir, ddnsConf({ style: 'standard', secret: wrong }));
  const server = await startServer(lab, l.server, files);
  const conf = clientConf(l.dir, 'w', ['send host-name "wrongkey";']);
  const c = startDhclient(lab, l.clients[0]!.ns, l.dir, 'w', { conf });
  const ip = (await c.waitFor('BOUND', 30_000)).get('new_ip_address')!;
  await waitForLog(
    server,
    new RegExp(`Unable to add forward map from wrongkey\\.example\\.org to ${ip.replaceAll('.', '\\.')}: .*BADSIG`),
  );
  await waitForLog(() => l.bind.log(), /BADSIG/);
  assert.deepEqual(await l.bind.query('wrongkey.example.org.', 'A'), []);
  await c.stop();
  await server.stop();
});

test('a DNS server that is down delays no lease; the updates land once it is back; expiry removes them', async (t) => {
  if (!requireRoot(t) || !requireBind(t) || !requireTool(t, DHCLIENT)) return;
  const lab = createLab(t);
  const l = await ddnsLab(t, lab, 1);
  const files = serverFiles(l.dir, ddnsConf({ style: 'standard', secret: l.secret, leaseTime: 30 }));
  const server = await startServer(lab, l.server, files);
  await l.bind.stop();
  const conf = clientConf(l.dir, 'd', ['send host-name "later";']);
  const c = startDhclient(lab, l.clients[0]!.ns, l.dir, 'd', { conf });
  const started = Date.now();
  const ip = (await c.waitFor('BOUND', 30_000)).get('new_ip_address')!;
  assert.ok(Date.now() - started < 15_000, `bound in ${Date.now() - started} ms with DNS down`);
  await waitForLog(server, /Unable to add forward map from later\.example\.org to .*: timed out; retrying/);
  await c.stop(); // no release: the lease expires
  await l.bind.start();
  await l.bind.waitRecords('later.example.org.', 'A', [ip], 30_000);
  // The lease (30 s) expires: the records go.
  await l.bind.waitRecords('later.example.org.', 'A', [], 60_000);
  await l.bind.waitRecords(`${ip.split('.').reverse().join('.')}.in-addr.arpa.`, 'PTR', [], 30_000);
  await server.stop();
});
