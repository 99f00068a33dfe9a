// IPv4 addresses are carried as unsigned 32-bit numbers (192.0.2.1 === 0xc0000201): cheap to copy,
// compare, hash and mask. Hardware addresses stay bytes.

export const IPV4_ANY = 0;
export const IPV4_BROADCAST = 0xffffffff;

export function ipToString(ip: number): string {
  return `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/**
 * Strict dotted quad: four decimal parts 0-255. Leading zeros are refused because inet_aton() reads
 * them as octal and ISC inherits that; refusing beats guessing.
 */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let ip = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    ip = ip * 256 + n;
  }
  return ip;
}

export function isIpv4(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

/** Reads 4 bytes big-endian. The caller guarantees offset + 4 <= bytes.length. */
export function readIpv4(bytes: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 4 > bytes.length) throw new RangeError(`readIpv4: offset ${offset} out of range`);
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

export function writeIpv4(bytes: Uint8Array, offset: number, ip: number): void {
  if (offset < 0 || offset + 4 > bytes.length) throw new RangeError(`writeIpv4: offset ${offset} out of range`);
  bytes[offset] = ip >>> 24;
  bytes[offset + 1] = ip >>> 16;
  bytes[offset + 2] = ip >>> 8;
  bytes[offset + 3] = ip;
}

export function ipToBytes(ip: number): Uint8Array {
  const out = new Uint8Array(4);
  writeIpv4(out, 0, ip);
  return out;
}

/** Exactly 4 bytes -> address, else undefined (option data of the wrong size). */
export function ipFromBytes(bytes: Uint8Array): number | undefined {
  return bytes.length === 4 ? readIpv4(bytes, 0) : undefined;
}

/** A list of addresses (routers, name servers): a non-empty multiple of 4 bytes, else undefined. */
export function ipListFromBytes(bytes: Uint8Array): number[] | undefined {
  if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) out.push(readIpv4(bytes, i));
  return out;
}

export function ipListToBytes(ips: readonly number[]): Uint8Array {
  const out = new Uint8Array(ips.length * 4);
  for (let i = 0; i < ips.length; i++) writeIpv4(out, i * 4, ips[i]!);
  return out;
}

/** 24 -> 255.255.255.0. */
export function prefixToMask(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`prefix length ${prefixLength} is not 0-32`);
  }
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** 255.255.255.0 -> 24; undefined when the mask's one bits are not contiguous. */
export function maskToPrefix(mask: number): number | undefined {
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return undefined;
  return Math.clz32(inverted);
}

export function networkOf(ip: number, mask: number): number {
  return (ip & mask) >>> 0;
}

export function inSubnet(ip: number, network: number, mask: number): boolean {
  return (ip & mask) >>> 0 === (network & mask) >>> 0;
}

export function broadcastOf(ip: number, mask: number): number {
  return (ip | ~mask) >>> 0;
}

/** Colon-separated lowercase hex, two digits a byte ("00:16:36:51:5d:5a"), as ISC writes hardware addresses. */
export function macToString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += ':';
    out += bytes[i]!.toString(16).padStart(2, '0');
  }
  return out;
}

/**
 * 1 to 16 groups of one or two hex digits separated by ':' or '-' ("0:2:2d:1f:4a:b6" as dhcp-sniff prints,
 * "00-16-36-51-5D-5A" as Windows does). Undefined when malformed.
 */
export function parseHardwareAddress(text: string): Uint8Array | undefined {
  const groups = text.split(/[:-]/);
  if (groups.length < 1 || groups.length > 16) return undefined;
  const out = new Uint8Array(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(g)) return undefined;
    out[i] = Number.parseInt(g, 16);
  }
  return out;
}

/** An Ethernet MAC: exactly six groups. */
export function parseMac(text: string): Uint8Array | undefined {
  const bytes = parseHardwareAddress(text);
  return bytes?.length === 6 ? bytes : undefined;
}

export const BROADCAST_MAC: Uint8Array = new Uint8Array([255, 255, 255, 255, 255, 255]);
