import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIPv4 } from '../../../src/io/addr.js';
import { ARP_REPLY, arpProbe, decodeArpFrame, encodeArpFrame } from '../../../src/io/arp.js';
import { encodeBpf, udpPortFilter } from '../../../src/io/bpf.js';
import { openPinger } from '../../../src/io/icmp.js';
import {
  type FrameInfo,
  isPacketIoAvailable,
  openPacketSocket,
  TP_STATUS_CSUM_VALID,
  TP_STATUS_CSUMNOTREADY,
} from '../../../src/io/packet-socket.js';
import { internetChecksum } from '../../../src/wire/checksum.js';
import { waitFor } from '../../e2e/lib/wait.js';
import { errnoError, fakeAddon } from './fake-addon.js';

test('openPacketSocket: filter, frame delivery with checksum flags, errors, idempotent close', () => {
  const fake = fakeAddon();
  const got: [string, FrameInfo][] = [];
  const errors: Error[] = [];
  const sock = openPacketSocket({
    ifname: 'eth9',
    port: 6767,
    native: fake.load,
    onFrame: (frame, info) => got.push([frame.toString(), info]),
    onError: (err) => errors.push(err),
  });
  assert.deepEqual(fake.filters, [encodeBpf(udpPortFilter(6767))]);
  assert.equal(sock.ifindex, 7);
  assert.deepEqual([...sock.mac], [2, 0, 0, 0, 0, 1]);

  fake.deliver(undefined, [Buffer.from('a'), Buffer.from('b')], [TP_STATUS_CSUMNOTREADY, TP_STATUS_CSUM_VALID]);
  assert.deepEqual(got, [
    ['a', { ifname: 'eth9', ifindex: 7, checksumNotReady: true, checksumValid: false }],
    ['b', { ifname: 'eth9', ifindex: 7, checksumNotReady: false, checksumValid: true }],
  ]);
  fake.deliver(errnoError('ENETDOWN', 'recvmsg'), [], []);
  assert.equal(errnoErrorCode(errors[0]), 'ENETDOWN');

  sock.send(new Uint8Array([1, 2, 3]));
  assert.deepEqual(fake.sent, [Buffer.from([1, 2, 3])]);
  sock.unref();
  sock.ref();
  assert.deepEqual(fake.refs, [false, true]);
  sock.close();
  sock.close();
  assert.equal(fake.closed, 1);
  assert.equal(sock.closed, true);
  fake.deliver(undefined, [Buffer.from('late')], [0]);
  assert.equal(got.length, 2, 'nothing is delivered after close');
});

function errnoErrorCode(err: Error | undefined): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

test('a link without Ethernet framing is refused and its socket closed', () => {
  const fake = fakeAddon({ hwtype: 65534 }); // ARPHRD_NONE: tun
  assert.throws(() => openPacketSocket({ ifname: 'tun0', port: 67, onFrame: () => {}, native: fake.load }), {
    code: 'ERR_LEASEHOLD_NOT_ETHERNET',
  });
  assert.equal(fake.closed, 1);
});

test('isPacketIoAvailable reports EPERM as a privilege reason, and success after closing its probe', () => {
  const denied = isPacketIoAvailable('lo', fakeAddon({ openError: errnoError('EPERM') }).load);
  assert.deepEqual(denied, {
    available: false,
    code: 'EPERM',
    reason: 'raw packet sockets need root or CAP_NET_RAW (socket EPERM: fake)',
  });
  const fake = fakeAddon();
  assert.deepEqual(isPacketIoAvailable('lo', fake.load), { available: true });
  assert.equal(fake.closed, 1);
});

function echoReplyFor(request: Buffer, withIpHeader: boolean): Buffer {
  const reply = Buffer.from(request);
  reply[0] = 0;
  reply.writeUInt16BE(0, 2);
  reply.writeUInt16BE(internetChecksum(reply), 2);
  if (!withIpHeader) return reply;
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  return Buffer.concat([ip, reply]);
}

const addrNum = (a: string) => parseIPv4(a).readUInt32BE(0);

