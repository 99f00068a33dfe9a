// Interfaces that appear or change address while the server runs (src/io/interface-watch.ts): a veth added to
// the server's namespace in a declared subnet is served within a few seconds and an ISC dhclient behind it gets
// an address from that subnet; an interface whose address moves out of every declared subnet stops being
// served, and is served again when the address comes back; an interface named on the command line that did not
// exist at start-up is picked up when it appears.

import assert from 'node:assert/strict';
import { after, type TestContext, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import { requireTool, serverCommand, serverFiles, startDhclient, tempDir, twoSubnetConf } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const CONF = twoSubnetConf();

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A server namespace with srv0 in 192.0.2.0/24 (client namespace behind it), the server started with `names`. */
async function serverWith(t: TestContext, names: string[]) {
  const lab = createLab(t);
  const dir = tempDir(t);
  const server = await lab.netns();
  const a = await lab.netns();
  await lab.veth(server, a, { aIf: 'srv0', bIf: 'ep0', aAddr: '192.0.2.1/24' });
  const files = serverFiles(dir, CONF);
  const args = [...serverCommand(), '-d', '-cf', files.conf, '-lf', files.leases, '-pf', files.pid, ...names];
  const srv = lab.spawn(server, process.execPath, args, { timeoutMs: 90_000 });
  await waitForLog(srv, /^Server starting service\.$/);
  return { lab, dir, server, srv };
}

test('served without names: a new interface is served, loses it with its subnet address, and gets it back', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const { lab, dir, server, srv } = await serverWith(t, []);
  assert.match(srv.stderr(), /^Listening on LPF\/srv0\//m);
  assert.doesNotMatch(srv.stderr(), /srv1/);

  const b = await lab.netns();
  const [srv1] = await lab.veth(server, b, { aIf: 'srv1', bIf: 'ep0', aAddr: '198.51.100.1/24' });
  const listening = new RegExp(`^Listening on LPF/srv1/${esc(srv1.mac)}/198\\.51\\.100\\.0/24$`);
  let at = (await waitForLog(srv, listening)).end;
  const dhc = startDhclient(lab, b, dir, 'b');
  try {
    const env = await dhc.waitFor('BOUND', 20_000);
    assert.match(env.get('new_ip_address') ?? '', /^198\.51\.100\.1\d\d$/);
  } finally {
    await dhc.stop();
  }

  // The address moves out of every declared subnet: srv1 is no longer served, in ISC's words.
  await lab.ip(['-n', server.name, 'addr', 'add', '203.0.113.1/24', 'dev', 'srv1']);
  await lab.ip(['-n', server.name, 'addr', 'del', '198.51.100.1/24', 'dev', 'srv1']);
  at = (await waitForLog(srv, /^No subnet declaration for srv1 \(203\.0\.113\.1\)\.$/, { from: at })).end;
  await waitForLog(srv, new RegExp(`^No longer listening on LPF/srv1/${esc(srv1.mac)}/198\\.51\\.100\\.0/24$`));

  // And back: served again.
  await lab.ip(['-n', server.name, 'addr', 'add', '198.51.100.1/24', 'dev', 'srv1']);
  await waitForLog(srv, listening, { from: at });
  assert.equal((await srv.stop(5000)).code, 0);
});

test('an interface named on the command line but absent at start-up is served once it appears', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const { lab, dir, server, srv } = await serverWith(t, ['srv0', 'srv1']);
  assert.match(srv.stderr(), /^Interface srv1 not found or has no IPv4 address; it will be served once it has one\.$/m);
  const b = await lab.netns();
  const [srv1] = await lab.veth(server, b, { aIf: 'srv1', bIf: 'ep0', aAddr: '198.51.100.1/24' });
  await waitForLog(srv, new RegExp(`^Listening on LPF/srv1/${esc(srv1.mac)}/198\\.51\\.100\\.0/24$`));
  const dhc = startDhclient(lab, b, dir, 'b');
  try {
    const env = await dhc.waitFor('BOUND', 20_000);
    assert.match(env.get('new_ip_address') ?? '', /^198\.51\.100\.1\d\d$/);
  } finally {
    await dhc.stop();
  }
  assert.equal((await srv.stop(5000)).code, 0);
});
