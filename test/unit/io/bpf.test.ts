import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeArpFrame } from '../../../src/io/arp.js';
import { ACCEPT_LEN, arpFilter, dropAllFilter, encodeBpf, udpPortFilter } from '../../../src/io/bpf.js';
import { buildFrame } from '../../../src/wire/frame.js';
import { PACKET_BROADCAST, PACKET_OTHERHOST, PACKET_OUTGOING, runBpf } from './bpf-vm.js';

const MAC = Buffer.from([2, 0, 0, 0, 0, 1]);
const BCAST = Buffer.alloc(6, 0xff);

function udp(dstPort: number, payload = 'x'): Buffer {
  return Buffer.from(
    buildFrame({ srcMac: MAC, dstMac: BCAST, srcIp: 0, dstIp: 0xffffffff, srcPort: 68, dstPort }, Buffer.from(payload)),
  );
}

test('udpPortFilter(67) is the expected program', () => {
  // [code, jt, jf, k], jumps resolved to the two closing returns (accept at 14, drop at 15).
  const expected = [
    [0x20, 0, 0, 0xfffff004], // ld pkttype
    [0x35, 13, 0, 3], // jge #PACKET_OTHERHOST -> drop
    [0x28, 0, 0, 12], // ldh [12]
    [0x15, 0, 11, 0x0800], // jeq IPv4
    [0x30, 0, 0, 14], // ldb [14]
    [0x54, 0, 0, 0xf0], // and #0xf0
    [0x15, 0, 8, 0x40], // jeq version 4
    [0x30, 0, 0, 23], // ldb [23]
    [0x15, 0, 6, 17], // jeq UDP
    [0x28, 0, 0, 20], // ldh [20]
    [0x45, 4, 0, 0x3fff], // jset MF|offset -> drop
    [0xb1, 0, 0, 14], // ldxb 4*([14]&0xf)
    [0x48, 0, 0, 16], // ldh [x+16]
    [0x15, 0, 1, 67], // jeq #67
    [0x06, 0, 0, ACCEPT_LEN],
    [0x06, 0, 0, 0],
  ];
  assert.deepEqual(
    udpPortFilter(67).map((i) => [i.code, i.jt, i.jf, i.k]),
    expected,
  );
});

test('encodeBpf lays out struct sock_filter in the requested byte order', () => {
  const prog = [{ code: 0x15, jt: 1, jf: 2, k: 0x01020304 }];
  assert.deepEqual([...encodeBpf(prog, 'LE')], [0x15, 0x00, 1, 2, 0x04, 0x03, 0x02, 0x01]);
  assert.deepEqual([...encodeBpf(prog, 'BE')], [0x00, 0x15, 1, 2, 0x01, 0x02, 0x03, 0x04]);
  assert.equal(encodeBpf(udpPortFilter(68)).length, 16 * 8);
  assert.throws(() => encodeBpf([]), RangeError);
});

test('the UDP filter passes IPv4/UDP to its port, addressed to us or broadcast, and nothing else', () => {
  const prog = udpPortFilter(67);
  assert.equal(runBpf(prog, udp(67)), ACCEPT_LEN);
  assert.equal(runBpf(prog, udp(67), PACKET_BROADCAST), ACCEPT_LEN);
  assert.equal(runBpf(prog, udp(68)), 0, 'another port');
  assert.equal(runBpf(prog, udp(67), PACKET_OUTGOING), 0, "this host's own transmission");
  assert.equal(runBpf(prog, udp(67), PACKET_OTHERHOST), 0, 'promiscuous-mode frame for another host');

  const mf = udp(67);
  mf.writeUInt16BE(0x2000, 20);
  assert.equal(runBpf(prog, mf), 0, 'first fragment (MF set)');
  const later = udp(67);
  later.writeUInt16BE(0x0001, 20);
  assert.equal(runBpf(prog, later), 0, 'later fragment');
  const df = udp(67);
  df.writeUInt16BE(0x4000, 20);
  assert.equal(runBpf(prog, df), ACCEPT_LEN, 'DF alone is not a fragment');

  const tcp = udp(67);
  tcp[23] = 6;
  assert.equal(runBpf(prog, tcp), 0, 'not UDP');
  const v6 = udp(67);
  v6[14] = 0x65;
  assert.equal(runBpf(prog, v6), 0, 'IP version 6 in an IPv4 frame');
  const arp = udp(67);
  arp.writeUInt16BE(0x0806, 12);
  assert.equal(runBpf(prog, arp), 0, 'not IPv4');
  assert.equal(runBpf(prog, udp(67).subarray(0, 30)), 0, 'truncated frame');
});

test('the UDP filter finds the port behind IP options (IHL > 5)', () => {
  const base = udp(6767);
  const withOptions = Buffer.concat([base.subarray(0, 34), Buffer.from([1, 1, 1, 0]), base.subarray(34)]);
  withOptions[14] = 0x46;
  assert.equal(runBpf(udpPortFilter(6767), withOptions), ACCEPT_LEN);
  assert.equal(runBpf(udpPortFilter(1), withOptions), 0);
});

test('udpPortFilter rejects ports outside 1..65535', () => {
  for (const bad of [0, -1, 65536, 1.5, Number.NaN]) assert.throws(() => udpPortFilter(bad), RangeError);
});

test('the ARP filter passes IPv4-over-Ethernet ARP only', () => {
  const prog = arpFilter();
  const probe = encodeArpFrame({ srcMac: MAC, op: 1, senderIp: '0.0.0.0', targetIp: '192.0.2.1' });
  assert.equal(runBpf(prog, probe, PACKET_BROADCAST), ACCEPT_LEN);
  assert.equal(runBpf(prog, probe, PACKET_OUTGOING), 0);
  const ipv6Arp = Buffer.from(probe);
  ipv6Arp.writeUInt16BE(0x86dd, 16);
  assert.equal(runBpf(prog, ipv6Arp), 0);
  assert.equal(runBpf(prog, udp(67)), 0);
});

test('dropAllFilter accepts nothing', () => {
  assert.equal(runBpf(dropAllFilter(), udp(67)), 0);
});
