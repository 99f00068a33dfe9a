// Parameters read once from the global scope or per lease: local-port / remote-port (ISC's order of
// precedence with -p), abandon-lease-time, dynamic-bootp-lease-length.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configuredPorts } from '../../../src/server/daemon-start.js';
import { abandonLeaseTime } from '../../../src/server/engine-other.js';
import { Server, treeOf } from './helpers.js';

const A = '00:16:36:51:5d:5a';
const SUBNET = 'subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }';

test('ports: local-port wins over -p; clients get remote-port, else the -p port + 1', () => {
  assert.deepEqual(configuredPorts(treeOf(SUBNET), 67), { server: 67, client: 68 });
  assert.deepEqual(configuredPorts(treeOf(SUBNET), 6767), { server: 6767, client: 6768 });
  assert.deepEqual(configuredPorts(treeOf(`local-port 50000; remote-port 50001; ${SUBNET}`), 67), {
    server: 50000,
    client: 50001,
  });
  // ISC computes the client port from -p before it reads dhcpd.conf.
  assert.deepEqual(configuredPorts(treeOf(`local-port 50000; ${SUBNET}`), 67), { server: 50000, client: 68 });
});

test('abandon-lease-time sets how long a declined address rests', () => {
  assert.equal(abandonLeaseTime(treeOf(SUBNET)), 86400);
  const tree = treeOf(`authoritative; abandon-lease-time 3600; ${SUBNET}`);
  assert.equal(abandonLeaseTime(tree), 3600);
  const s = new Server(tree);
  const { address } = s.dora({ mac: A });
  const res = s.send({ mac: A, type: 4, requested: address });
  const lease = res.changes.find((c) => c.reason === 'decline')!.lease;
  assert.equal(lease.bindingState, 'abandoned');
  assert.equal(lease.ends, s.now + 3600);
});

test('dynamic-bootp-lease-length bounds a dynamic BOOTP lease', () => {
  const s = new Server(
    treeOf(`authoritative; dynamic-bootp-lease-length 7200;
      subnet 192.168.1.0 netmask 255.255.255.0 { range dynamic-bootp 192.168.1.50 192.168.1.50; }`),
  );
  const res = s.send({ mac: A });
  assert.equal(res.changes[0]?.lease.ends, s.now + 7200);
});
