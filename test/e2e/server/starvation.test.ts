// Offers must not lock clients out: a thousand DISCOVERs with client identifiers that never come back
// (from four hardware addresses) hold every free address of a 20-address pool with offers; a fresh
// ISC dhclient then still gets a lease at once, because the offer made longest ago is reclaimed.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import type { FloodInput } from './flood-child.js';
import { requireTool, serverFiles, startDhclient, startLeasehold, tempDir, topology } from './harness.js';

const FLOOD = fileURLToPath(new URL('./flood-child.js', import.meta.url));

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const CONF = `authoritative;
default-lease-time 600;
max-lease-time 600;
subnet 192.0.2.0 netmask 255.255.255.0 {
  range 192.0.2.100 192.0.2.119;
  option routers 192.0.2.1;
  option domain-name-servers 192.0.2.1;
}
`;

test('a thousand DISCOVERs with new client identifiers do not lock a new client out', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  await lab.addAddress(client, 'ep0', '192.0.2.3/24');
  const srv = await startLeasehold(lab, server, serverFiles(dir, CONF));
  const input: FloodInput = {
    count: 1000,
    macs: ['02:00:00:0f:00:01', '02:00:00:0f:00:02', '02:00:00:0f:00:03', '02:00:00:0f:00:04'],
    target: '192.0.2.255',
    gapMs: 5,
  };
  const flood = await lab.runNode<{ sent: number }>(client, FLOOD, input, { timeoutMs: 60_000 });
  assert.equal(flood.result.sent, 1000);
  // Every address is offered before the flood ends (20 addresses, 1000 identifiers).
  await waitForLog(srv, /^DHCPOFFER on 192\.0\.2\.119 to 02:00:00:0f:00:0\d via srv0$/, { timeoutMs: 30_000 });
  await waitForLog(srv, /^Reclaiming offered lease 192\.0\.2\.1[01]\d: no free leases\.$/, { timeoutMs: 30_000 });
  const dhc = startDhclient(lab, client, dir, 'fresh');
  const env = await dhc.waitFor('BOUND', 15_000);
  await dhc.stop();
  assert.match(env.get('new_ip_address') ?? '', /^192\.0\.2\.1[01]\d$/);
  const stopped = await srv.stop(5000);
  assert.equal(stopped.code, 0, stopped.stderr);
  // In the whole log, once the server has exited: a refusal logged late (lines are written in batches, the
  // flood may still have been in the socket) counts too.
  assert.doesNotMatch(stopped.stderr, /no free leases$/m, 'no DISCOVER was refused');
});
