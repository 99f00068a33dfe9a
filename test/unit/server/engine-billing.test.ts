// ISC's class billing: `spawn with` + `lease limit`, what a client of a full class gets (nothing, and a
// log line), when a billed lease is released, and the billing lines of the lease file.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLease } from '../../../src/leases/writer.js';
import { Allocator } from '../../../src/server/allocator.js';
import { Server, treeOf } from './helpers.js';

const A = '00:16:36:51:5d:5a';
const B = '00:16:36:51:5d:5b';
const C = '00:16:36:51:5d:5c';
const circuit = (s: string): [number, Uint8Array] => [82, new Uint8Array([1, s.length, ...Buffer.from(s)])];

const CONF = `authoritative; default-lease-time 600;
  class "per-port" { spawn with option agent.circuit-id; lease limit 1; }
  subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }`;

test('spawn with + lease limit 1: one lease per port; a second client on the port gets nothing', () => {
  const s = new Server(treeOf(CONF));
  const first = s.dora({ mac: A, giaddr: '192.168.1.1', options: [circuit('port1')] });
  const lease = first.ack.changes.find((c) => c.reason === 'commit')!.lease;
  assert.deepEqual(lease.opaque, ['billing subclass "per-port" "port1";']);
  // Where ISC writes it: after the binding states, before the hardware address.
  assert.match(formatLease(lease), /next binding state free;\n {2}billing subclass "per-port" "port1";\n {2}hardware /);

  const second = s.send({ mac: B, type: 1, giaddr: '192.168.1.1', options: [circuit('port1')] });
  assert.equal(second.reply, undefined);
  assert.ok(
    second.log.some((l) =>
      /^DHCPDISCOVER from 00:16:36:51:5d:5b via 192\.168\.1\.1: no available billing: lease limit reached in all matching classes \(last: 'per-port'\)$/.test(
        l,
      ),
    ),
    second.log.join('\n'),
  );
  // Another port is another spawned subclass, with a limit of its own.
  const other = s.send({ mac: C, type: 1, giaddr: '192.168.1.1', options: [circuit('port2')] });
  assert.ok(other.reply !== undefined, other.log.join('\n'));
});

test('the first client renews; after its release the second client gets a lease', () => {
  const s = new Server(treeOf(CONF));
  const { address } = s.dora({ mac: A, giaddr: '192.168.1.1', options: [circuit('port1')] });
  const renew = s.send({ mac: A, type: 3, ciaddr: address, options: [circuit('port1')], giaddr: '192.168.1.1' });
  assert.ok(renew.reply !== undefined, renew.log.join('\n'));
  assert.equal(s.leases.billing.count({ name: 'per-port', subclassKey: Buffer.from('port1').toString('hex') }), 1);
  const rel = s.send({ mac: A, type: 7, ciaddr: address });
  assert.equal(rel.changes.find((c) => c.reason === 'release')!.lease.opaque, undefined);
  const second = s.dora({ mac: B, giaddr: '192.168.1.1', options: [circuit('port1')] });
  assert.ok(second.address);
});

test('an offer does not hold the billing: only the ACK does', () => {
  const s = new Server(treeOf(CONF));
  const offer = s.send({ mac: A, type: 1, giaddr: '192.168.1.1', options: [circuit('port1')] });
  assert.ok(offer.reply !== undefined);
  assert.equal(s.leases.billing.count({ name: 'per-port', subclassKey: Buffer.from('port1').toString('hex') }), 0);
});

test('a declared class with a lease limit; the billing is read back from the lease file', () => {
  const conf = `authoritative;
    class "few" { match if substring (option vendor-class-identifier, 0, 4) = "few-"; lease limit 1; }
    subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }`;
  const s = new Server(treeOf(conf));
  const vci: [number, Uint8Array] = [60, new Uint8Array(Buffer.from('few-1'))];
  const { ack } = s.dora({ mac: A, options: [vci] });
  const lease = ack.changes.find((c) => c.reason === 'commit')!.lease;
  assert.deepEqual(lease.opaque, ['billing class "few";']);
  // A restart: the lease file's billing line bills the lease again, so the class is still full.
  const tree = treeOf(conf);
  const loaded = new Allocator(tree);
  loaded.loadAll([lease], s.now);
  const again = new Server(tree, undefined, loaded);
  again.now = s.now;
  const second = again.send({ mac: B, type: 1, options: [[60, new Uint8Array(Buffer.from('few-2'))]] });
  assert.equal(second.reply, undefined, second.log.join('\n'));
});
