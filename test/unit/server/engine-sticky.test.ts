import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Allocator } from '../../../src/server/allocator.js';
import { ip, messageType, optionOf, readU32, Server, seedConfText, treeOf, yiaddr } from './helpers.js';

const A = '00:16:36:51:5d:5a';
const B = '00:16:36:51:5d:5b';
const C = '00:16:36:51:5d:5c';
const D = '00:16:36:51:5d:5d';
const small = (extra = '') =>
  treeOf(`default-lease-time 600; max-lease-time 600; authoritative; ${extra}
    subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.12; }`);

test('the same address after RELEASE, even when others came in between', () => {
  const s = new Server(treeOf(seedConfText()));
  const { address } = s.dora({ mac: A });
  const rel = s.send({ mac: A, type: 7, ciaddr: address });
  assert.deepEqual(rel.log, [`DHCPRELEASE of ${address} from ${A} via eth0 (found)`]);
  assert.equal(rel.changes[0]?.reason, 'release');
  assert.equal(rel.changes[0]?.lease.bindingState, 'free');
  assert.equal(rel.reply, undefined);
  s.now += 10;
  s.dora({ mac: B });
  s.dora({ mac: C });
  assert.equal(s.dora({ mac: A }).address, address);
});

test('the same address after expiry; the expiry is a change to write', () => {
  const s = new Server(small());
  const { address } = s.dora({ mac: A });
  s.now += 601;
  const other = s.send({ mac: B, type: 1 });
  const expired = other.changes.filter((c) => c.reason === 'expire');
  assert.equal(expired.length, 1);
  assert.equal(expired[0]?.lease.bindingState, 'free');
  assert.notEqual(yiaddr(other), address, 'a recently used address goes last');
  assert.equal(s.dora({ mac: A }).address, address);
});

test('the same address after a restart rebuilt from the written changes', () => {
  const s = new Server(small());
  const a = s.dora({ mac: A }).address;
  const b = s.dora({ mac: B }).address;
  s.send({ mac: B, type: 7, ciaddr: b });
  const tree = s.tree;
  const fresh = new Allocator(tree);
  fresh.loadAll(
    s.written.map((c) => c.lease),
    s.now,
  );
  const t = new Server(tree, undefined, fresh);
  t.now = s.now + 5;
  // A, still bound, renews; B gets its released address back; C takes the untouched one.
  const renew = t.send({ mac: A, type: 3, ciaddr: a });
  assert.equal(messageType(renew), 5);
  assert.equal(t.dora({ mac: C }).address, '192.168.1.12');
  assert.equal(t.dora({ mac: B }).address, b);
});

test('by client identifier first: a new NIC with the same uid keeps its address', () => {
  const s = new Server(small());
  const uid = new Uint8Array([1, 2, 3, 4]);
  const { address } = s.dora({ mac: A, uid });
  s.send({ mac: A, type: 7, ciaddr: address, uid });
  assert.equal(s.dora({ mac: B, uid }).address, address);
  // The hardware address alone no longer claims it: the lease records a client identifier.
  assert.notEqual(s.dora({ mac: A }).address, address);
});

test('a requested address is honoured when free, refused when another client holds it', () => {
  const s = new Server(small());
  const offer = s.send({ mac: A, type: 1, requested: '192.168.1.12' });
  assert.equal(yiaddr(offer), '192.168.1.12');
  s.send({ mac: A, type: 3, requested: '192.168.1.12', serverId: '192.168.1.1' });
  const other = s.send({ mac: B, type: 1, requested: '192.168.1.12' });
  assert.equal(yiaddr(other), '192.168.1.10');
  const outside = s.send({ mac: C, type: 1, requested: '10.0.0.1' });
  assert.equal(yiaddr(outside), '192.168.1.11');
});

test('free addresses are handed out least recently used first', () => {
  const s = new Server(small());
  const order = [A, B, C].map((mac) => s.dora({ mac }).address);
  assert.deepEqual(order, ['192.168.1.10', '192.168.1.11', '192.168.1.12']);
  // Released in the order 11, 12, 10 at increasing times: new clients get them in that order.
  for (const [mac, addr] of [
    [B, order[1]!],
    [C, order[2]!],
    [A, order[0]!],
  ] as const) {
    s.now += 1;
    s.send({ mac, type: 7, ciaddr: addr });
  }
  const fresh = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'].map((mac) => s.dora({ mac }).address);
  assert.deepEqual(fresh, ['192.168.1.11', '192.168.1.12', '192.168.1.10']);
});