test('Pinger matches replies by sequence, token and source; others time out', async () => {
  const fake = fakeAddon({ raw: true });
  const pinger = openPinger({ native: fake.load });
  assert.equal(pinger.mode, 'raw');
  assert.deepEqual(fake.refs, [false], 'an idle pinger does not keep the process alive');

  const alive = pinger.ping('192.0.2.1', { timeoutMs: 2000 });
  const silent = pinger.ping('192.0.2.2', { timeoutMs: 50 });
  const [toAlive, toSilent] = fake.icmpSent;
  assert.ok(toAlive && toSilent);
  // A reply from the wrong host, and one with another token, are ignored.
  fake.deliver(undefined, [echoReplyFor(toAlive.message, true)], [addrNum('192.0.2.3')]);
  const forged = echoReplyFor(toSilent.message, true);
  forged[28] = (forged[28] as number) ^ 0xff;
  fake.deliver(undefined, [forged], [addrNum('192.0.2.2')]);
  fake.deliver(undefined, [echoReplyFor(toAlive.message, true)], [addrNum('192.0.2.1')]);

  const a = await alive;
  assert.equal(a.alive, true);
  assert.ok((a.rttMs ?? -1) >= 0);
  assert.deepEqual(await silent, { alive: false });
  await assert.rejects(pinger.ping('not-an-address'), TypeError);
  pinger.close();
});

test('Pinger: dgram replies carry no IP header; send errors and close settle pending pings', async () => {
  const fake = fakeAddon();
  const pinger = openPinger({ mode: 'dgram', native: fake.load });
  assert.equal(pinger.mode, 'dgram');
  const p = pinger.ping('192.0.2.1');
  const req = fake.icmpSent[0]?.message as Buffer;
  const reply = echoReplyFor(req, false);
  reply.writeUInt16BE(0x4242, 4); // the kernel's own identifier
  reply.writeUInt16BE(0, 2);
  reply.writeUInt16BE(internetChecksum(reply), 2);
  fake.deliver(undefined, [reply], [addrNum('192.0.2.1')]);
  assert.equal((await p).alive, true);

  const pending = pinger.ping('192.0.2.5', { timeoutMs: 10_000 });
  pinger.close();
  assert.deepEqual(await pending, { alive: false, error: 'ECANCELED' });
  assert.equal(fake.closed, 1);

  const unreachable = openPinger({ native: fakeAddon({ sendError: errnoError('EHOSTUNREACH', 'sendto') }).load });
  assert.deepEqual(await unreachable.ping('192.0.2.9'), { alive: false, error: 'EHOSTUNREACH' });
  unreachable.close();
});

test('arpProbe sends probes from 0.0.0.0 and stops at the first conflict', async () => {
  const fake = fakeAddon();
  const probing = arpProbe({
    ifname: 'eth9',
    address: '192.0.2.1',
    probeWaitMs: 0,
    probeMinMs: 10,
    probeMaxMs: 10,
    announceWaitMs: 5000,
    native: fake.load,
  });
  // The first probe goes out on a timer (probeWaitMs 0): waited for, not slept for.
  const first = await waitFor(() => fake.sent[0], { timeoutMs: 10_000, intervalMs: 1, what: 'the first ARP probe' });
  const probe = decodeArpFrame(first as Buffer);
  assert.equal(probe?.senderIp, '0.0.0.0');
  assert.equal(probe?.targetIp, '192.0.2.1');
  const reply = encodeArpFrame({
    srcMac: Buffer.from([2, 0, 0, 0, 0, 2]),
    dstMac: Buffer.from([2, 0, 0, 0, 0, 1]),
    op: ARP_REPLY,
    senderIp: '192.0.2.1',
    targetMac: Buffer.from([2, 0, 0, 0, 0, 1]),
    targetIp: '0.0.0.0',
  });
  fake.deliver(undefined, [reply], [0]);
  const result = await probing;
  assert.equal(result.conflict, true);
  assert.equal(result.packet?.senderMac, '02:00:00:00:00:02');
  assert.equal(fake.closed, 1);
});

test('arpProbe without answers reports no conflict after its probes and the final wait', async () => {
  const fake = fakeAddon();
  const result = await arpProbe({
    ifname: 'eth9',
    address: '192.0.2.1',
    probeWaitMs: 0,
    probeCount: 3,
    probeMinMs: 5,
    probeMaxMs: 10,
    announceWaitMs: 20,
    native: fake.load,
  });
  assert.deepEqual(result, { conflict: false, sent: 3 });
  assert.equal(fake.sent.length, 3);
  assert.equal(fake.closed, 1);
});

test('arpProbe rejects when the socket cannot be opened', async () => {
  await assert.rejects(
    arpProbe({ ifname: 'eth9', address: '192.0.2.1', native: fakeAddon({ openError: errnoError('EPERM') }).load }),
    { code: 'EPERM' },
  );
});
