// ping-check (ISC's default): a host squats on the first address of the pool without a lease. The server
// pings before offering, hears it, writes the address abandoned ("pinged before offer") and offers
// ISC dhclient the next one. The ARP probe for squatters that drop ICMP comes with the raw transport.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { requireTool, serverFiles, startDhclient, startLeasehold, tempDir, topology } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

test('ping-check: a squatter on 192.0.2.100 gets that address abandoned; dhclient is offered another', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  // The squatter: the client's own namespace holds 192.0.2.100 (no lease) and answers pings for it.
  await lab.addAddress(client, 'ep0', '192.0.2.100/24');
  const files = serverFiles(dir);
  const srv = await startLeasehold(lab, server, files);
  const dhc = startDhclient(lab, client, dir, 'sq');
  try {
    const env = await dhc.waitFor('BOUND', 20_000);
    assert.equal(env.get('new_ip_address'), '192.0.2.101');
  } finally {
    await dhc.stop();
  }
  assert.match(srv.stderr(), /^Abandoning IP address 192\.0\.2\.100: pinged before offer$/m);
  const blocks = readFileSync(files.leases, 'latin1').split(/\n(?=lease )/);
  assert.match(
    blocks.filter((b) => b.startsWith('lease 192.0.2.100 {')).at(-1) ?? '',
    /^ {2}binding state abandoned;/m,
  );
  assert.equal((await srv.stop(5000)).code, 0);
});
