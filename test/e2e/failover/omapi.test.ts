// ISC's omshell and the failover-state object of `leasehold server`: read a relationship's states and settings,
// and move a server whose partner is gone to PARTNER-DOWN by hand (`set local-state = 4`), as ISC's omshell does
// with dhcpd; the server then serves a client its partner would have served.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import { omshell, requireOmshell } from '../omapi/harness.js';
import { startDhclient, tempDir } from '../server/harness.js';
import { failoverConf, failoverLink, files, splitMacs, startOurs } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

test('omshell reads the failover-state object and moves a lone primary to partner-down; it then serves every client', async (t) => {
  if (!requireRoot(t) || !requireOmshell(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  // The secondary's client by the hash: only partner-down lets the primary serve it.
  const [mac] = splitMacs(0, 1);
  const link = await failoverLink(lab, [mac!]);
  const f = files(dir, 'a', `omapi-port 7911;\n${failoverConf('a', 'primary', { mclt: 10 })}`);
  const server = await startOurs(lab, link.a, f);
  // No partner: start-up gives up after 15 s and the server stays in recover, answering no one.
  await waitForLog(server, /failover peer pair: I move from startup to recover$/m, {
    name: 'server',
    timeoutMs: 30_000,
  });

  const read = await omshell(lab, link.a, 7911, ['new failover-state', 'set name = "pair"', 'open']);
  assert.match(read, /obj: failover-state\n/);
  assert.match(read, /\nname = "pair"\n/);
  assert.match(read, /\npartner-address = c0:00:02:02\n/);
  assert.match(read, /\nmclt = 00:00:00:0a\n/);
  assert.match(read, /\nlocal-state = 00:00:00:06\n/); // recover
  assert.match(read, /\npartner-state = 00:00:00:00\n/); // unknown-state
  assert.match(read, /\nhierarchy = 00:00:00:00\n/); // primary

  const mark = server.stderr().length;
  const set = await omshell(lab, link.a, 7911, [
    'new failover-state',
    'set name = "pair"',
    'open',
    'set local-state = 4',
    'update',
  ]);
  // omshell prints the value it set (4) once the server accepted the update.
  assert.match(set, /\nlocal-state = 4\n/, set);
  await waitForLog(server, /failover peer pair: I move from recover to partner-down$/m, { name: 'server', from: mark });

  const run = startDhclient(lab, link.clients[0]!.ns, dir, 'c0');
  const env = await run.waitFor('BOUND', 30_000);
  assert.equal(env.get('new_dhcp_server_identifier'), '192.0.2.1');
  await run.stop();
});
