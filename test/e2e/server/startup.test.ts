// Start-up refusals of the real process, as an administrator would meet them: an interface named on
// the command line without a subnet declaration, a lease file that does not parse (left untouched), and
// a second server on the same PID file while the first runs.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { serverCommand, serverFiles, startLeasehold, tempDir, topology } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

test('start-up refusals: no subnet for the named interface, unparsable lease file, server already running', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  await lab.veth(server, client, { aIf: 'eth2', bIf: 'ep1', aAddr: '203.0.113.1/24' });
  const files = serverFiles(dir);
  const run = (args: string[]) =>
    lab.run(server, process.execPath, [
      ...serverCommand(),
      '-d',
      '-cf',
      files.conf,
      '-lf',
      files.leases,
      '-pf',
      files.pid,
      ...args,
    ]);

  const noSubnet = await run(['eth2']);
  assert.equal(noSubnet.code, 1, noSubnet.stderr);
  assert.match(noSubnet.stderr, /^No subnet declaration for eth2 \(203\.0\.113\.1\)\.$/m);
  assert.match(noSubnet.stderr, /^Not configured to listen on any interfaces!$/m);

  const corrupt = 'lease 192.0.2.100 {\n  starts 4 2026/11/19 10:00:00;\n  binding state;\n}\n';
  writeFileSync(files.leases, corrupt);
  const bad = await run(['srv0']);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, new RegExp(`^${files.leases.replaceAll('.', '\\.')}:3: `, 'm'));
  assert.equal(readFileSync(files.leases, 'latin1'), corrupt, 'an unparsable lease file is never written');

  writeFileSync(files.leases, '');
  const first = await startLeasehold(lab, server, files);
  const second = await run(['srv0']);
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, new RegExp(`There's already a DHCP server running \\(PID ${first.pid}`));
  assert.equal(readFileSync(files.pid, 'utf8').trim(), String(first.pid), 'the running server keeps its PID file');
  assert.equal((await first.stop(5000)).code, 0);
});
