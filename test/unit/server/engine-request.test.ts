import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeRelayAgentInfo,
  ipToBytes,
  OPT_RELAY_AGENT_INFO,
  RAI_CIRCUIT_ID,
  RAI_LINK_SELECTION,
  RAI_RELAY_PORT,
} from '../../../src/wire/index.js';
import { decodedReply, ip, messageType, optionOf, Server, treeOf, yiaddr } from './helpers.js';

const A = '00:16:36:51:5d:5a';
const B = '00:16:36:51:5d:5b';
const conf = (auth: boolean) =>
  treeOf(`${auth ? 'authoritative;' : ''}
    subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }
    subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }
    shared-network campus {
      subnet 198.51.100.0 netmask 255.255.255.0 { range 198.51.100.10 198.51.100.10; }
      subnet 203.0.113.0 netmask 255.255.255.0 { range 203.0.113.10 203.0.113.11; }
    }`);

test('INIT-REBOOT for an address of another network: NAK when authoritative, broadcast', () => {
  const s = new Server(conf(true));
  const res = s.send({ mac: A, type: 3, requested: '10.0.0.15' });
  assert.equal(messageType(res), 6);
  assert.deepEqual(res.reply?.destination, { kind: 'broadcast' });
  assert.deepEqual(res.log, [
    `DHCPREQUEST for 10.0.0.15 from ${A} via eth0: wrong network.`,
    `DHCPNAK on 10.0.0.15 to ${A} via eth0`,
  ]);
  assert.equal(decodedReply(res).yiaddr, 0);
  // Option 56 is the text ISC's last lease lookup left (dhcp_message): none yet in a fresh server.
  assert.deepEqual([...decodedReply(res).options.keys()], [53, 54]);
  s.send({ mac: B, type: 1 });
  const again = s.send({ mac: A, type: 3, requested: '10.0.0.15' });
  assert.equal(Buffer.from(optionOf(again, 56)!).toString(), 'requested address not available');
  assert.equal(res.changes.length, 0);
});

test('INIT-REBOOT for an address of another network: silence when not authoritative', () => {
  const s = new Server(conf(false));
  const res = s.send({ mac: A, type: 3, requested: '10.0.0.15' });
  assert.equal(res.reply, undefined);
  assert.deepEqual(res.log, [`DHCPREQUEST for 10.0.0.15 from ${A} via eth0: ignored (not authoritative).`]);
});

test('INIT-REBOOT for its own address is ACKed; for an address another client holds, NAKed', () => {
  const s = new Server(conf(true));
  const { address } = s.dora({ mac: A });
  assert.equal(messageType(s.send({ mac: A, type: 3, requested: address })), 5);
  const theft = s.send({ mac: B, type: 3, requested: address });
  assert.equal(messageType(theft), 6);
  assert.equal(theft.log[0], `DHCPREQUEST for ${address} from ${B} via eth0: lease ${address} unavailable.`);
  const unknown = s.send({ mac: B, type: 3, requested: '192.168.1.200' });
  assert.equal(unknown.reply, undefined, 'an address outside every range is not ours to NAK');
});

test('REQUEST naming another server is served as ISC serves it (no server-id check without failover)', () => {
  const s = new Server(conf(true));
  const offered = yiaddr(s.send({ mac: A, type: 1 }));
  const res = s.send({ mac: A, type: 3, requested: offered, serverId: '192.168.1.254' });
  assert.equal(messageType(res), 5);
  assert.equal(res.changes[0]?.lease.address, ip(offered));
  const other = s.send({ mac: B, type: 3, requested: '192.168.1.200', serverId: '192.168.1.254' });
  assert.equal(other.reply, undefined, 'an address in no range of ours is left to its server');
});

test('RENEWING (unicast, ciaddr) and REBINDING (broadcast, ciaddr) are ACKed and extend the lease', () => {
  const s = new Server(conf(true));
  const { address } = s.dora({ mac: A });
  s.now += 21600;
  const renew = s.send({ mac: A, type: 3, ciaddr: address });
  assert.equal(messageType(renew), 5);
  assert.equal(renew.changes[0]?.lease.ends, s.now + 43200);
  assert.deepEqual(renew.reply?.destination, { kind: 'client', address: ip(address) });
  s.now += 37800;
  const rebind = s.send({ mac: A, type: 3, ciaddr: address, flags: 0x8000 });
  assert.equal(messageType(rebind), 5);
  assert.deepEqual(rebind.reply?.destination, { kind: 'broadcast' });
});

