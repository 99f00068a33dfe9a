// Child script for packet.test.ts, started inside a test namespace by the Lab (inert anywhere else: see
// ../lib/child.ts). One role per run; every role ends by itself within a few seconds.
import { arpProbe } from '../../../src/io/arp.js';
import { openPinger } from '../../../src/io/icmp.js';
import { isPacketIoAvailable, openPacketSocket } from '../../../src/io/packet-socket.js';
import { buildFrame, parseFrame } from '../../../src/wire/frame.js';
import { emit, runChild } from '../lib/child.js';

export type FrameVariant = 'udp' | 'fragment' | 'tcp';
export interface FrameSpec {
  dstPort: number;
  payload: string;
  variant?: FrameVariant;
}

export type ChildInput =
  | { role: 'recv'; ifname: string; port: number; otherPort: number; marker: string; waitMs: number; graceMs: number }
  | { role: 'send'; ifname: string; frames: FrameSpec[] }
  | { role: 'arp'; ifname: string; addresses: string[] }
  | { role: 'ping'; mode: 'auto' | 'raw' | 'dgram'; targets: string[]; timeoutMs: number }
  | { role: 'unprivileged'; ifname: string; pingTarget: string }
  | { role: 'bad-interface' };

export interface ReceivedFrame {
  dstPort: number;
  payload: string;
  ifindex: number;
  checksum: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A DHCPDISCOVER-shaped frame: from 0.0.0.0:68 and the sender's MAC to 255.255.255.255 and broadcast. */
function frameFor(spec: FrameSpec, srcMac: Uint8Array): Buffer {
  const frame = Buffer.from(
    buildFrame(
      { srcMac, dstMac: Buffer.alloc(6, 0xff), srcIp: 0, dstIp: 0xffffffff, srcPort: 68, dstPort: spec.dstPort },
      Buffer.from(spec.payload),
    ),
  );
  if (spec.variant === 'fragment') frame.writeUInt16BE(0x2000, 20); // more-fragments: the first of two
  if (spec.variant === 'tcp') frame[23] = 6;
  return frame;
}

async function recv(input: Extract<ChildInput, { role: 'recv' }>) {
  const frames: ReceivedFrame[] = [];
  let sawMarker: () => void = () => {};
  const marker = new Promise<void>((resolve) => {
    sawMarker = resolve;
  });
  const sock = openPacketSocket({
    ifname: input.ifname,
    port: input.port,
    onFrame: (frame, info) => {
      const parsed = parseFrame(frame, { verifyUdpChecksum: !info.checksumNotReady });
      if (!parsed.ok)
        return void frames.push({ dstPort: -1, payload: parsed.error.cause, ifindex: info.ifindex, checksum: '' });
      const payload = Buffer.from(parsed.datagram.payload).toString();
      frames.push({
        dstPort: parsed.datagram.dstPort,
        payload,
        ifindex: info.ifindex,
        checksum: parsed.datagram.udpChecksum,
      });
      if (payload === input.marker) sawMarker();
    },
  });
  // A second socket on another port proves the frames dropped by the first one did reach this interface.
  const otherPayloads: string[] = [];
  const other = openPacketSocket({
    ifname: input.ifname,
    port: input.otherPort,
    onFrame: (frame) => {
      const parsed = parseFrame(frame, { verifyUdpChecksum: false });
      otherPayloads.push(parsed.ok ? Buffer.from(parsed.datagram.payload).toString() : parsed.error.cause);
    },
  });
  emit('ready', { ifindex: sock.ifindex, mac: Buffer.from(sock.mac).toString('hex') });
  await Promise.race([marker, sleep(input.waitMs)]);
  await sleep(input.graceMs); // anything the filter wrongly let through would arrive meanwhile
  sock.close();
  sock.close(); // closing twice is allowed
  other.close();
  return { ifindex: sock.ifindex, frames, otherPayloads };
}

async function send(input: Extract<ChildInput, { role: 'send' }>) {
  const sock = openPacketSocket({ ifname: input.ifname, port: 68, onFrame: () => {} });
  for (const spec of input.frames) {
    sock.send(frameFor(spec, sock.mac));
    await sleep(20);
  }
  sock.close();
  return { sent: input.frames.length };
}

async function arp(input: Extract<ChildInput, { role: 'arp' }>) {
  const results = [];
  for (const address of input.addresses) {
    const r = await arpProbe({
      ifname: input.ifname,
      address,
      probeWaitMs: 0,
      probeCount: 2,
      probeMinMs: 100,
      probeMaxMs: 150,
      announceWaitMs: 400,
    });
    results.push({ address, conflict: r.conflict, senderMac: r.packet?.senderMac, sent: r.sent });
  }
  return results;
}

async function ping(input: Extract<ChildInput, { role: 'ping' }>) {
  const pinger = openPinger({ mode: input.mode });
  try {
    const results = await Promise.all(input.targets.map((t) => pinger.ping(t, { timeoutMs: input.timeoutMs })));
    return { mode: pinger.mode, results: results.map((r, i) => ({ target: input.targets[i], alive: r.alive })) };
  } finally {
    pinger.close();
  }
}

async function unprivileged(input: Extract<ChildInput, { role: 'unprivileged' }>) {
  process.setgid?.(65534);
  process.setuid?.(65534); // nobody: no CAP_NET_RAW any more
  const availability = isPacketIoAvailable(input.ifname);
  let openCode: string | undefined;
  try {
    openPacketSocket({ ifname: input.ifname, port: 67, onFrame: () => {} }).close();
  } catch (err) {
    openCode = (err as NodeJS.ErrnoException).code;
  }
  const pinger = openPinger(); // raw is refused, so this must be an unprivileged ping socket
  const reply = await pinger.ping(input.pingTarget, { timeoutMs: 1000 });
  pinger.close();
  return { availability, openCode, pingMode: pinger.mode, alive: reply.alive };
}

async function badInterface() {
  try {
    openPacketSocket({ ifname: 'nosuch0', port: 67, onFrame: () => {} });
    return { code: undefined, message: 'opened' };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { code: e.code, syscall: e.syscall, message: e.message };
  }
}

runChild(async (input: ChildInput) => {
  switch (input.role) {
    case 'recv':
      return recv(input);
    case 'send':
      return send(input);
    case 'arp':
      return arp(input);
    case 'ping':
      return ping(input);
    case 'unprivileged':
      return unprivileged(input);
    case 'bad-interface':
      return badInterface();
  }
}, 25_000);
