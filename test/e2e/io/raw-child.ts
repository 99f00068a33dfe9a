// Child script for raw-transport.test.ts, started inside a test namespace by the Lab (inert anywhere else: see
// ../lib/child.ts). Roles: a server that opens the raw (or best) transport on the namespace's interfaces and
// answers each request the way the engine would address it; a client on a packet socket without an address
// (DISCOVER from 0.0.0.0); a client or relay on an ordinary UDP socket (unicast with ciaddr or giaddr).
import { createSocket } from 'node:dgram';
import { selectInterfaces, systemInterfaces } from '../../../src/io/interfaces.js';
import { openPacketSocket } from '../../../src/io/packet-socket.js';
import { isRawPacket, openBestTransport } from '../../../src/io/raw-fallback.js';
import { openRawTransport } from '../../../src/io/raw-transport.js';
import type { Destination, ReceivedPacket, Transport } from '../../../src/io/transport.js';
import { BOOTREPLY, BOOTREQUEST, FLAG_BROADCAST, OPT_MESSAGE_TYPE } from '../../../src/wire/constants.js';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage } from '../../../src/wire/encode.js';
import { buildFrame, parseFrame } from '../../../src/wire/frame.js';
import { ipToString, parseIpv4 } from '../../../src/wire/ip.js';
import { emit, runChild } from '../lib/child.js';

export interface ServerInput {
  role: 'server';
  /** Interfaces to serve (as on the command line). */
  ifnames: string[];
  /** Declared subnets, "a.b.c.0/24", for the interface selection. */
  subnets: string[];
  port: number;
  /** The address offered on each interface (by name). */
  offers: Record<string, string>;
  /** Stop after answering this many distinct transactions (plus a grace period for duplicates). */
  answers: number;
  graceMs: number;
  /** Open through openBestTransport after setuid(nobody): the fallback path. */
  unprivileged?: boolean;
}

export interface ServerResult {
  kind: string;
  describe: string[];
  log: string[];
  received: {
    xid: number;
    iface?: string;
    ifindex?: number;
    raw: boolean;
    sourceMac?: string;
    sourceAddress: string;
    sourcePort: number;
    destinationAddress?: string;
  }[];
  replies: { xid: number; destination: string }[];
  errors: string[];
}

export interface FrameClientInput {
  role: 'frame-client';
  ifname: string;
  port: number;
  xid: number;
  waitMs: number;
}

export interface FrameClientResult {
  ownMac: string;
  sent: number;
  reply?: {
    dstMac: string;
    srcMac: string;
    srcIp: string;
    dstIp: string;
    srcPort: number;
    dstPort: number;
    yiaddr: string;
    op: number;
  };
}

export interface UdpClientInput {
  role: 'udp-client';
  bindAddress: string;
  bindPort: number;
  server: string;
  port: number;
  xid: number;
  ciaddr?: string;
  giaddr?: string;
  waitMs: number;
}

export interface UdpClientResult {
  sent: number;
  reply?: { from: string; fromPort: number; yiaddr: string; op: number };
}

type Input = ServerInput | FrameClientInput | UdpClientInput;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const macText = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
const ip = (text: string) => parseIpv4(text) ?? 0;

function inSubnet(address: number, cidr: string): boolean {
  const [base = '', len = '32'] = cidr.split('/');
  const mask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
  return (address & mask) >>> 0 === (ip(base) & mask) >>> 0;
}

/** A DHCP message with just a message type: what the addressing needs, nothing more. */
function message(fields: Parameters<typeof encodeMessage>[0], type: number): Uint8Array {
  return encodeMessage({ ...fields, options: [[OPT_MESSAGE_TYPE, Uint8Array.of(type)]] }).bytes;
}

async function server(input: ServerInput): Promise<ServerResult> {
  const log: string[] = [];
  const errors: string[] = [];
  const selection = selectInterfaces(systemInterfaces(), input.ifnames, (a) =>
    input.subnets.find((s) => inSubnet(a, s)),
  );
  if (selection.error) throw new Error(selection.error);
  const received: ServerResult['received'] = [];
  const replies: ServerResult['replies'] = [];
  const answered = new Set<number>();
  let transport: Transport | undefined;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });

  const onPacket = (p: ReceivedPacket) => {
    const decoded = decodeMessage(p.payload);
    if (!decoded.ok || decoded.message.op !== BOOTREQUEST) return;
    const req = decoded.message;
    received.push({
      xid: req.xid,
      raw: isRawPacket(p),
      sourceAddress: ipToString(p.sourceAddress),
      sourcePort: p.sourcePort,
      ...(p.iface ? { iface: p.iface.name } : {}),
      ...(isRawPacket(p)
        ? { ifindex: p.ifindex, sourceMac: macText(p.sourceMac), destinationAddress: ipToString(p.destinationAddress) }
        : {}),
    });
    if (answered.has(req.xid)) return;
    answered.add(req.xid);
    const ifname = p.iface?.name ?? input.ifnames[0] ?? '';
    const yiaddr = ip(input.offers[ifname] ?? '0.0.0.0');
    // RFC 2131 section 4.1, as the engine decides it (reply-build.ts).
    const chaddr = req.chaddr.subarray(0, req.hlen);
    let destination: Destination;
    if (req.giaddr !== 0) destination = { kind: 'relay', address: req.giaddr };
    else if (req.ciaddr !== 0) destination = { kind: 'client', address: req.ciaddr };
    else if ((req.flags & FLAG_BROADCAST) !== 0) destination = { kind: 'broadcast' };
    else destination = { kind: 'link', address: yiaddr, htype: req.htype, hardware: Uint8Array.from(chaddr) };
    const reply = message(
      { op: BOOTREPLY, htype: req.htype, xid: req.xid, flags: req.flags, yiaddr, giaddr: req.giaddr, chaddr },
      2,
    );
    transport?.send(reply, destination, p.iface).then(
      () => {
        replies.push({ xid: req.xid, destination: destination.kind });
        if (answered.size >= input.answers) done();
      },
      (err: Error) => errors.push(`send ${destination.kind}: ${err.message}`),
    );
  };

  if (input.unprivileged) {
    process.setgid?.(65534);
    process.setuid?.(65534); // nobody: no CAP_NET_RAW, so packet sockets are refused
    transport = await openBestTransport({
      interfaces: selection.served,
      port: input.port,
      onPacket,
      onError: (e) => errors.push(e.message),
      log: (line) => log.push(line),
    });
  } else {
    transport = await openRawTransport({
      interfaces: selection.served,
      port: input.port,
      onPacket,
      onError: (e) => errors.push(e.message),
    });
  }
  emit('ready', { kind: transport.kind, describe: transport.describe() });
  await finished;
  await sleep(input.graceMs); // a duplicate delivery (packet socket and UDP socket both) would show up now
  await transport.close();
  return { kind: transport.kind, describe: transport.describe(), log, received, replies, errors };
}