test('a relayed request is served from the subnet of giaddr and answered to the relay', () => {
  const s = new Server(conf(true));
  const rai = encodeRelayAgentInfo([{ code: RAI_CIRCUIT_ID, data: new Uint8Array([1, 2, 3]) }]);
  const offer = s.send({ mac: A, type: 1, giaddr: '10.0.0.1', options: [[OPT_RELAY_AGENT_INFO, rai]] });
  assert.equal(yiaddr(offer), '10.0.0.10');
  assert.deepEqual(offer.reply?.destination, { kind: 'relay', address: ip('10.0.0.1') });
  assert.deepEqual(optionOf(offer, OPT_RELAY_AGENT_INFO), rai, 'option 82 is echoed');
  assert.equal(offer.log[0], `DHCPDISCOVER from ${A} via 10.0.0.1`);
  const nak = s.send({ mac: A, type: 3, requested: '192.168.1.10', giaddr: '10.0.0.1' });
  assert.equal(messageType(nak), 6);
  assert.equal((decodedReply(nak).flags & 0x8000) !== 0, true, 'a relayed NAK asks the relay to broadcast');
});

test('RFC 3527 link selection overrides giaddr', () => {
  const s = new Server(conf(true));
  const rai = encodeRelayAgentInfo([{ code: RAI_LINK_SELECTION, data: ipToBytes(ip('192.168.1.0')) }]);
  const offer = s.send({ mac: A, type: 1, giaddr: '10.0.0.1', options: [[OPT_RELAY_AGENT_INFO, rai]] });
  assert.equal(yiaddr(offer), '192.168.1.10');
});

test('a shared network spills into its second subnet when the first is full', () => {
  const s = new Server(conf(true));
  const got = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'].map(
    (mac) => s.dora({ mac, giaddr: '198.51.100.1' }).address,
  );
  assert.deepEqual(got, ['198.51.100.10', '203.0.113.10', '203.0.113.11']);
  const last = s.dora({ mac: '02:00:00:00:00:02', giaddr: '198.51.100.1' });
  const mask = optionOf(last.ack, 1);
  assert.deepEqual(mask, ipToBytes(ip('255.255.255.0')));
  const full = s.send({ mac: B, type: 1, giaddr: '198.51.100.1' });
  assert.equal(full.log[0], `DHCPDISCOVER from ${B} via 198.51.100.1: network campus: no free leases`);
});

test('an unknown network segment is logged and not answered', () => {
  const s = new Server(conf(true));
  const res = s.send({ mac: A, type: 1, giaddr: '172.16.0.1' });
  assert.equal(res.reply, undefined);
  assert.deepEqual(res.log, [`DHCPDISCOVER from ${A} via 172.16.0.1: unknown network segment`]);
});

test('expiry between packets: expireLeases returns the records to write; poolReport counts them', async () => {
  const { expireLeases, poolReport } = await import('../../../src/server/engine.js');
  const s = new Server(conf(true));
  const { address } = s.dora({ mac: A });
  assert.deepEqual(expireLeases(s.leases, s.now + 100), []);
  const changes = expireLeases(s.leases, s.now + 43200);
  assert.equal(changes.length, 1);
  assert.equal(changes[0]?.reason, 'expire');
  assert.equal(changes[0]?.lease.address, ip(address));
  assert.equal(changes[0]?.lease.bindingState, 'free');
  assert.equal(expireLeases(s.leases, s.now + 99999).length, 0, 'written once');
  assert.ok(poolReport(s.leases).includes('pool 1 192.168.1.0/24 total 11 free 11 backup 0 lts 0 max-own (+/-)0'));
});

test('RFC 8357: a relay that names its port gets the reply there', () => {
  const s = new Server(conf(true));
  const named = encodeRelayAgentInfo([{ code: RAI_RELAY_PORT, data: new Uint8Array([0x10, 0x00]) }]);
  const r1 = s.send({ mac: A, type: 1, giaddr: '10.0.0.1', options: [[OPT_RELAY_AGENT_INFO, named]] });
  assert.deepEqual(r1.reply?.destination, { kind: 'relay', address: ip('10.0.0.1'), port: 4096 });
  s.ctx.sourcePort = 2067;
  const empty = encodeRelayAgentInfo([{ code: RAI_RELAY_PORT, data: new Uint8Array() }]);
  const r2 = s.send({ mac: B, type: 1, giaddr: '10.0.0.1', options: [[OPT_RELAY_AGENT_INFO, empty]] });
  assert.deepEqual(r2.reply?.destination, { kind: 'relay', address: ip('10.0.0.1'), port: 2067 });
});

test('a RENEWING client behind a router (unicast, no giaddr) is ACKed on its own network', () => {
  const s = new Server(conf(true));
  const { address } = s.dora({ mac: A, giaddr: '10.0.0.1' });
  assert.equal(address, '10.0.0.10');
  s.now += 300;
  const renew = s.send({ mac: A, type: 3, ciaddr: address });
  assert.equal(messageType(renew), 5, renew.log.join(' | '));
  assert.deepEqual(renew.reply?.destination, { kind: 'client', address: ip(address) });
  // A relayed renewal is checked against the relay's network (ISC): wrong network, NAK.
  const wrong = s.send({ mac: A, type: 3, ciaddr: address, giaddr: '192.168.1.2' });
  assert.equal(messageType(wrong), 6);
});
