// One server namespace with two interfaces in two subnets, an ISC dhclient behind each. With packet
// sockets (the default as root) each client gets an address from its own subnet. Over UDP sockets
// (LEASEHOLD_TRANSPORT=udp) the server cannot tell which interface an address-less client's broadcast
// came in on (src/io/udp-transport.ts), so it says so at start-up rather than answer from the wrong subnet.

import assert from 'node:assert/strict';
import { after, type TestContext, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import { requireTool, serverCommand, serverFiles, startDhclient, tempDir, twoSubnetConf, UDP_ONLY } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const CONF = twoSubnetConf();

async function twoSubnets(t: TestContext, env?: NodeJS.ProcessEnv) {
  const lab = createLab(t);
  const dir = tempDir(t);
  const server = await lab.netns();
  const a = await lab.netns();
  const b = await lab.netns();
  await lab.veth(server, a, { aIf: 'srv0', bIf: 'ep0', aAddr: '192.0.2.1/24' });
  await lab.veth(server, b, { aIf: 'srv1', bIf: 'ep0', aAddr: '198.51.100.1/24' });
  const files = serverFiles(dir, CONF);
  const args = [...serverCommand(), '-d', '-cf', files.conf, '-lf', files.leases, '-pf', files.pid, 'srv0', 'srv1'];
  const srv = lab.spawn(server, process.execPath, args, { timeoutMs: 60_000, ...(env ? { env } : {}) });
  // The start-up lines (Listening on…, the UDP limit) all come before this one.
  await waitForLog(srv, /^Server starting service\.$/);
  return { lab, dir, a, b, srv };
}

test('two interfaces over UDP sockets: both served, the limit said once at start-up', async (t) => {
  if (!requireRoot(t)) return;
  const { srv } = await twoSubnets(t, UDP_ONLY);
  const log = srv.stderr();
  assert.match(log, /^Listening on Socket\/srv0\/192\.0\.2\.0\/24$/m);
  assert.match(log, /^Listening on Socket\/srv1\/198\.51\.100\.0\/24$/m);
  assert.match(log, /^UDP sockets cannot tell srv0, srv1 apart: /m);
  assert.equal((await srv.stop(5000)).code, 0);
});

test('two interfaces, packet sockets: each dhclient gets an address from its own subnet', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const { lab, dir, a, b, srv } = await twoSubnets(t);
  const ca = startDhclient(lab, a, dir, 'a');
  const cb = startDhclient(lab, b, dir, 'b');
  try {
    const [ea, eb] = await Promise.all([ca.waitFor('BOUND', 20_000), cb.waitFor('BOUND', 20_000)]);
    assert.match(ea.get('new_ip_address') ?? '', /^192\.0\.2\./);
    assert.match(eb.get('new_ip_address') ?? '', /^198\.51\.100\./);
  } finally {
    await Promise.all([ca.stop(), cb.stop()]);
    await srv.stop(5000);
  }
});
