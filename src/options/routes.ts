// RFC 3442 classless static routes: each route is a destination descriptor (prefix width, then only the
// significant octets of the destination) followed by the 4-octet router.
import { formatIPv4, parseIPv4Into } from './addresses.js';
import type { ClasslessRoute } from './types.js';

/** Why `v` is not a ClasslessRoute, or undefined. */
export function checkClasslessRoute(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) {
    return 'expected { destination, prefixLength, router }';
  }
  const r = v as Partial<ClasslessRoute>;
  if (!Number.isInteger(r.prefixLength) || (r.prefixLength as number) < 0 || (r.prefixLength as number) > 32) {
    return `prefix length ${r.prefixLength} is not 0..32`;
  }
  const scratch = new Uint8Array(4);
  if (typeof r.destination !== 'string' || !parseIPv4Into(r.destination, scratch, 0)) {
    return `destination ${String(r.destination)} is not an IPv4 address`;
  }
  if (typeof r.router !== 'string' || !parseIPv4Into(r.router, scratch, 0)) {
    return `router ${String(r.router)} is not an IPv4 address`;
  }
  return undefined;
}

/** Octets a route takes on the wire. */
export function routeWireLength(r: ClasslessRoute): number {
  return 1 + ((r.prefixLength + 7) >> 3) + 4;
}

/**
 * Writes a checked route at out[off]; returns the new offset. Destination bits beyond the prefix are cleared,
 * as RFC 3442 requires them to be zero.
 */
export function writeClasslessRoute(r: ClasslessRoute, out: Uint8Array, off: number): number {
  const dest = new Uint8Array(4);
  parseIPv4Into(r.destination, dest, 0);
  const significant = (r.prefixLength + 7) >> 3;
  out[off++] = r.prefixLength;
  for (let i = 0; i < significant; i++) {
    const keep = Math.min(8, r.prefixLength - 8 * i);
    out[off++] = (dest[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  parseIPv4Into(r.router, out, off);
  return off + 4;
}

/** Reads one route at data[off..end); returns it with the offset after it, or an error message. */
export function readClasslessRoute(
  data: Uint8Array,
  off: number,
  end: number,
): { route: ClasslessRoute; next: number } | string {
  if (off >= end) return 'classless route: no destination descriptor';
  const prefixLength = data[off] as number;
  if (prefixLength > 32) return `classless route: prefix width ${prefixLength} is over 32`;
  const significant = (prefixLength + 7) >> 3;
  const next = off + 1 + significant + 4;
  if (next > end) return 'classless route runs past the end of the data';
  const dest = new Uint8Array(4);
  // Bits past the prefix must be zero (RFC 3442); clear them so the value is canonical.
  for (let i = 0; i < significant; i++) {
    const keep = Math.min(8, prefixLength - 8 * i);
    dest[i] = (data[off + 1 + i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return {
    route: { destination: formatIPv4(dest, 0), prefixLength, router: formatIPv4(data, off + 1 + significant) },
    next,
  };
}
