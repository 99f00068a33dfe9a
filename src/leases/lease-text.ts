// Lease blocks written straight into a byte buffer from plain fields, with no Lease object and no
// intermediate strings: the start-up rewrite of a million leases formats them all, and building
// each as a string (writer.ts formatLease) cost more than reading them. The bytes are exactly
// formatLease's for the same lease with the default write options; tests check the two agree.

import { BINDING_STATES, type LeaseTime } from './lease.js';
import { formatLeaseTime, hardwareTypeName } from './text.js';

/** One lease's fields; the caller fills and reuses one object. Octets are spans of `bytes`. */
export interface LeaseFields {
  address: number;
  /** 0 (or less) = absent, as the allocator keeps them. */
  starts: LeaseTime;
  ends: LeaseTime;
  cltt: LeaseTime;
  /** BINDING_STATES index. */
  state: number;
  /** BINDING_STATES index, -1 = none; written only when it differs from state (as formatLease). */
  next: number;
  rewind: number;
  reserved: boolean;
  bootp: boolean;
  bytes: Uint8Array;
  hwType: number;
  hwOff: number;
  /** -1 = no hardware address. */
  hwLen: number;
  uidOff: number;
  /** -1 (or 0) = no uid. */
  uidLen: number;
  nameOff: number;
  /** -1 = no client-hostname. */
  nameLen: number;
}

export function newLeaseFields(): LeaseFields {
  return {
    address: 0,
    starts: 0,
    ends: 0,
    cltt: 0,
    state: 0,
    next: -1,
    rewind: -1,
    reserved: false,
    bootp: false,
    bytes: new Uint8Array(0),
    hwType: 1,
    hwOff: 0,
    hwLen: -1,
    uidOff: 0,
    uidLen: -1,
    nameOff: 0,
    nameLen: -1,
  };
}

const HEX = new TextEncoder().encode('0123456789abcdef');
const enc = (s: string) => Buffer.from(s, 'latin1');
const STATE_BYTES = BINDING_STATES.map((s) => enc(s));
const T_LEASE = enc('lease ');
const T_OPEN = enc(' {');
const T_STARTS = enc('\n  starts ');
const T_ENDS = enc('\n  ends ');
const T_CLTT = enc('\n  cltt ');
const T_BINDING = enc('\n  binding state ');
const T_NEXT = enc('\n  next binding state ');
const T_REWIND = enc('\n  rewind binding state ');
const T_RESERVED = enc('\n  reserved;');
const T_BOOTP = enc('\n  dynamic-bootp;');
const T_HARDWARE = enc('\n  hardware ');
const T_ETHERNET = enc('ethernet ');
const T_UID = enc('\n  uid ');
const T_HOSTNAME = enc('\n  client-hostname ');
const T_CLOSE = enc('\n}\n');
const T_NEVER = enc('never;');

/** A buffer being filled with lease file text. */
export class LeaseTextBuffer {
  buf: Buffer;
  used = 0;
  private day = Number.NaN;
  /** `W YYYY/MM/DD ` of `day`. */
  private readonly dayText = Buffer.alloc(13);

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  get room(): number {
    return this.buf.length - this.used;
  }

  /** The most bytes lease() writes for these fields. */
  static maxBytes(f: LeaseFields): number {
    return 400 + 3 * Math.max(f.hwLen, 0) + 4 * Math.max(f.uidLen, 0) + 4 * Math.max(f.nameLen, 0);
  }

  /** Latin-1 text; the buffer grows when it does not fit (one huge record, never the usual case). */
  text(s: string): void {
    if (s.length > this.room) {
      const grown = Buffer.allocUnsafe(this.used + s.length);
      this.buf.copy(grown, 0, 0, this.used);
      this.buf = grown;
    }
    this.used += this.buf.write(s, this.used, 'latin1');
  }

