// The engine and the lease file together: what the engine asks to write, written in dhcpd.leases
// form and read back, rebuilds the same allocation; a file ISC dhcpd wrote is honoured.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLease, parseLeases } from '../../../src/leases/index.js';
import { Allocator } from '../../../src/server/allocator.js';
import { messageType, Server, treeOf, yiaddr } from './helpers.js';

const conf = () =>
  treeOf(`authoritative; default-lease-time 600;
    subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.100 192.168.1.199; }`);

test('changes written as dhcpd.leases text and read back rebuild the same allocation', () => {
  const s = new Server(conf());
  const macs = Array.from({ length: 6 }, (_, i) => `02:00:00:00:00:0${i}`);
  const got = macs.map((mac) => s.dora({ mac, hostname: `h${mac.slice(-1)}` }).address);
  s.send({ mac: macs[1]!, type: 7, ciaddr: got[1]! });
  s.send({ mac: macs[2]!, type: 4, requested: got[2]! });
  const text = s.written.map((c) => formatLease(c.lease)).join('');
  const parsed = parseLeases(text, 'dhcpd.leases');
  assert.equal(parsed.error, undefined, parsed.error?.message);
  const fresh = new Allocator(s.tree);
  fresh.loadAll(parsed.leases.values(), s.now);
  const t = new Server(s.tree, undefined, fresh);
  t.now = s.now + 1;
  assert.equal(messageType(t.send({ mac: macs[0]!, type: 3, ciaddr: got[0]! })), 5, 'active lease renews');
  assert.equal(t.dora({ mac: macs[1]! }).address, got[1], 'released lease comes back to its client');
  assert.notEqual(t.dora({ mac: '02:00:00:00:00:77' }).address, got[2], 'abandoned stays out while others are free');
  const theft = t.send({ mac: '02:00:00:00:00:78', type: 3, requested: got[3]! });
  assert.equal(messageType(theft), 6, 'an active lease of another client is refused');
});

test('a lease file written by ISC dhcpd is honoured', () => {
  const isc = `# The format of this file is documented in the dhcpd.leases(5) manual page.
# This lease file was written by isc-dhcp-4.4.3-P1

# authoring-byte-order entry is generated, DO NOT DELETE
authoring-byte-order little-endian;

lease 192.168.1.150 {
  starts 0 2026/11/22 10:00:00;
  ends 1 2026/11/23 10:00:00;
  cltt 0 2026/11/22 10:00:00;
  binding state active;
  next binding state free;
  rewind binding state free;
  hardware ethernet 00:16:36:51:5d:5a;
  uid "\\001\\000\\0266Q]Z";
  client-hostname "iMac";
}
lease 192.168.1.120 {
  starts 0 2026/11/22 08:00:00;
  ends 0 2026/11/22 09:00:00;
  tstp 0 2026/11/22 09:00:00;
  cltt 0 2026/11/22 08:00:00;
  binding state free;
  hardware ethernet 00:30:65:02:c1:91;
}
`;
  const parsed = parseLeases(isc, 'dhcpd.leases');
  assert.equal(parsed.error, undefined, parsed.error?.message);
  const tree = conf();
  const leases = new Allocator(tree);
  const now = Date.UTC(2026, 10, 22, 12, 0, 0) / 1000;
  leases.loadAll(parsed.leases.values(), now);
  const s = new Server(tree, undefined, leases);
  s.now = now;
  const uid = new Uint8Array([1, 0, 0x16, 0x36, 0x51, 0x5d, 0x5a]);
  const imac = s.send({ mac: '00:16:36:51:5d:5a', uid, type: 1 });
  assert.equal(yiaddr(imac), '192.168.1.150');
  assert.deepEqual(imac.log, [
    'DHCPDISCOVER from 00:16:36:51:5d:5a (iMac) via eth0',
    'DHCPOFFER on 192.168.1.150 to 00:16:36:51:5d:5a (iMac) via eth0',
  ]);
  assert.equal(
    yiaddr(s.send({ mac: '00:30:65:02:c1:91', type: 1 })),
    '192.168.1.120',
    'a free lease stays with its client',
  );
  assert.equal(yiaddr(s.send({ mac: '02:00:00:00:00:01', type: 1 })), '192.168.1.100');
});

test('a reserved lease is never handed to another client, and stays reserved when renewed', () => {
  const text = `lease 192.168.1.100 {
  starts 0 2026/11/22 08:00:00;
  ends 0 2026/11/22 09:00:00;
  binding state free;
  reserved;
  hardware ethernet 00:16:36:51:5d:5a;
}
`;
  const parsed = parseLeases(text, 'dhcpd.leases');
  assert.equal(parsed.error, undefined, parsed.error?.message);
  const tree = conf();
  const leases = new Allocator(tree);
  const now = Date.UTC(2026, 10, 22, 12, 0, 0) / 1000;
  leases.loadAll(parsed.leases.values(), now);
  const s = new Server(tree, undefined, leases);
  s.now = now;
  assert.equal(yiaddr(s.send({ mac: '02:00:00:00:00:01', type: 1 })), '192.168.1.101');
  const own = s.dora({ mac: '00:16:36:51:5d:5a' });
  assert.equal(own.address, '192.168.1.100');
  assert.equal(own.ack.changes.find((c) => c.reason === 'commit')?.lease.reserved, true);
});
