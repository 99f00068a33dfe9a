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
    this.put(T_LEASE);
    const a = f.address;
    this.num(a >>> 24);
    this.byte(0x2e);
    this.num((a >>> 16) & 255);
    this.byte(0x2e);
    this.num((a >>> 8) & 255);
    this.byte(0x2e);
    this.num(a & 255);
    this.put(T_OPEN);
    if (f.starts > 0) {
      this.put(T_STARTS);
      this.time(f.starts);
    }
    if (f.ends > 0) {
      this.put(T_ENDS);
      this.time(f.ends);
    }
    if (f.cltt > 0) {
      this.put(T_CLTT);
      this.time(f.cltt);
    }
    this.put(T_BINDING);
    this.put(STATE_BYTES[f.state]!);
    this.byte(0x3b);
    if (f.next >= 0 && f.next !== f.state) {
      this.put(T_NEXT);
      this.put(STATE_BYTES[f.next]!);
      this.byte(0x3b);
    }
    if (f.rewind >= 0 && f.rewind !== f.state) {
      this.put(T_REWIND);
      this.put(STATE_BYTES[f.rewind]!);
      this.byte(0x3b);
    }
    if (f.reserved) this.put(T_RESERVED);
    if (f.bootp) this.put(T_BOOTP);
    if (f.hwLen >= 0) {
      this.put(T_HARDWARE);
      this.text(hardwareTypeName(f.hwType));
      this.byte(0x20);
      for (let k = 0; k < f.hwLen; k++) {
        if (k > 0) this.byte(0x3a);
        const c = f.bytes[f.hwOff + k]!;
        this.byte(HEX[c >> 4]!);
        this.byte(HEX[c & 15]!);
      }
      this.byte(0x3b);
    }
    if (f.uidLen > 0) {
      this.put(T_UID);
      this.quoted(f.bytes, f.uidOff, f.uidLen);
      this.byte(0x3b);
    }
    if (f.nameLen >= 0) {
      this.put(T_HOSTNAME);
      this.quoted(f.bytes, f.nameOff, f.nameLen);
      this.byte(0x3b);
    }
    this.put(T_CLOSE);
  }

  private byte(c: number): void {
    this.buf[this.used++] = c;
  }

  private put(b: Uint8Array): void {
    this.buf.set(b, this.used);
    this.used += b.length;
  }

  private num(n: number): void {
    if (n >= 100) this.byte(0x30 + Math.floor(n / 100));
    if (n >= 10) this.byte(0x30 + (Math.floor(n / 10) % 10));
    this.byte(0x30 + (n % 10));
  }

  private two(n: number): void {
    this.byte(0x30 + Math.floor(n / 10));
    this.byte(0x30 + (n % 10));
  }

  /** formatLeaseTime's text: `W YYYY/MM/DD HH:MM:SS;` or `never;`. */
  private time(t: LeaseTime): void {
    if (t === Number.POSITIVE_INFINITY) {
      this.put(T_NEVER);
      return;
    }
    const days = Math.floor(t / 86400);
    if (days !== this.day) {
      const head = Number.isInteger(t) ? formatLeaseTime(days * 86400) : '';
      // Only the usual shape is cached (a 4-digit year); anything else is formatLeaseTime's text.
      if (head.length !== 22) {
        this.text(formatLeaseTime(t));
        return;
      }
      this.dayText.write(head.slice(0, 13), 0, 'latin1');
      this.day = days;
    }
    const secs = t - days * 86400;
    this.put(this.dayText);
    this.two(Math.floor(secs / 3600));
    this.byte(0x3a);
    this.two(Math.floor((secs % 3600) / 60));
    this.byte(0x3a);
    this.two(secs % 60);
    this.byte(0x3b);
  }

  /** quoteOctets: printable ASCII as is, `"` and `\` escaped, everything else `\ooo`. */
  private quoted(bytes: Uint8Array, off: number, len: number): void {
    this.byte(0x22);
    for (let k = 0; k < len; k++) {
      const c = bytes[off + k]!;
      if (c < 0x20 || c > 0x7e) {
        this.byte(0x5c);
        this.byte(0x30 + (c >> 6));
        this.byte(0x30 + ((c >> 3) & 7));
        this.byte(0x30 + (c & 7));
      } else {
        if (c === 0x22 || c === 0x5c) this.byte(0x5c);
        this.byte(c);
      }
    }
    this.byte(0x22);
  }
}