  lease(f: LeaseFields): void {
    const b = this.buf;
    let u = put(b, this.used, T_LEASE);
    const a = f.address;
    u = num(b, u, a >>> 24);
    b[u++] = 0x2e;
    u = num(b, u, (a >>> 16) & 255);
    b[u++] = 0x2e;
    u = num(b, u, (a >>> 8) & 255);
    b[u++] = 0x2e;
    u = num(b, u, a & 255);
    u = put(b, u, T_OPEN);
    if (f.starts > 0) u = this.time(b, put(b, u, T_STARTS), f.starts);
    if (f.ends > 0) u = this.time(b, put(b, u, T_ENDS), f.ends);
    if (f.cltt > 0) u = this.time(b, put(b, u, T_CLTT), f.cltt);
    u = put(b, u, T_BINDING);
    u = put(b, u, STATE_BYTES[f.state]!);
    b[u++] = 0x3b;
    if (f.next >= 0 && f.next !== f.state) {
      u = put(b, put(b, u, T_NEXT), STATE_BYTES[f.next]!);
      b[u++] = 0x3b;
    }
    if (f.rewind >= 0 && f.rewind !== f.state) {
      u = put(b, put(b, u, T_REWIND), STATE_BYTES[f.rewind]!);
      b[u++] = 0x3b;
    }
    if (f.reserved) u = put(b, u, T_RESERVED);
    if (f.bootp) u = put(b, u, T_BOOTP);
    if (f.hwLen >= 0) {
      u = put(b, u, T_HARDWARE);
      if (f.hwType === 1) u = put(b, u, T_ETHERNET);
      else u += b.write(`${hardwareTypeName(f.hwType)} `, u, 'latin1');
      const bytes = f.bytes;
      for (let k = 0; k < f.hwLen; k++) {
        if (k > 0) b[u++] = 0x3a;
        const c = bytes[f.hwOff + k]!;
        b[u++] = HEX[c >> 4]!;
        b[u++] = HEX[c & 15]!;
      }
      b[u++] = 0x3b;
    }
    if (f.uidLen > 0) {
      u = quoted(b, put(b, u, T_UID), f.bytes, f.uidOff, f.uidLen);
      b[u++] = 0x3b;
    }
    if (f.nameLen >= 0) {
      u = quoted(b, put(b, u, T_HOSTNAME), f.bytes, f.nameOff, f.nameLen);
      b[u++] = 0x3b;
    }
    this.used = put(b, u, T_CLOSE);
  }

  /** formatLeaseTime's text at u: `W YYYY/MM/DD HH:MM:SS;` or `never;`; returns the new end. */
  private time(b: Buffer, u: number, t: LeaseTime): number {
    if (t === Number.POSITIVE_INFINITY) return put(b, u, T_NEVER);
    const days = Math.floor(t / 86400);
    if (days !== this.day) {
      const head = Number.isInteger(t) ? formatLeaseTime(days * 86400) : '';
      // Only the usual shape is cached (a 4-digit year); anything else is formatLeaseTime's text.
      if (head.length !== 22) return u + b.write(formatLeaseTime(t), u, 'latin1');
      this.dayText.write(head.slice(0, 13), 0, 'latin1');
      this.day = days;
    }
    const secs = t - days * 86400;
    u = put(b, u, this.dayText);
    const h = Math.floor(secs / 3600);
    const m = Math.floor(secs / 60) - h * 60;
    const s = secs - h * 3600 - m * 60;
    b[u] = 0x30 + Math.floor(h / 10);
    b[u + 1] = 0x30 + (h % 10);
    b[u + 2] = 0x3a;
    b[u + 3] = 0x30 + Math.floor(m / 10);
    b[u + 4] = 0x30 + (m % 10);
    b[u + 5] = 0x3a;
    b[u + 6] = 0x30 + Math.floor(s / 10);
    b[u + 7] = 0x30 + (s % 10);
    b[u + 8] = 0x3b;
    return u + 9;
  }
}

/** Copies a short constant (a loop beats TypedArray.set's call for a dozen bytes). */
function put(b: Uint8Array, u: number, src: Uint8Array): number {
  for (let k = 0; k < src.length; k++) b[u + k] = src[k]!;
  return u + src.length;
}

function num(b: Uint8Array, u: number, n: number): number {
  if (n >= 100) b[u++] = 0x30 + Math.floor(n / 100);
  if (n >= 10) b[u++] = 0x30 + (Math.floor(n / 10) % 10);
  b[u++] = 0x30 + (n % 10);
  return u;
}

/** quoteOctets: printable ASCII as is, `"` and `\` escaped, everything else `\ooo`. */
function quoted(b: Uint8Array, u: number, bytes: Uint8Array, off: number, len: number): number {
  b[u++] = 0x22;
  for (let k = 0; k < len; k++) {
    const c = bytes[off + k]!;
    if (c < 0x20 || c > 0x7e) {
      b[u++] = 0x5c;
      b[u++] = 0x30 + (c >> 6);
      b[u++] = 0x30 + ((c >> 3) & 7);
      b[u++] = 0x30 + (c & 7);
    } else {
      if (c === 0x22 || c === 0x5c) b[u++] = 0x5c;
      b[u++] = c;
    }
  }
  b[u++] = 0x22;
  return u;
}