test('DECLINE abandons the address; it is reclaimed only when nothing else is free', () => {
  const s = new Server(small());
  const { address } = s.dora({ mac: A });
  const dec = s.send({ mac: A, type: 4, requested: address });
  assert.deepEqual(dec.log, [
    `Abandoning IP address ${address}: declined.`,
    `DHCPDECLINE of ${address} from ${A} via eth0: abandoned`,
  ]);
  assert.equal(dec.changes[0]?.lease.bindingState, 'abandoned');
  assert.equal(dec.changes[0]?.lease.hardware, undefined, 'ISC forgets the client of an abandoned lease');
  const again = s.dora({ mac: A }).address;
  assert.notEqual(again, address);
  s.dora({ mac: B });
  const last = s.send({ mac: C, type: 1 });
  assert.equal(yiaddr(last), address);
  assert.equal(last.log[0], `Reclaiming abandoned lease ${address}.`);
  s.send({ mac: C, type: 3, requested: address, serverId: '192.168.1.1' });
  const none = s.send({ mac: '02:00:00:00:00:09', type: 1 });
  assert.equal(none.reply, undefined);
  assert.deepEqual(none.log, ['DHCPDISCOVER from 02:00:00:00:00:09 via eth0: network 192.168.1.0/24: no free leases']);
});

test('a DECLINE from another client does not take a leased address out of service; a free one is abandoned', () => {
  const s = new Server(small());
  const { address } = s.dora({ mac: A });
  const dec = s.send({ mac: B, type: 4, requested: address });
  assert.equal(dec.changes.length, 0);
  assert.equal(dec.log.at(-1), `DHCPDECLINE of ${address} from ${B} via eth0: not abandoned: leased to another client`);
  const free = s.send({ mac: B, type: 4, requested: '192.168.1.12' });
  assert.equal(free.changes[0]?.lease.bindingState, 'abandoned', 'as ISC: whoever declines a free address');
});

test('one-lease-per-client releases the other leases of the client on REQUEST', () => {
  const tree = treeOf(`one-lease-per-client true; authoritative;
    shared-network lan {
      subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.12; }
      subnet 192.168.2.0 netmask 255.255.255.0 { range 192.168.2.10 192.168.2.12; }
    }`);
  const s = new Server(tree);
  const first = s.dora({ mac: A }).address;
  const ack = s.send({ mac: A, type: 3, requested: '192.168.2.10' });
  assert.equal(messageType(ack), 5);
  const released = ack.changes.filter((c) => c.reason === 'one-lease-per-client');
  assert.equal(released.length, 1);
  assert.equal(released[0]?.lease.address, ip(first));
});

test('an offered address goes to the back of the free queue and stays there after the offer lapses', () => {
  const s = new Server(small());
  const o1 = yiaddr(s.send({ mac: A, type: 1 }));
  const o2 = yiaddr(s.send({ mac: B, type: 1 }));
  assert.notEqual(o1, o2);
  s.now += 121;
  assert.equal(yiaddr(s.send({ mac: C, type: 1 })), '192.168.1.12', 'never-offered first (ISC sorts by end)');
  assert.equal(yiaddr(s.send({ mac: D, type: 1 })), o1, 'then the lapsed offer made longest ago');
});

test('offers to a flood of client identifiers never lock a new client out (the oldest offer is reclaimed)', () => {
  const s = new Server(small());
  for (let i = 0; i < 1000; i++) {
    const mac = `02:00:00:00:00:0${i % 4}`;
    const res = s.send({
      mac,
      type: 1,
      uid: Uint8Array.from(Buffer.from(`ff${i.toString(16).padStart(8, '0')}`, 'hex')),
    });
    assert.ok(res.reply !== undefined, `offer ${i}: ${res.log.join(' | ')}`);
  }
  const fresh = s.dora({ mac: D });
  assert.equal(messageType(fresh.ack), 5);
});

