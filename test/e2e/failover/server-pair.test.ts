// Two DHCP servers in a failover pair on one link with real ISC dhclient clients: Leasehold with ISC dhcpd
// 4.4.3 in either role, and two Leasehold servers. They reach NORMAL, split the pool, split the clients by the
// RFC 3074 hash (each server logs "load balance to peer" for the other's), and both lease files end up
// holding every client's lease.

import assert from 'node:assert/strict';
import { after, type TestContext, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import { startDhclient, tempDir } from '../server/harness.js';
import {
  activeLeases,
  failoverConf,
  failoverLink,
  files,
  requireDhcpd,
  type ServerKind,
  splitMacs,
  startServer,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

type Kind = ServerKind;

async function pairServesClients(t: TestContext, primary: Kind, secondary: Kind): Promise<void> {
  if (!requireRoot(t)) return;
  if ((primary === 'isc' || secondary === 'isc') && !requireDhcpd(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const macs = splitMacs(2, 2);
  const link = await failoverLink(lab, macs);
  const fa = files(dir, 'a', failoverConf('a', 'primary'));
  const fb = files(dir, 'b', failoverConf('b', 'secondary'));
  const a = await startServer(lab, link.a, primary, fa);
  const b = await startServer(lab, link.b, secondary, fb);
  for (const [p, name] of [
    [a, 'primary'],
    [b, 'secondary'],
  ] as const) {
    await waitForLog(p, /failover peer pair: I move from \S+ to normal$/m, {
      name: `${name} stderr`,
      timeoutMs: 30_000,
    });
  }
  await waitForLog(a, /^balanced pool \S+ 192\.0\.2\.0\/24 {2}total 20 {2}free 10 {2}backup 10 /m, { name: 'primary' });
  const runs = link.clients.map((c, i) => startDhclient(lab, c.ns, dir, `c${i}`));
  const bound = await Promise.all(runs.map((r) => r.waitFor('BOUND', 30_000)));
  const got = bound.map((env, i) => `${env.get('new_ip_address')} ${macs[i]}`).sort();
  const servers = bound.map((env) => env.get('new_dhcp_server_identifier'));
  // split 128 and these MACs: two clients are the primary's, two the secondary's.
  assert.equal(servers.filter((s) => s === '192.0.2.1').length, 2, `served by ${servers.join(', ')}`);
  assert.equal(servers.filter((s) => s === '192.0.2.2').length, 2, `served by ${servers.join(', ')}`);
  for (const [p, other] of [
    [a, 'pair'],
    [b, 'pair'],
  ] as const) {
    assert.match(p.stderr(), new RegExp(`: load balance to peer ${other}$`, 'm'));
  }
  // Every lease is in both lease files, active with its client's MAC (lazy updates: wait for them).
  for (const f of [fa, fb]) {
    await waitFor(() => JSON.stringify(activeLeases(f.leases)) === JSON.stringify(got), {
      what: `the four leases in ${f.leases}`,
      seen: () => `${activeLeases(f.leases).join('\n')}\nwanted\n${got.join('\n')}`,
    });
  }
  // MCLT (30 s) caps the first lease time: the partner has not acknowledged anything longer yet.
  for (const env of bound) assert.equal(env.get('new_dhcp_lease_time'), '30');
  await Promise.all(runs.map((r) => r.stop()));
}

test('Leasehold primary and ISC dhcpd secondary split the pool and the clients; both lease files hold every lease', (t) =>
  pairServesClients(t, 'leasehold', 'isc'));

test('ISC dhcpd primary and Leasehold secondary split the pool and the clients; both lease files hold every lease', (t) =>
  pairServesClients(t, 'isc', 'leasehold'));

test('two Leasehold servers split the pool and the clients; both lease files hold every lease', (t) =>
  pairServesClients(t, 'leasehold', 'leasehold'));
