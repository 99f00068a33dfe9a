// ARP probes (RFC 5227 §2.1): ask "who has A?" from sender address 0.0.0.0, so that probing never pollutes other
// hosts' ARP caches, and report any sign that another host holds or claims A.
import { BROADCAST_MAC, formatIPv4, formatMac, parseIPv4 } from './addr.js';
import type { NativeLoad } from './native.js';
import { ETH_P_ARP, openArpSocket, type PacketSocket } from './packet-socket.js';

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
const ETH_HLEN = 14;
const ARP_LEN = 28;
/** Frames shorter than Ethernet's 60-byte minimum are padded, as a NIC would. */
const MIN_FRAME = 60;

export interface ArpPacket {
  readonly op: number;
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetMac: string;
  readonly targetIp: string;
}

export interface ArpFrameFields {
  srcMac: Uint8Array;
  dstMac?: Uint8Array;
  op: number;
  senderIp: string;
  targetMac?: Uint8Array;
  targetIp: string;
}

export function encodeArpFrame(f: ArpFrameFields): Buffer {
  const frame = Buffer.alloc(MIN_FRAME);
  frame.set(f.dstMac ?? BROADCAST_MAC, 0);
  frame.set(f.srcMac, 6);
  frame.writeUInt16BE(ETH_P_ARP, 12);
  const a = ETH_HLEN;
  frame.writeUInt16BE(1, a); // htype Ethernet
  frame.writeUInt16BE(0x0800, a + 2); // ptype IPv4
  frame[a + 4] = 6;
  frame[a + 5] = 4;
  frame.writeUInt16BE(f.op, a + 6);
  frame.set(f.srcMac, a + 8);
  frame.set(parseIPv4(f.senderIp), a + 14);
  frame.set(f.targetMac ?? Buffer.alloc(6), a + 18);
  frame.set(parseIPv4(f.targetIp), a + 24);
  return frame;
}

export function decodeArpFrame(frame: Uint8Array): ArpPacket | undefined {
  if (frame.length < ETH_HLEN + ARP_LEN) return undefined;
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const a = ETH_HLEN;
  if (b.readUInt16BE(12) !== ETH_P_ARP || b.readUInt16BE(a) !== 1 || b.readUInt16BE(a + 2) !== 0x0800) return undefined;
  if (b[a + 4] !== 6 || b[a + 5] !== 4) return undefined;
  return {
    op: b.readUInt16BE(a + 6),
    senderMac: formatMac(b.subarray(a + 8, a + 14)),
    senderIp: formatIPv4(b, a + 14),
    targetMac: formatMac(b.subarray(a + 18, a + 24)),
    targetIp: formatIPv4(b, a + 24),
  };
}

/** RFC 5227 §2.1.1: a conflict is any ARP packet whose sender IP is the probed address, or another host's probe
 * (sender IP 0.0.0.0) for the same address. Our own MAC never conflicts with us. */
export function isArpConflict(pkt: ArpPacket, address: string, ownMac: string): boolean {
  if (pkt.senderMac === ownMac) return false;
  if (pkt.senderIp === address) return true;
  return pkt.op === ARP_REQUEST && pkt.senderIp === '0.0.0.0' && pkt.targetIp === address;
}

export interface ArpProbeOptions {
  ifname: string;
  address: string;
  /** RFC 5227 defaults: PROBE_WAIT 1 s (random initial delay), PROBE_NUM 3, PROBE_MIN 1 s, PROBE_MAX 2 s,
   * ANNOUNCE_WAIT 2 s. Tests shorten them. */
  probeWaitMs?: number;
  probeCount?: number;
  probeMinMs?: number;
  probeMaxMs?: number;
  announceWaitMs?: number;
  random?: () => number;
  native?: NativeLoad;
}

export interface ArpProbeResult {
  readonly conflict: boolean;
  /** The conflicting packet, when there was one. */
  readonly packet?: ArpPacket;
  /** Probes actually sent. */
  readonly sent: number;
}

/** Probes `address` on `ifname`; resolves as soon as a conflict is seen, else after the last wait. Opens its own
 * ARP socket and always closes it. Rejects if the socket cannot be opened or a probe cannot be sent. */
export function arpProbe(opts: ArpProbeOptions): Promise<ArpProbeResult> {
  parseIPv4(opts.address);
  const random = opts.random ?? Math.random;
  const count = Math.max(1, opts.probeCount ?? 3);
  const minMs = opts.probeMinMs ?? 1000;
  const maxMs = Math.max(minMs, opts.probeMaxMs ?? 2000);
  const announceWaitMs = opts.announceWaitMs ?? 2000;
  const firstDelay = random() * (opts.probeWaitMs ?? 1000);

  return new Promise((resolve, reject) => {
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let sock: PacketSocket | undefined;
    const finish = (err: Error | undefined, result?: ArpProbeResult) => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      sock?.close();
      if (err) reject(err);
      else if (result) resolve(result);
    };
    try {
      sock = openArpSocket({
        ifname: opts.ifname,
        native: opts.native,
        onFrame: (frame) => {
          const pkt = decodeArpFrame(frame);
          if (pkt && sock && isArpConflict(pkt, opts.address, formatMac(sock.mac))) {
            finish(undefined, { conflict: true, packet: pkt, sent });
          }
        },
        onError: (err) => finish(err),
      });
    } catch (err) {
      reject(err);
      return;
    }
    const probe = encodeArpFrame({ srcMac: sock.mac, op: ARP_REQUEST, senderIp: '0.0.0.0', targetIp: opts.address });
    const step = () => {
      if (!sock || sock.closed) return;
      try {
        sock.send(probe);
      } catch (err) {
        finish(err as Error);
        return;
      }
      sent++;
      const wait = sent < count ? minMs + random() * (maxMs - minMs) : announceWaitMs;
      timer = setTimeout(sent < count ? step : () => finish(undefined, { conflict: false, sent }), wait);
    };
    timer = setTimeout(step, firstDelay);
  });
}
