// Where a reply goes and its header (ISC dhcp_reply, dhcpinform, nak_lease, bootp.c).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BOOTREQUEST,
  decodeMessage,
  encodeMessage,
  encodeRelayAgentInfo,
  OPT_RELAY_AGENT_INFO,
  parseMac,
  RAI_RELAY_PORT,
} from '../../../src/wire/index.js';
import { decodedReply, ip, messageType, Server, treeOf, yiaddr } from './helpers.js';

const CONF = `authoritative;
subnet 192.168.1.0 netmask 255.255.255.0 { option routers 192.168.1.1; range 192.168.1.10 192.168.1.20; }
subnet 198.51.100.0 netmask 255.255.255.0 { option routers 198.51.100.1; range 198.51.100.10 198.51.100.20; }`;
const A = '02:cf:d1:00:00:03';

test('an ACK to a renewing client behind a router goes to ciaddr by routing, even with the broadcast bit', () => {
  const s = new Server(treeOf(CONF));
  const offer = s.send({ mac: A, type: 1, giaddr: '198.51.100.1' });
  const address = yiaddr(offer);
  assert.equal(messageType(s.send({ mac: A, type: 3, giaddr: '198.51.100.1', requested: address })), 5);
  // Unicast through the router: giaddr 0, ciaddr set, arriving on the server's own link.
  for (const flags of [0, 0x8000]) {
    const renew = s.send({ mac: A, type: 3, ciaddr: address, flags });
    assert.equal(messageType(renew), 5);
    assert.deepEqual(renew.reply?.destination, { kind: 'client', address: ip(address) });
  }
  const withSid = s.send({ mac: A, type: 3, ciaddr: address, serverId: '192.168.1.1' });
  assert.deepEqual(withSid.reply?.destination, { kind: 'client', address: ip(address) }, 'another network: routed');
});

test('an ACK with ciaddr on the receiving link: routed unless the client sent a server id or the broadcast bit', () => {
  const s = new Server(treeOf(CONF));
  const { address } = s.dora({ mac: A });
  const renew = s.send({ mac: A, type: 3, ciaddr: address });
  assert.deepEqual(renew.reply?.destination, { kind: 'client', address: ip(address) });
  const rebind = s.send({ mac: A, type: 3, ciaddr: address, flags: 0x8000 });
  assert.deepEqual(rebind.reply?.destination, { kind: 'broadcast' });
  const sid = s.send({ mac: A, type: 3, ciaddr: address, serverId: '192.168.1.1' });
  assert.equal(sid.reply?.destination.kind, 'link');
  // An OFFER never goes to ciaddr.
  const offer = s.send({ mac: A, type: 1, ciaddr: address });
  assert.equal(offer.reply?.destination.kind, 'link');
});

test('INFORM through a relay: to ciaddr at the client port when set, else to the relay with the broadcast bit', () => {
  const s = new Server(treeOf(CONF));
  const direct = s.send({ mac: A, type: 8, ciaddr: '198.51.100.30', giaddr: '198.51.100.1' });
  assert.deepEqual(direct.reply?.destination, { kind: 'client', address: ip('198.51.100.30') });
  assert.equal(decodedReply(direct).flags & 0x8000, 0);
  s.ctx.sourceAddress = ip('198.51.100.1');
  const relayed = s.send({ mac: A, type: 8, giaddr: '198.51.100.1' });
  assert.deepEqual(relayed.reply?.destination, { kind: 'relay', address: ip('198.51.100.1') });
  assert.equal(decodedReply(relayed).flags & 0x8000, 0x8000);
});

