// Live reload's pure parts: the check of a new configuration, the leases carried into the new allocator
// (with their variables and event bodies), and the statements that need a restart.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { carryLeases, checkConfig, restartOnlyChanges } from '../../../src/server/reload.js';
import { ip, Server, treeOf } from './helpers.js';

const BASE = `authoritative; default-lease-time 600; max-lease-time 600;
subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.100 192.168.1.110; }
`;

test('checkConfig gives the tree, or the error as -t prints it (file:line:col, the line, a caret)', () => {
  assert.ok(checkConfig(BASE, 'dhcpd.conf').tree);
  const bad = checkConfig('subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.300; }\n', 'dhcpd.conf');
  assert.equal(bad.tree, undefined);
  assert.match(bad.errors[0]!, /^dhcpd\.conf:1:/);
  assert.match(bad.errors[0]!, /\^/);
});

test('carryLeases: every lease keeps its client, end, variables and event bodies in the new allocator', () => {
  const s = new Server(treeOf(BASE));
  const { address } = s.dora({ mac: '00:16:36:51:5d:5a', hostname: 'laptop' });
  const slot = s.leases.slotOf(ip(address));
  const vars = [{ name: 'note', value: { type: 'data' as const, data: new Uint8Array([104, 105]) } }];
  s.leases.setLeaseScope(slot, { variables: vars, release: [] });
  const wider = treeOf(BASE.replace('192.168.1.110', '192.168.1.150'));
  const { allocator, dropped } = carryLeases(s.leases, wider, s.now);
  assert.equal(dropped, 0);
  const to = allocator.slotOf(ip(address));
  assert.equal(allocator.stateOf(to), s.leases.stateOf(slot));
  assert.equal(allocator.endsOf(to), s.leases.endsOf(slot));
  assert.equal(allocator.hostnameOf(to), 'laptop');
  assert.deepEqual(allocator.leaseScopeOf(to), { variables: vars, release: [] });
  assert.equal(allocator.stats(0).total, 51);
  // The same client, served by the new allocator, keeps its address.
  const again = new Server(wider, undefined, allocator);
  again.now = s.now + 10;
  assert.equal(again.dora({ mac: '00:16:36:51:5d:5a' }).address, address);
});

test('carryLeases: a lease outside every new pool is counted as dropped', () => {
  const s = new Server(treeOf(BASE));
  s.dora({ mac: '00:16:36:51:5d:5a' });
  const moved = treeOf(BASE.replace('192.168.1.100 192.168.1.110', '192.168.1.120 192.168.1.130'));
  assert.equal(carryLeases(s.leases, moved, s.now).dropped, 1);
});

test('restartOnlyChanges names what keeps its old value until a restart', () => {
  const a = treeOf(`${BASE}omapi-port 7911;\n`);
  const b = treeOf(`${BASE}omapi-port 7912;\nlocal-port 6767;\n`);
  const notes = restartOnlyChanges(a, b);
  assert.equal(notes.length, 2, notes.join(' | '));
  assert.match(notes[0]!, /^local-port changed \(\(unset\) -> 6767\)/);
  assert.match(notes[1]!, /^omapi-port changed \(7911 -> 7912\)/);
  assert.deepEqual(restartOnlyChanges(a, treeOf(`${BASE}omapi-port 7911;\n`)), []);
});

test('carryLeases: an offer still held stays promised to its client', () => {
  const s = new Server(treeOf(BASE));
  const offer = s.send({ type: 1, mac: '00:16:36:51:5d:5a' });
  const offered = offer.reply!.message.yiaddr;
  const tree = treeOf(BASE);
  const { allocator } = carryLeases(s.leases, tree, s.now + 1);
  const other = new Server(tree, undefined, allocator);
  other.now = s.now + 2;
  const second = other.send({ type: 1, mac: '00:16:36:51:5d:5b' });
  assert.notEqual(second.reply!.message.yiaddr, offered, 'another client is not offered it');
  const first = other.send({ type: 1, mac: '00:16:36:51:5d:5a' });
  assert.equal(first.reply!.message.yiaddr, offered, 'its client is offered it again');
});
