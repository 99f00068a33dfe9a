// Reply addressing of the raw transport, per destination kind (RFC 2131 section 4.1): pure, no root.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BROADCAST_MAC, type FrameSource, routeReply } from '../../../src/io/raw-frames.js';
import { portsFor } from '../../../src/io/transport.js';
import { parseFrame } from '../../../src/wire/frame.js';
import { parseIpv4 } from '../../../src/wire/ip.js';

const ip = (text: string): number => {
  const n = parseIpv4(text);
  if (n === undefined) throw new Error(text);
  return n;
};

const SERVER_MAC = Uint8Array.from([0x02, 0, 0, 0, 0, 0x01]);
const CLIENT_MAC = Uint8Array.from([0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
const IFACE: FrameSource = {
  name: 'srv0',
  mac: SERVER_MAC,
  addresses: [ip('192.0.2.1'), ip('198.51.100.1')],
  masks: [ip('255.255.255.0'), ip('255.255.255.0')],
};
const PAYLOAD = new TextEncoder().encode('a DHCPOFFER, pretend');

function parsed(frame: Uint8Array) {
  const r = parseFrame(frame);
  assert.ok(r.ok, r.ok ? '' : r.error.detail);
  return r.datagram;
}

test('link: a frame to chaddr and yiaddr, no ARP, from the interface MAC and address, 67 -> 68', () => {
  const dest = { kind: 'link', address: ip('192.0.2.50'), htype: 1, hardware: CLIENT_MAC } as const;
  const route = routeReply(PAYLOAD, dest, IFACE, portsFor(67));
  assert.equal(route.via, 'frame');
  if (route.via !== 'frame') return;
  const d = parsed(route.frame);
  assert.deepEqual([...(d.dstMac ?? [])], [...CLIENT_MAC], 'unicast to the hardware address, not broadcast');
  assert.deepEqual([...(d.srcMac ?? [])], [...SERVER_MAC]);
  assert.deepEqual([d.srcIp, d.dstIp], [ip('192.0.2.1'), ip('192.0.2.50')]);
  assert.deepEqual([d.srcPort, d.dstPort], [67, 68]);
  assert.equal(d.udpChecksum, 'ok');
  assert.deepEqual([...d.payload], [...PAYLOAD]);
});

test('link: -p PORT answers on PORT+1; the source is the first address (ISC: the server identifier) or `source`', () => {
  const dest = { kind: 'link', address: ip('198.51.100.77'), htype: 1, hardware: CLIENT_MAC } as const;
  const route = routeReply(PAYLOAD, dest, IFACE, portsFor(6767));
  assert.equal(route.via, 'frame');
  if (route.via !== 'frame') return;
  const d = parsed(route.frame);
  assert.deepEqual([d.srcPort, d.dstPort], [6767, 6768]);
  assert.equal(d.srcIp, ip('192.0.2.1'), 'ISC sends from its server identifier, the first address');
  const given = routeReply(PAYLOAD, { ...dest, source: ip('198.51.100.1') }, IFACE, portsFor(67));
  assert.equal(given.via === 'frame' && given.srcIp, ip('198.51.100.1'));
});

test('link with a chaddr that is not 6 bytes: Ethernet broadcast, still to yiaddr (ISC assemble_ethernet_header)', () => {
  for (const dest of [
    { kind: 'link', address: ip('192.0.2.50'), htype: 1, hardware: new Uint8Array(16).fill(7) },
    { kind: 'link', address: ip('192.0.2.50'), htype: 6, hardware: new Uint8Array(4).fill(7) },
  ] as const) {
    const route = routeReply(PAYLOAD, dest, IFACE, portsFor(67));
    assert.equal(route.via, 'frame');
    if (route.via !== 'frame') return;
    const d = parsed(route.frame);
    assert.deepEqual([...(d.dstMac ?? [])], [...BROADCAST_MAC]);
    assert.equal(d.dstIp, ip('192.0.2.50'));
  }
  // ISC looks at the length only: a 6-byte chaddr of another htype is framed to it.
  const ieee = routeReply(
    PAYLOAD,
    { kind: 'link', address: ip('192.0.2.50'), htype: 6, hardware: CLIENT_MAC },
    IFACE,
    portsFor(67),
  );
  assert.ok(ieee.via === 'frame');
  assert.deepEqual([...ieee.dstMac], [...CLIENT_MAC]);
});

test('broadcast: ff:ff:ff:ff:ff:ff and 255.255.255.255 from the primary address', () => {
  const route = routeReply(PAYLOAD, { kind: 'broadcast' }, IFACE, portsFor(67));
  assert.equal(route.via, 'frame');
  if (route.via !== 'frame') return;
  const d = parsed(route.frame);
  assert.deepEqual([...(d.dstMac ?? [])], [...BROADCAST_MAC]);
  assert.deepEqual([d.srcIp, d.dstIp, d.srcPort, d.dstPort], [ip('192.0.2.1'), 0xffffffff, 67, 68]);
});

test('broadcast with a hardware address (ISC bootp.c): framed to that MAC, IP 255.255.255.255; `source` sets the IP source', () => {
  const dest = { kind: 'broadcast', hardware: CLIENT_MAC, source: ip('198.51.100.1') } as const;
  const route = routeReply(PAYLOAD, dest, IFACE, portsFor(67));
  assert.equal(route.via, 'frame');
  if (route.via !== 'frame') return;
  const d = parsed(route.frame);
  assert.deepEqual([...(d.dstMac ?? [])], [...CLIENT_MAC]);
  assert.deepEqual([d.srcIp, d.dstIp], [ip('198.51.100.1'), 0xffffffff]);
});

test('client and relay destinations go to the UDP socket (the kernel routes and ARPs)', () => {
  const ports = portsFor(67);
  assert.deepEqual(routeReply(PAYLOAD, { kind: 'client', address: ip('192.0.2.9') }, IFACE, ports), {
    via: 'udp',
    address: ip('192.0.2.9'),
    port: 68,
  });
  assert.deepEqual(routeReply(PAYLOAD, { kind: 'relay', address: ip('203.0.113.1') }, undefined, ports), {
    via: 'udp',
    address: ip('203.0.113.1'),
    port: 67,
  });
  // RFC 8357: the engine's ReplyDestination may carry the relay's own port.
  const withPort = { kind: 'relay', address: ip('203.0.113.1'), port: 1067 } as const;
  assert.deepEqual(routeReply(PAYLOAD, withPort, undefined, ports), {
    via: 'udp',
    address: ip('203.0.113.1'),
    port: 1067,
  });
});

test('a frame needs the receiving interface; an interface without an address cannot send', () => {
  const link = { kind: 'link', address: ip('192.0.2.50'), htype: 1, hardware: CLIENT_MAC } as const;
  assert.throws(() => routeReply(PAYLOAD, link, undefined, portsFor(67)), /receiving interface unknown/);
  assert.throws(() => routeReply(PAYLOAD, { kind: 'broadcast' }, undefined, portsFor(67)), /unknown/);
  const bare = { ...IFACE, addresses: [], masks: [] };
  assert.throws(() => routeReply(PAYLOAD, { kind: 'broadcast' }, bare, portsFor(67)), /no IPv4 address/);
});