async function frameClient(input: FrameClientInput): Promise<FrameClientResult> {
  let gotReply: (r: FrameClientResult['reply']) => void = () => {};
  const replied = new Promise<FrameClientResult['reply']>((resolve) => {
    gotReply = resolve;
  });
  // The client port: replies to it arrive even though this interface has no address.
  const sock = openPacketSocket({
    ifname: input.ifname,
    port: input.port + 1,
    onFrame: (frame, info) => {
      const f = parseFrame(frame, { verifyUdpChecksum: !info.checksumNotReady });
      if (!f.ok) return;
      const m = decodeMessage(f.datagram.payload);
      if (!m.ok || m.message.xid !== input.xid || m.message.op !== BOOTREPLY) return;
      const d = f.datagram;
      gotReply({
        dstMac: macText(d.dstMac ?? new Uint8Array(6)),
        srcMac: macText(d.srcMac ?? new Uint8Array(6)),
        srcIp: ipToString(d.srcIp),
        dstIp: ipToString(d.dstIp),
        srcPort: d.srcPort,
        dstPort: d.dstPort,
        yiaddr: ipToString(m.message.yiaddr),
        op: m.message.op,
      });
    },
  });
  // A DHCPDISCOVER from 0.0.0.0 with the broadcast flag clear: the server should unicast to chaddr.
  const discover = message({ op: BOOTREQUEST, htype: 1, xid: input.xid, chaddr: sock.mac }, 1);
  const frame = buildFrame(
    {
      srcMac: sock.mac,
      dstMac: new Uint8Array(6).fill(0xff),
      srcIp: 0,
      dstIp: 0xffffffff,
      srcPort: input.port + 1,
      dstPort: input.port,
    },
    discover,
  );
  let sent = 0;
  let reply: FrameClientResult['reply'];
  const deadline = Date.now() + input.waitMs;
  while (reply === undefined && Date.now() < deadline) {
    sock.send(frame);
    sent++;
    reply = await Promise.race([replied, sleep(1000).then(() => undefined)]);
  }
  sock.close();
  return { ownMac: macText(sock.mac), sent, ...(reply ? { reply } : {}) };
}

async function udpClient(input: UdpClientInput): Promise<UdpClientResult> {
  const sock = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: input.bindAddress, port: input.bindPort }, () => resolve());
  });
  let gotReply: (r: UdpClientResult['reply']) => void = () => {};
  const replied = new Promise<UdpClientResult['reply']>((resolve) => {
    gotReply = resolve;
  });
  sock.on('message', (msg, rinfo) => {
    const m = decodeMessage(msg);
    if (!m.ok || m.message.xid !== input.xid) return;
    gotReply({ from: rinfo.address, fromPort: rinfo.port, yiaddr: ipToString(m.message.yiaddr), op: m.message.op });
  });
  const chaddr = Uint8Array.of(2, 0x11, 0x22, 0x33, 0x44, input.xid & 255);
  const request = message(
    {
      op: BOOTREQUEST,
      htype: 1,
      xid: input.xid,
      chaddr,
      ciaddr: ip(input.ciaddr ?? '0.0.0.0'),
      giaddr: ip(input.giaddr ?? '0.0.0.0'),
      hops: input.giaddr ? 1 : 0,
    },
    3,
  );
  let sent = 0;
  let reply: UdpClientResult['reply'];
  const deadline = Date.now() + input.waitMs;
  while (reply === undefined && Date.now() < deadline) {
    await new Promise<void>((resolve, reject) =>
      sock.send(request, input.port, input.server, (err) => (err ? reject(err) : resolve())),
    );
    sent++;
    reply = await Promise.race([replied, sleep(1000).then(() => undefined)]);
  }
  sock.close();
  return { sent, ...(reply ? { reply } : {}) };
}

runChild(async (input: Input) => {
  switch (input.role) {
    case 'server':
      return server(input);
    case 'frame-client':
      return frameClient(input);
    case 'udp-client':
      return udpClient(input);
  }
}, 15_000);
