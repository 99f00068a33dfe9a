// Bad input: a seeded stream of damaged packets against the running server leaves it answering a real
// client (ISC dhclient), logging each cause of damage once rather than once per packet.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import type { FuzzInput } from './fuzz-child.js';
import { requireTool, serverFiles, startDhclient, startLeasehold, tempDir, topology } from './harness.js';

const FUZZ = fileURLToPath(new URL('./fuzz-child.js', import.meta.url));

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

test('a fuzzed packet stream leaves the server answering good clients', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  // The fuzzer needs an address to send from; dhclient does not mind one being there.
  await lab.addAddress(client, 'ep0', '192.0.2.3/24');
  const srv = await startLeasehold(lab, server, serverFiles(dir));
  const seed = Math.floor(Math.random() * 2 ** 31);
  t.diagnostic(`fuzz seed ${seed}`);
  const input: FuzzInput = { seed, count: 3000, targets: ['192.0.2.1', '192.0.2.255'] };
  const fuzz = lab.spawnNode(client, FUZZ, input, { timeoutMs: 25_000 });
  const dhc = startDhclient(lab, client, dir, 'good');
  const env = await dhc.waitFor('BOUND', 20_000);
  await dhc.stop();
  const fuzzed = await fuzz.exited;
  assert.equal(fuzzed.code, 0, fuzzed.stderr);
  assert.match(env.get('new_ip_address') ?? '', /^192\.0\.2\.1[0-9][0-9]$/);
  assert.equal(srv.process.exitCode, null, 'server still running');
  // The fuzzer has sent everything; the server may still be reading it, and its log lines come in batches.
  await waitForLog(srv, /^Discarding packet/, { count: 3 });
  const stopped = await srv.stop(5000);
  assert.equal(stopped.code, 0, stopped.stderr);
  // Counted in the whole log, once the server has exited: one line per cause, however late a packet came.
  const discards = stopped.stderr.split('\n').filter((l) => l.startsWith('Discarding packet'));
  for (const d of discards) t.diagnostic(d);
  assert.ok(discards.length <= 12, `one line per cause, not per packet:\n${discards.join('\n')}`);
  assert.match(stopped.stderr, /Discarded packets since last report: /, 'the counts are reported at exit');
});
