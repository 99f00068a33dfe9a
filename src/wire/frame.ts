// Ethernet II / IPv4 / UDP framing for the raw (AF_PACKET) transport: a server must answer a client
// that has no address yet, and a client must send from 0.0.0.0, which ordinary sockets cannot do.
// Defaults match what ISC dhcpd and dhclient put on the wire (TOS 0x10, TTL 128, ID 0, no DF), as the
// captures in the seed document show.

import { finishChecksum, internetChecksum, onesComplementAdd } from './checksum.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERNET_HEADER_SIZE = 14;
export const IPV4_HEADER_SIZE = 20;
export const UDP_HEADER_SIZE = 8;
export const IPPROTO_UDP = 17;
/** IPTOS_LOWDELAY, what ISC sets. */
export const DEFAULT_TOS = 0x10;
export const DEFAULT_TTL = 128;

export interface UdpDatagramParams {
  srcIp: number;
  dstIp: number;
  srcPort: number;
  dstPort: number;
  ttl?: number;
  tos?: number;
  id?: number;
  dontFragment?: boolean;
  /** Compute the UDP checksum (default true); false sends 0, "no checksum", which IPv4 allows. */
  udpChecksum?: boolean;
}

export interface FrameParams extends UdpDatagramParams {
  srcMac: Uint8Array;
  dstMac: Uint8Array;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** The UDP pseudo-header (RFC 768) summed: source, destination, protocol, UDP length. */
function pseudoHeaderSum(srcIp: number, dstIp: number, udpLength: number): number {
  return (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + IPPROTO_UDP + udpLength;
}

function writeIpv4Udp(p: UdpDatagramParams, payload: Uint8Array, out: Uint8Array, at: number): number {
  const udpLength = UDP_HEADER_SIZE + payload.length;
  const total = IPV4_HEADER_SIZE + udpLength;
  if (total > 0xffff) throw new RangeError(`payload of ${payload.length} bytes does not fit an IPv4 datagram`);
  if (out.length < at + total) throw new RangeError(`output buffer holds ${out.length} bytes, ${at + total} needed`);
  out[at] = 0x45;
  out[at + 1] = p.tos ?? DEFAULT_TOS;
  put16(out, at + 2, total);
  put16(out, at + 4, p.id ?? 0);
  put16(out, at + 6, p.dontFragment ? 0x4000 : 0);
  out[at + 8] = p.ttl ?? DEFAULT_TTL;
  out[at + 9] = IPPROTO_UDP;
  put16(out, at + 10, 0);
  put32(out, at + 12, p.srcIp);
  put32(out, at + 16, p.dstIp);
  put16(out, at + 10, internetChecksum(out, at, at + IPV4_HEADER_SIZE));
  const udp = at + IPV4_HEADER_SIZE;
  put16(out, udp, p.srcPort);
  put16(out, udp + 2, p.dstPort);
  put16(out, udp + 4, udpLength);
  put16(out, udp + 6, 0);
  out.set(payload, udp + UDP_HEADER_SIZE);
  if (p.udpChecksum ?? true) {
    const sum = onesComplementAdd(out, udp, udp + udpLength, pseudoHeaderSum(p.srcIp, p.dstIp, udpLength));
    // A computed 0 is sent as 0xffff: 0 means "no checksum" (RFC 768).
    put16(out, udp + 6, finishChecksum(sum) || 0xffff);
  }
  return total;
}

/** An IPv4 + UDP datagram around `payload`. Writes into `out` at `offset` when given; returns the view. */
export function buildIpv4Udp(p: UdpDatagramParams, payload: Uint8Array, out?: Uint8Array, offset = 0): Uint8Array {
  const target = out ?? new Uint8Array(IPV4_HEADER_SIZE + UDP_HEADER_SIZE + payload.length);
  const size = writeIpv4Udp(p, payload, target, offset);
  return target.subarray(offset, offset + size);
}

/** An Ethernet II frame (no FCS) carrying IPv4 + UDP + payload. */
export function buildFrame(p: FrameParams, payload: Uint8Array, out?: Uint8Array): Uint8Array {
  const size = ETHERNET_HEADER_SIZE + IPV4_HEADER_SIZE + UDP_HEADER_SIZE + payload.length;
  const target = out ?? new Uint8Array(size);
  if (target.length < size) throw new RangeError(`output buffer holds ${target.length} bytes, ${size} needed`);
  if (p.dstMac.length !== 6 || p.srcMac.length !== 6) throw new RangeError('Ethernet addresses are 6 bytes');
  target.set(p.dstMac, 0);
  target.set(p.srcMac, 6);
  put16(target, 12, ETHERTYPE_IPV4);
  writeIpv4Udp(p, payload, target, ETHERNET_HEADER_SIZE);
  return target.subarray(0, size);
}

export type FrameErrorCause =
  | 'too-short'
  /** Ethertype is not IPv4 (after at most one 802.1Q tag). */
  | 'not-ipv4'
  | 'bad-ip-version'
  /** IHL below 5 or beyond the bytes present. */
  | 'bad-ihl'
  /** Total length shorter than the header, or longer than the bytes captured. */
  | 'bad-ip-length'
  | 'bad-ip-checksum'
  /** More-fragments set or a non-zero offset: DHCP never needs reassembly, so fragments are refused. */
  | 'fragment'
  | 'not-udp'
  /** UDP length below 8 or beyond the IP payload. */
  | 'bad-udp-length'
  | 'bad-udp-checksum';

export interface ParsedDatagram {
  /** Present when parsed from an Ethernet frame. */
  dstMac?: Uint8Array;
  srcMac?: Uint8Array;
  /** The 802.1Q VLAN ID when the frame was tagged. */
  vlan?: number;
  srcIp: number;
  dstIp: number;
  tos: number;
  ttl: number;
  id: number;
  dontFragment: boolean;
  /** IPv4 options (IHL > 5), raw; usually empty. */
  ipOptions: Uint8Array;
  srcPort: number;
  dstPort: number;
  /** 'none': the sender sent no checksum (0). 'unverified': verification was turned off. */
  udpChecksum: 'ok' | 'none' | 'unverified';
  /** The UDP payload: a view of the input, not a copy (decodeMessage copies what it keeps). */
  payload: Uint8Array;
}

export type ParseResult =
  | { ok: true; datagram: ParsedDatagram }
  | { ok: false; error: { cause: FrameErrorCause; detail: string } };

export interface ParseOptions {
  /**
   * Verify non-zero UDP checksums (default true). Turn off for frames whose checksum the kernel left to
   * the NIC (checksum offload: the packet socket sees TP_STATUS_CSUMNOTREADY and a partial sum).
   */
  verifyUdpChecksum?: boolean;
}

function bad(cause: FrameErrorCause, detail: string): ParseResult {
  return { ok: false, error: { cause, detail } };
}

function parseIp(bytes: Uint8Array, at: number, opts: ParseOptions): ParseResult {
  const available = bytes.length - at;
  if (available < IPV4_HEADER_SIZE) return bad('too-short', `${available} bytes, an IPv4 header needs 20`);
  const version = bytes[at]! >>> 4;
  if (version !== 4) return bad('bad-ip-version', `IP version ${version}`);
  const ihl = (bytes[at]! & 15) * 4;
  if (ihl < IPV4_HEADER_SIZE || ihl > available) return bad('bad-ihl', `header length ${ihl} of ${available} bytes`);
  const total = u16(bytes, at + 2);
  if (total < ihl || total > available) return bad('bad-ip-length', `total length ${total}, ${available} captured`);
  if (internetChecksum(bytes, at, at + ihl) !== 0) {
    return bad('bad-ip-checksum', `header checksum 0x${u16(bytes, at + 10).toString(16)} is wrong`);
  }
  const frag = u16(bytes, at + 6);
  if ((frag & 0x2000) !== 0 || (frag & 0x1fff) !== 0) {
    return bad('fragment', `fragment (more-fragments ${(frag >> 13) & 1}, offset ${(frag & 0x1fff) * 8})`);
  }
  const protocol = bytes[at + 9]!;
  if (protocol !== IPPROTO_UDP) return bad('not-udp', `IP protocol ${protocol}`);
  const srcIp = u32(bytes, at + 12);
  const dstIp = u32(bytes, at + 16);
  const udp = at + ihl;
  const ipPayload = total - ihl;
  if (ipPayload < UDP_HEADER_SIZE) return bad('bad-udp-length', `${ipPayload} bytes after the IP header`);
  const udpLength = u16(bytes, udp + 4);
  if (udpLength < UDP_HEADER_SIZE || udpLength > ipPayload) {
    return bad('bad-udp-length', `UDP length ${udpLength}, IP payload ${ipPayload}`);
  }
  const sent = u16(bytes, udp + 6);
  let udpChecksum: ParsedDatagram['udpChecksum'] = 'none';
  if (sent !== 0) {
    udpChecksum = 'unverified';
    if (opts.verifyUdpChecksum ?? true) {
      const sum = onesComplementAdd(bytes, udp, udp + udpLength, pseudoHeaderSum(srcIp, dstIp, udpLength));
      if (finishChecksum(sum) !== 0) return bad('bad-udp-checksum', `UDP checksum 0x${sent.toString(16)} is wrong`);
      udpChecksum = 'ok';
    }
  }
  return {
    ok: true,
    datagram: {
      srcIp,
      dstIp,
      tos: bytes[at + 1]!,
      ttl: bytes[at + 8]!,
      id: u16(bytes, at + 4),
      dontFragment: (frag & 0x4000) !== 0,
      ipOptions: bytes.subarray(at + IPV4_HEADER_SIZE, at + ihl),
      srcPort: u16(bytes, udp),
      dstPort: u16(bytes, udp + 2),
      udpChecksum,
      payload: bytes.subarray(udp + UDP_HEADER_SIZE, udp + udpLength),
    },
  };
}

/** Parses an IPv4 packet carrying UDP. Never throws. */
export function parseIpv4Udp(bytes: Uint8Array, opts: ParseOptions = {}): ParseResult {
  return parseIp(bytes, 0, opts);
}

/** Parses an Ethernet II frame carrying IPv4 + UDP (one 802.1Q tag allowed). Never throws. */
export function parseFrame(bytes: Uint8Array, opts: ParseOptions = {}): ParseResult {
  if (bytes.length < ETHERNET_HEADER_SIZE) return bad('too-short', `${bytes.length} bytes, Ethernet needs 14`);
  let at = 12;
  let type = u16(bytes, at);
  let vlan: number | undefined;
  if (type === ETHERTYPE_VLAN) {
    if (bytes.length < ETHERNET_HEADER_SIZE + 4) return bad('too-short', `${bytes.length} bytes in a tagged frame`);
    vlan = u16(bytes, 14) & 0xfff;
    at = 16;
    type = u16(bytes, at);
  }
  if (type !== ETHERTYPE_IPV4) return bad('not-ipv4', `ethertype 0x${type.toString(16).padStart(4, '0')}`);
  const result = parseIp(bytes, at + 2, opts);
  if (!result.ok) return result;
  result.datagram.dstMac = bytes.subarray(0, 6);
  result.datagram.srcMac = bytes.subarray(6, 12);
  if (vlan !== undefined) result.datagram.vlan = vlan;
  return result;
}
