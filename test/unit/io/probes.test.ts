import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIPv4, formatMac, ipv4FromUint32, parseIPv4, parseMac } from '../../../src/io/addr.js';
import { ARP_REPLY, ARP_REQUEST, decodeArpFrame, encodeArpFrame, isArpConflict } from '../../../src/io/arp.js';
import { decodeEchoReply, encodeEchoRequest } from '../../../src/io/icmp.js';
import { internetChecksum } from '../../../src/wire/checksum.js';

const OWN = '02:00:00:00:00:01';
const PEER = '02:00:00:00:00:02';

test('address helpers round-trip and refuse garbage', () => {
  assert.equal(formatMac(parseMac('02:AB:00:0c:0D:ff')), '02:ab:00:0c:0d:ff');
  assert.equal(formatIPv4(parseIPv4('192.0.2.77')), '192.0.2.77');
  assert.equal(ipv4FromUint32(0xc0000201), '192.0.2.1');
  assert.throws(() => parseMac('02:00:00:00:00'), TypeError);
  assert.throws(() => parseIPv4('192.0.2.256'), TypeError);
});

test('an ARP probe frame is 60 bytes: broadcast, sender IP 0.0.0.0, zero target MAC', () => {
  const frame = encodeArpFrame({ srcMac: parseMac(OWN), op: ARP_REQUEST, senderIp: '0.0.0.0', targetIp: '192.0.2.1' });
  assert.equal(frame.length, 60);
  assert.equal(formatMac(frame.subarray(0, 6)), 'ff:ff:ff:ff:ff:ff');
  assert.equal(frame.readUInt16BE(12), 0x0806);
  assert.deepEqual(decodeArpFrame(frame), {
    op: ARP_REQUEST,
    senderMac: OWN,
    senderIp: '0.0.0.0',
    targetMac: '00:00:00:00:00:00',
    targetIp: '192.0.2.1',
  });
  assert.equal(decodeArpFrame(frame.subarray(0, 41)), undefined);
});

test('RFC 5227 conflicts: the address in use, or someone else probing for it', () => {
  const pkt = (op: number, senderMac: string, senderIp: string, targetIp: string) => ({
    op,
    senderMac,
    senderIp,
    targetMac: '00:00:00:00:00:00',
    targetIp,
  });
  const a = '192.0.2.1';
  assert.equal(isArpConflict(pkt(ARP_REPLY, PEER, a, '0.0.0.0'), a, OWN), true, 'reply from the holder');
  assert.equal(isArpConflict(pkt(ARP_REQUEST, PEER, a, '192.0.2.9'), a, OWN), true, 'holder asking about others');
  assert.equal(isArpConflict(pkt(ARP_REQUEST, PEER, '0.0.0.0', a), a, OWN), true, 'simultaneous probe');
  assert.equal(isArpConflict(pkt(ARP_REQUEST, PEER, '192.0.2.9', a), a, OWN), false, 'a host asking who has it');
  assert.equal(isArpConflict(pkt(ARP_REPLY, OWN, a, '0.0.0.0'), a, OWN), false, 'ourselves');
  assert.equal(isArpConflict(pkt(ARP_REPLY, PEER, '192.0.2.5', '0.0.0.0'), a, OWN), false, 'another address');
});

test('ICMP echo: request checksum verifies; replies decode with and without an IPv4 header', () => {
  const req = encodeEchoRequest(0x1234, 0xbeef, Buffer.from('token!!!'));
  assert.equal(req[0], 8);
  assert.equal(internetChecksum(req), 0);
  const reply = Buffer.from(req);
  reply[0] = 0;
  reply.writeUInt16BE(0, 2);
  reply.writeUInt16BE(internetChecksum(reply), 2);
  assert.deepEqual(decodeEchoReply(reply, false), { id: 0x1234, seq: 0xbeef, payload: Buffer.from('token!!!') });
  const ip = Buffer.alloc(24);
  ip[0] = 0x46; // IHL 6: a 24-byte header with options
  assert.equal(decodeEchoReply(Buffer.concat([ip, reply]), true)?.seq, 0xbeef);
  assert.equal(decodeEchoReply(req, false), undefined, 'a request is not a reply');
  const corrupt = Buffer.from(reply);
  corrupt[9] = (corrupt[9] as number) ^ 1;
  assert.equal(decodeEchoReply(corrupt, false), undefined, 'bad checksum');
  assert.equal(decodeEchoReply(Buffer.alloc(4), false), undefined);
});