test('dhcp-cache-threshold: a young lease is handed back unchanged with its remaining time, nothing written', () => {
  const s = new Server(small());
  const { address } = s.dora({ mac: A });
  s.now += 100; // under 25 % of 600 s
  const renew = s.send({ mac: A, type: 3, ciaddr: address });
  assert.equal(messageType(renew), 5);
  assert.equal(renew.changes.length, 0);
  assert.equal(readU32(optionOf(renew, 51)!), 500);
  s.now += 100; // 200 s: over 150
  const later = s.send({ mac: A, type: 3, ciaddr: address });
  assert.equal(readU32(optionOf(later, 51)!), 600);
  assert.equal(later.changes.length, 1);
  const off = new Server(small('dhcp-cache-threshold 0;'));
  const again = off.dora({ mac: A });
  off.now += 10;
  assert.equal(off.send({ mac: A, type: 3, ciaddr: again.address }).changes.length, 1);
});

test('a configuration reload carries every lease into the new snapshot (leaseRecords -> loadAll)', () => {
  const s = new Server(small());
  const a = s.dora({ mac: A }).address;
  const b = s.dora({ mac: B }).address;
  s.send({ mac: B, type: 7, ciaddr: b });
  const bigger = treeOf(`default-lease-time 600; max-lease-time 600; authoritative;
    subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }`);
  const next = new Allocator(bigger);
  next.loadAll(s.leases.leaseRecords(), s.now);
  assert.equal([...s.leases.leaseRecords()].length, 2);
  const t = new Server(bigger, undefined, next);
  t.now = s.now + 1;
  assert.equal(messageType(t.send({ mac: A, type: 3, ciaddr: a })), 5);
  assert.equal(t.dora({ mac: B }).address, b);
  assert.equal(t.dora({ mac: C }).address, '192.168.1.12');
});

test('RELEASE: the lease must carry the sender hardware address, whatever its client identifier (ISC)', () => {
  const s = new Server(small());
  const uid = Uint8Array.from(Buffer.from('00646f636b', 'hex'));
  const { address } = s.dora({ mac: A, uid });
  const other = s.send({ mac: B, uid, type: 7, ciaddr: address });
  assert.equal(other.changes.length, 0);
  assert.equal(other.log.at(-1), `DHCPRELEASE of ${address} from ${B} via eth0 (not found)`);
  const own = s.send({ mac: A, uid, type: 7, ciaddr: address });
  assert.equal(own.changes[0]?.lease.bindingState, 'free');
});

test('a client with two leases gets back the one ISC would: reuse sets cltt, which orders its leases', () => {
  const s = new Server(small());
  const uid = Uint8Array.from([1, 0, 0x16, 0x36, 0x51, 0x5d, 0x5a]);
  const first = s.dora({ mac: A, uid }).address;
  s.now += 1;
  const other = first === '192.168.1.12' ? '192.168.1.11' : '192.168.1.12';
  assert.equal(yiaddr(s.send({ mac: A, uid, type: 1, requested: other })), other);
  s.now += 1;
  const renew = s.send({ mac: A, uid, type: 3, ciaddr: first });
  assert.equal(renew.changes.length, 0, 'a reuse');
  s.now += 3;
  const moved = s.send({ mac: A, uid, type: 3, requested: other });
  assert.equal(messageType(moved), 5);
  assert.deepEqual(
    moved.changes.map((c) => [c.reason, c.lease.bindingState]),
    [
      ['release', 'free'],
      ['commit', 'active'],
    ],
    'the duplicate lease is released',
  );
  s.now += 1;
  s.send({ mac: A, uid, type: 7, ciaddr: other });
  s.now += 1;
  assert.equal(yiaddr(s.send({ mac: A, uid, type: 1 })), first);
});

test('a client with a fixed address that asks for its old dynamic lease releases it (ISC find_lease)', () => {
  const s = new Server(small(`host h { hardware ethernet ${B}; fixed-address 192.168.1.2; }`));
  s.leases.loadAll(
    [
      {
        kind: 'lease',
        address: ip('192.168.1.10'),
        starts: s.now - 10,
        ends: s.now + 500,
        bindingState: 'active',
        hardware: { type: 1, address: Uint8Array.from(Buffer.from(B.replaceAll(':', ''), 'hex')) },
      },
    ],
    s.now,
  );
  const offer = s.send({ mac: B, type: 1, requested: '192.168.1.10' });
  assert.equal(yiaddr(offer), '192.168.1.2');
  assert.deepEqual(
    offer.changes.map((c) => [c.reason, c.lease.bindingState]),
    [['release', 'free']],
  );
});
