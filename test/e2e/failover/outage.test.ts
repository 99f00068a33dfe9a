// A failover pair losing one server and getting it back, with real ISC dhclient clients: the survivor moves
// to COMMUNICATIONS-INTERRUPTED, then (auto-partner-down) to PARTNER-DOWN, renews the lost server's client when
// it rebinds, and hands out addresses; the lost server comes back — with its lease file, or with an empty one
// — recovers from its partner, and both return to NORMAL with the same leases. Leasehold with ISC dhcpd
// 4.4.3 in either role, and two Leasehold servers; short MCLT and lease times.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import { parseEnv, readIfExists, startDhclient, tempDir } from '../server/harness.js';
import {
  ADDR,
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
const OPTS = { mclt: 10, autoPartnerDown: 2, leaseTime: 600 };

async function outage(t: TestContext, kinds: { a: Kind; b: Kind }, victim: 'a' | 'b', loseLeases: boolean) {
  if (!requireRoot(t)) return;
  if ((kinds.a === 'isc' || kinds.b === 'isc') && !requireDhcpd(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  // Client 0 is the primary's by the hash, client 1 the secondary's.
  const macs = splitMacs(1, 1);
  const link = await failoverLink(lab, macs);
  const f = {
    a: files(dir, 'a', failoverConf('a', 'primary', OPTS)),
    b: files(dir, 'b', failoverConf('b', 'secondary', OPTS)),
  };
  const ns = { a: link.a, b: link.b };
  const procs: Record<'a' | 'b', Spawned> = {
    a: await startServer(lab, ns.a, kinds.a, f.a),
    b: await startServer(lab, ns.b, kinds.b, f.b),
  };
  for (const s of ['a', 'b'] as const) {
    await waitForLog(procs[s], /failover peer pair: I move from \S+ to normal$/m, {
      name: `${s} stderr`,
      timeoutMs: 40_000,
    });
  }
  const runs = link.clients.map((c, i) => startDhclient(lab, c.ns, dir, `c${i}`, { configure: true }));
  const bound = await Promise.all(runs.map((r) => r.waitFor('BOUND', 30_000)));
  const ips = bound.map((env) => env.get('new_ip_address')!);
  assert.deepEqual(
    bound.map((env) => env.get('new_dhcp_server_identifier')),
    [ADDR.a, ADDR.b],
  );

  // The victim goes away; the survivor interrupts, then takes over after auto-partner-down.
  const survivor = victim === 'a' ? 'b' : 'a';
  await procs[victim].stop(2000);
  await waitForLog(procs[survivor], /I move from normal to communications-interrupted$/m, { name: 'survivor' });
  await waitForLog(procs[survivor], /I move from communications-interrupted to partner-down$/m, { name: 'survivor' });
  // The victim's client renews (unicast to a dead server), then rebinds — or, as ISC dhclient may skip the
  // rebinding time of so short a lease, lets it expire and asks again: either way the survivor keeps it on its
  // address (ISC dhclient's script reason is RENEW for a renewal and a rebinding alike, BOUND for a new lease).
  const orphan = victim === 'a' ? 0 : 1;
  const rebound = await waitFor(
    () => {
      for (const reason of ['RENEW', 'BOUND']) {
        const env = parseEnv(readIfExists(join(dir, `env.c${orphan}.${reason}`)) ?? '');
        if (env.get('new_dhcp_server_identifier') === ADDR[survivor]) return env;
      }
      return undefined;
    },
    {
      what: `the survivor serving client ${orphan}`,
      timeoutMs: 60_000,
      seen: () => `${procs[survivor].stderr()}\n--- dhclient\n${runs[orphan]!.proc.stderr()}`,
    },
  );
  assert.equal(rebound.get('new_ip_address'), ips[orphan]);

  // The victim comes back, with its lease file or without one, and recovers from the survivor.
  if (loseLeases) writeFileSync(f[victim].leases, '');
  const mark = procs[survivor].stderr().length;
  procs[victim] = await startServer(lab, ns[victim], kinds[victim], f[victim]);
  for (const s of ['a', 'b'] as const) {
    await waitForLog(procs[s], /failover peer pair: I move from \S+ to normal$/m, {
      name: `${s} stderr (after the restart)`,
      timeoutMs: 60_000,
      ...(s === survivor ? { from: mark } : {}),
    });
  }
  const want = ips.map((ip, i) => `${ip} ${macs[i]}`).sort();
  for (const s of ['a', 'b'] as const) {
    await waitFor(() => JSON.stringify(activeLeases(f[s].leases)) === JSON.stringify(want), {
      what: `both clients' leases in ${s}'s lease file`,
      seen: () => `${activeLeases(f[s].leases).join('\n')}\nwanted\n${want.join('\n')}`,
    });
  }
  await Promise.all(runs.map((r) => r.stop()));
}

test('two Leasehold servers: the secondary dies, the primary takes over, the secondary returns with its lease file', (t) =>
  outage(t, { a: 'leasehold', b: 'leasehold' }, 'b', false));

test('two Leasehold servers: the primary dies, the secondary takes over, the primary returns with an empty lease file', (t) =>
  outage(t, { a: 'leasehold', b: 'leasehold' }, 'a', true));

test('Leasehold primary survives ISC dhcpd secondary going away and coming back', (t) =>
  outage(t, { a: 'leasehold', b: 'isc' }, 'b', false));

test('Leasehold secondary survives ISC dhcpd primary going away and coming back', (t) =>
  outage(t, { a: 'isc', b: 'leasehold' }, 'a', false));

test('ISC dhcpd primary survives the Leasehold secondary losing its lease file', (t) =>
  outage(t, { a: 'isc', b: 'leasehold' }, 'b', true));
