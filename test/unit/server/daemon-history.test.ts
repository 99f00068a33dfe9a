// Lease history: durable records appended as JSON lines, searched by address and hardware address, pruned
// after N days, read back (and a torn last line skipped) when the server starts again.

import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Lease } from '../../../src/leases/lease.js';
import { LeaseHistory } from '../../../src/server/daemon-history.js';

const A = ((192 << 24) | (2 << 8) | 100) >>> 0;
const B = A + 1;

function lease(address: number, mac: number, state: Lease['bindingState'], ends: number): Lease {
  return {
    kind: 'lease',
    address,
    bindingState: state,
    starts: ends - 600,
    ends,
    hardware: { type: 1, address: Uint8Array.from([0, 0x16, 0x36, 0, 0, mac]) },
    clientHostname: `host-${mac}`,
  };
}

test('entries are found by address and by hardware address, newest first, and survive a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-history-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'dhcpd.leases.history');
  let now = 1_700_000_000;
  const h = await LeaseHistory.open(path, 30, () => now);
  h.committed([lease(A, 1, 'active', now + 600)]);
  now += 10;
  h.committed([lease(B, 2, 'active', now + 600), lease(A, 1, 'free', now)]);
  now += 10;
  h.committed([lease(A, 3, 'active', now + 600)]);
  const byIp = await h.query({ ip: '192.0.2.100' });
  assert.deepEqual(
    byIp.map((e) => [e.state, e.hardware]),
    [
      ['active', '00:16:36:00:00:03'],
      ['free', '00:16:36:00:00:01'],
      ['active', '00:16:36:00:00:01'],
    ],
  );
  const byMac = await h.query({ mac: '00:16:36:00:00:01' });
  assert.equal(byMac.length, 2);
  assert.equal((await h.query({ ip: '192.0.2.100', limit: 1 }))[0]!.hardware, '00:16:36:00:00:03');
  assert.equal((await h.query({ ip: '192.0.2.100', mac: '00:16:36:00:00:03' })).length, 1);
  assert.deepEqual(await h.query({ ip: '192.0.2.200' }), []);
  await h.close();
  // A torn last line (a crash mid-append) is skipped on the next start; the rest is indexed again.
  appendFileSync(path, '{"t":1700000030,"ip":"192.0.2.');
  const again = await LeaseHistory.open(path, 30, () => now);
  assert.equal((await again.query({ ip: '192.0.2.100' })).length, 3);
  assert.equal((await again.query({ ip: '192.0.2.101' }))[0]!.hostname, 'host-2');
  await again.close();
  assert.doesNotMatch(readFileSync(path, 'utf8'), /"ip":"192\.0\.2\.$/m);
});

test('entries older than the kept days are dropped when the file is opened and once a day', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-history-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'h');
  let now = 1_700_000_000;
  const h = await LeaseHistory.open(path, 2, () => now);
  h.committed([lease(A, 1, 'active', now + 600)]);
  await h.flush();
  now += 86_400 * 1.5;
  h.committed([lease(B, 2, 'active', now + 600)]);
  await h.flush(); // a day and a half later: the daily prune runs, the first entry is still young enough
  assert.equal((await h.query({ ip: '192.0.2.100' })).length, 1);
  now += 86_400;
  h.committed([lease(B, 2, 'free', now)]);
  await h.flush();
  assert.equal((await h.query({ ip: '192.0.2.100' })).length, 0, 'older than two days');
  assert.equal((await h.query({ ip: '192.0.2.101' })).length, 2);
  await h.close();
});