test('NAK: broadcast on the link, or to the relay; the broadcast bit set either way', () => {
  const s = new Server(treeOf(CONF));
  const local = s.send({ mac: A, type: 3, requested: '198.51.100.15' });
  assert.equal(messageType(local), 6);
  assert.deepEqual(local.reply?.destination, { kind: 'broadcast' });
  assert.equal(decodedReply(local).flags, 0x8000);
  const relayed = s.send({ mac: A, type: 3, requested: '192.168.1.15', giaddr: '198.51.100.1' });
  assert.deepEqual(relayed.reply?.destination, { kind: 'relay', address: ip('198.51.100.1') });
  assert.equal(decodedReply(relayed).flags, 0x8000);
});

test('file and sname: cut at the field size, no NUL when full (ISC)', () => {
  const long = 'f'.repeat(140);
  const s = new Server(treeOf(`filename "${long}"; server-name "${'s'.repeat(64)}";\n${CONF}`));
  const d = decodedReply(s.send({ mac: A, type: 1 }));
  assert.equal(Buffer.from(d.file).toString('latin1'), 'f'.repeat(128));
  assert.equal(Buffer.from(d.sname).toString('latin1'), 's'.repeat(64));
  assert.equal(d.overload, 0);
});

test('BOOTREPLY to a fixed-address host (ISC bootp.c): next-server defaults to the interface, file echoed, broadcast framed to chaddr', () => {
  const s = new Server(treeOf(`${CONF}\nhost f { hardware ethernet ${A}; fixed-address 192.168.1.50; }`));
  const file = new Uint8Array(128);
  file.set(Buffer.from('boot/me'));
  const chaddr = parseMac(A)!;
  const bytes = encodeMessage({ op: BOOTREQUEST, htype: 1, xid: 7, flags: 0x8000, chaddr, file, options: [] }).bytes;
  const decoded = decodeMessage(bytes);
  assert.ok(decoded.ok);
  const res = s.send(decoded.message);
  assert.ok(res.reply);
  const d = decodedReply(res);
  assert.equal(d.yiaddr, ip('192.168.1.50'));
  assert.equal(d.siaddr, ip('192.168.1.1'));
  assert.equal(Buffer.from(d.file.subarray(0, 7)).toString(), 'boot/me');
  assert.equal(res.reply.bytes.length, 300);
  assert.deepEqual(res.reply.destination, { kind: 'broadcast', hardware: Uint8Array.from(chaddr) });
});

test('a dynamic BOOTREPLY: no next-server means siaddr 0, a broadcast is a plain broadcast', () => {
  const s = new Server(
    treeOf(`authoritative;
    subnet 192.168.1.0 netmask 255.255.255.0 { range dynamic-bootp 192.168.1.10 192.168.1.20; }`),
  );
  const chaddr = parseMac(A)!;
  const bytes = encodeMessage({ op: BOOTREQUEST, htype: 1, xid: 7, flags: 0x8000, chaddr, options: [] }).bytes;
  const decoded = decodeMessage(bytes);
  assert.ok(decoded.ok);
  const res = s.send(decoded.message);
  assert.ok(res.reply);
  assert.equal(decodedReply(res).siaddr, 0);
  assert.deepEqual(res.reply.destination, { kind: 'broadcast' });
  assert.equal(res.reply.bytes.length, 300);
});

test('RFC 8357: with the relay-port sub-option the reply goes to the UDP source port of the request', () => {
  const s = new Server(treeOf(CONF));
  const rai = encodeRelayAgentInfo([{ code: RAI_RELAY_PORT, data: new Uint8Array([0x10, 0x00]) }]);
  s.ctx.sourcePort = 2067;
  const r = s.send({ mac: A, type: 1, giaddr: '198.51.100.1', options: [[OPT_RELAY_AGENT_INFO, rai]] });
  assert.deepEqual(r.reply?.destination, { kind: 'relay', address: ip('198.51.100.1'), port: 2067 });
  const plain = s.send({ mac: '02:00:00:00:00:77', type: 1, giaddr: '198.51.100.1' });
  assert.deepEqual(plain.reply?.destination, { kind: 'relay', address: ip('198.51.100.1') });
});
