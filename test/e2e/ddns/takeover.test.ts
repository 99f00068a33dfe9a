// The DNS state in the lease file carries over: a server restarted on it, or ISC dhcpd 4.4.3 taking the file
// over (and the other way round), removes the records another process added when the client releases.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { requireDhcpd, startIsc } from '../failover/harness.js';
import { createLab, requireRoot } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitForLog } from '../lib/wait.js';
import { releaseDhclient, requireTool, startDhclient, waitForLease } from '../server/harness.js';
import { requireBind } from './bind.js';
import { clientConf, ddnsConf, ddnsLab, serverFiles, startServer } from './harness.js';

const DHCLIENT = '/sbin/dhclient';

type Who = 'leasehold' | 'isc';

async function handOver(t: TestContext, first: Who, second: Who): Promise<void> {
  const lab = createLab(t);
  const l = await ddnsLab(t, lab, 1);
  const files = serverFiles(l.dir, ddnsConf({ style: 'standard', secret: l.secret }));
  const start = (who: Who): Promise<Spawned> =>
    who === 'isc' ? startIsc(lab, l.server, files) : startServer(lab, l.server, files);
  const a = await start(first);
  const conf = clientConf(l.dir, 'c', ['send host-name "handover";']);
  const c = startDhclient(lab, l.clients[0]!.ns, l.dir, 'c', { conf, configure: true });
  const ip = (await c.waitFor('BOUND', 30_000)).get('new_ip_address')!;
  const rev = `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
  await l.bind.waitRecords('handover.example.org.', 'A', [ip]);
  await l.bind.waitRecords(rev, 'PTR', ['handover.example.org.']);
  const dhcid = await l.bind.query('handover.example.org.', 'DHCID');
  assert.equal(dhcid.length, 1);
  // Both servers compute the same guard: the second one's removal must match the first one's DHCID.
  const block = await waitForLease(files.leases, ip, /set ddns-rev-name = /);
  assert.match(block, /set ddns-fwd-name = "handover\.example\.org";/);
  await c.leaseWritten(ip);
  await c.stop();
  await a.stop(5000);
  const b = await start(second);
  const rel = await releaseDhclient(lab, l.clients[0]!.ns, l.dir, 'c', conf);
  assert.equal(rel.code, 0, rel.stderr);
  await l.bind.waitRecords('handover.example.org.', 'A', []);
  await l.bind.waitRecords('handover.example.org.', 'DHCID', []);
  await l.bind.waitRecords(rev, 'PTR', []);
  await waitForLog(b, `Removed reverse map on ${rev.slice(0, -1)}`);
  await b.stop(5000);
}

test('Leasehold adds, Leasehold restarted on its lease file removes', async (t) => {
  if (!requireRoot(t) || !requireBind(t) || !requireTool(t, DHCLIENT)) return;
  await handOver(t, 'leasehold', 'leasehold');
});

test('Leasehold adds, ISC dhcpd 4.4.3 taking over the lease file removes', async (t) => {
  if (!requireRoot(t) || !requireBind(t) || !requireTool(t, DHCLIENT) || !requireDhcpd(t)) return;
  await handOver(t, 'leasehold', 'isc');
});

test('ISC dhcpd 4.4.3 adds, Leasehold taking over the lease file removes', async (t) => {
  if (!requireRoot(t) || !requireBind(t) || !requireTool(t, DHCLIENT) || !requireDhcpd(t)) return;
  await handOver(t, 'isc', 'leasehold');
});
