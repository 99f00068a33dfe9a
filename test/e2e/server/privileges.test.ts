// dhcpd's -user/-group: once its sockets and files are open, the server runs as the given user and
// still serves and records leases; a user that does not exist stops the start instead of serving as root.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import {
  requireTool,
  serverCommand,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
  topology,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}

test('-user nobody -group nogroup: serves and records leases as nobody', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const files = serverFiles(dir);
  const srv = await startLeasehold(lab, server, files, ['-user', 'nobody', '-group', 'nogroup']);
  assert.equal(uidOf(srv.process.pid!), 65534);
  const dhc = startDhclient(lab, client, dir, 'priv');
  const env = await dhc.waitFor('BOUND', 25_000);
  await dhc.stop();
  const address = env.get('new_ip_address') ?? '';
  // Read once on purpose: an ACK leaves only once its lease is on disk.
  assert.match(readFileSync(files.leases, 'latin1'), new RegExp(`lease ${address.replaceAll('.', '\\.')} \\{`));
  await srv.stop(3000);
});

test('-user with an unknown user refuses to start', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server } = await topology(lab);
  const f = serverFiles(dir);
  const args = [...serverCommand(), '-d', '-cf', f.conf, '-lf', f.leases, '--no-pid', '-user', 'no-such-user-lh'];
  const run = await lab.spawn(server, process.execPath, [...args, 'srv0'], { timeoutMs: 20_000 }).exited;
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /Can't change to user no-such-user-lh/);
  assert.doesNotMatch(run.stderr, /Server starting service\./);
});
