// The start-up warm-up (src/server/daemon-warm-up.ts) in the real process: it leaves nothing in the temporary
// directory, and when it cannot run (no usable temporary directory) the server says so and starts cold; in both
// cases dhclient is served.

import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { requireTool, serverFiles, startDhclient, startLeasehold, tempDir, topology } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

async function serveOnce(t: TestContext, tmp: string): Promise<string> {
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const srv = await startLeasehold(lab, server, serverFiles(dir), [], { ...process.env, TMPDIR: tmp });
  const dhc = startDhclient(lab, client, dir, 'w');
  const bound = await dhc.waitFor('BOUND', 20_000);
  assert.match(bound.get('new_ip_address') ?? '', /^192\.0\.2\.\d+$/);
  await dhc.stop();
  const run = await srv.stop(5000);
  assert.equal(run.code, 0, run.stderr);
  return run.stderr;
}

test('the warm-up removes its scratch lease file; the server then serves dhclient', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const tmp = join(tempDir(t), 'tmp');
  mkdirSync(tmp);
  const log = await serveOnce(t, tmp);
  assert.doesNotMatch(log, /Warm-up skipped/);
  assert.deepEqual(readdirSync(tmp), [], 'nothing left in TMPDIR');
});

test('without a usable temporary directory the server says why and starts cold', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const log = await serveOnce(t, join(tempDir(t), 'no-such-dir'));
  assert.match(log, /^Warm-up skipped: ENOENT: .*no-such-dir/m);
});
