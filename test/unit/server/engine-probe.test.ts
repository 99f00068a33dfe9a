import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeAnswered } from '../../../src/server/engine.js';
import { ip, Server, treeOf, yiaddr } from './helpers.js';

const A = '00:16:36:51:5d:5a';
const B = '00:16:36:51:5d:5b';
const conf = (extra = '') =>
  treeOf(`${extra} subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.12; }`);

test('ping-check (on by default): a never-leased address is probed before it is offered', () => {
  const s = new Server(conf());
  const res = s.send({ mac: A, type: 1 });
  assert.deepEqual(res.probe, { address: ip('192.168.1.10'), timeoutMs: 1000 });
  const off = new Server(conf('ping-check false;'));
  assert.equal(off.send({ mac: A, type: 1 }).probe, undefined);
  const ms = new Server(conf('ping-timeout 2;'));
  assert.equal(ms.send({ mac: A, type: 1 }).probe?.timeoutMs, 2000);
});

test('no probe for the client’s active lease, nor for its own recent one; a probe for another client', () => {
  const s = new Server(conf());
  const { address } = s.dora({ mac: A });
  assert.equal(s.send({ mac: A, type: 1 }).probe, undefined, 'active lease');
  s.send({ mac: A, type: 7, ciaddr: address });
  s.now += 10;
  assert.equal(s.send({ mac: A, type: 1 }).probe, undefined, 'same client within ping-cltt-secs');
  s.now += 121;
  s.now += 60;
  assert.ok(s.send({ mac: A, type: 1 }).probe, 'same client, long ago');
});

test('an answered probe abandons the address; the next DISCOVER gets another', () => {
  const s = new Server(conf());
  const first = s.send({ mac: A, type: 1 });
  const res = probeAnswered(s.leases, first.probe!.address, s.now);
  assert.deepEqual(res.log, ['Abandoning IP address 192.168.1.10: pinged before offer']);
  assert.equal(res.changes[0]?.reason, 'conflict');
  assert.equal(res.changes[0]?.lease.bindingState, 'abandoned');
  assert.equal(yiaddr(s.send({ mac: A, type: 1 })), '192.168.1.11');
  assert.equal(yiaddr(s.send({ mac: B, type: 1 })), '192.168.1.12');
});
