// The lease block exactly as ISC's write_lease and writer.ts lay it out, read into LeaseFields
// (no Lease object, no token, no string per field) for the server's start-up, where a million of
// them are read straight into the allocator:
//
//   lease A.B.C.D {
//     starts W YYYY/MM/DD HH:MM:SS;      (ends, cltt; `never;` too)
//     binding state S;                    (free, active, abandoned, backup)
//     next binding state S;  rewind binding state S;  reserved;  dynamic-bootp;
//     hardware ethernet xx:xx:...;  uid "...";  client-hostname "...";
//   }
//
// Lines in that order, two spaces of indent, one field each. Anything else - another field,
// another order, a comment, a tab, tstp, a `set`, `epoch N;` - returns false, and the caller
// reads the block with fast-lease.ts (then the full parser), which has every rule and message.
// So this reader only has to be right about what it accepts; tests compare it with the others.

import type { FastPos } from './fast-lease.js';
import { BINDING_STATES, type Lease, newLease } from './lease.js';
import type { LeaseFields } from './lease-text.js';
import { iscDateToTime } from './text.js';

function word(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Octets of one block (hardware, uid, host name), referenced by LeaseFields offsets. */
const SCRATCH = new Uint8Array(4096);

function digit(src: Uint8Array, i: number): number {
  const d = src[i]! - 0x30;
  return d >= 0 && d <= 9 ? d : -1000000;
}

/** `W YYYY/MM/DD HH:MM:SS;` at i: its time, or -1. */
function dateAt(src: Uint8Array, i: number): number {
  if (
    src[i + 1]! !== 0x20 ||
    src[i + 6]! !== 0x2f ||
    src[i + 9]! !== 0x2f ||
    src[i + 12]! !== 0x20 ||
    src[i + 15]! !== 0x3a ||
    src[i + 18]! !== 0x3a ||
    src[i + 21]! !== 0x3b
  ) {
    return -1;
  }
  const w = digit(src, i);
  const year = digit(src, i + 2) * 1000 + digit(src, i + 3) * 100 + digit(src, i + 4) * 10 + digit(src, i + 5);
  const mon = digit(src, i + 7) * 10 + digit(src, i + 8);
  const mday = digit(src, i + 10) * 10 + digit(src, i + 11);
  const hour = digit(src, i + 13) * 10 + digit(src, i + 14);
  const min = digit(src, i + 16) * 10 + digit(src, i + 17);
  const sec = digit(src, i + 19) * 10 + digit(src, i + 20);
  if ((w | year | mon | mday | hour | min | sec) < 0) return -1;
  return iscDateToTime(year, mon, mday, hour, min, sec, 0);
}

/** Whether src has `word` (octets) at i. */
function at(src: Uint8Array, i: number, word: Uint8Array): boolean {
  for (let k = 0; k < word.length; k++) if (src[i + k] !== word[k]) return false;
  return true;
}

/** The binding state name at i followed by `;`: [BINDING_STATES index, length], or -1 (not plain). */
function stateAt(src: Uint8Array, i: number): number {
  // free 0, active 1, abandoned 4, backup 6 (BINDING_STATES); the others are not plain.
  const c = src[i]!;
  if (c === 0x66 && at(src, i, W_FREE)) return 0;
  if (c === 0x61 && at(src, i, W_ACTIVE)) return 1;
  if (c === 0x61 && at(src, i, W_ABANDONED)) return 4;
  if (c === 0x62 && at(src, i, W_BACKUP)) return 6;
  return -1;
}
const W_OPEN = word(' {\n  ');
const W_ABANDONED = word('abandoned;');
const W_ACTIVE = word('active;');
const W_BACKUP = word('backup;');
const W_BINDING_STATE = word('binding state ');
const W_CLIENT_HOSTNAME = word('client-hostname ');
const W_FREE = word('free;');
const W_HARDWARE_ETHERNET = word('hardware ethernet ');
const W_LEASE = word('lease ');
const W_NEVER = word('never;');
const W_UID = word('uid ');
const W_STARTS = word('starts ');
const W_ENDS = word('ends ');
const W_CLTT = word('cltt ');
const W_NEXT_BINDING_STATE = word('next binding state ');
const W_REWIND_BINDING_STATE = word('rewind binding state ');
const W_RESERVED = word('reserved;');
const W_DYNAMIC_BOOTP = word('dynamic-bootp;');
const STATE_LEN = [4, 6, -1, -1, 9, -1, 6];

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Where a quoted string at i ends (after the quote), its octets copied to SCRATCH at `to`; -1 if not canonical. */
let quotedLen = 0;
function quotedAt(src: Uint8Array, i: number, to: number): number {
  if (src[i]! !== 0x22) return -1;
  i++;
  let n = to;
  while (n < SCRATCH.length) {
    const c = src[i++];
    if (c === 0x22) {
      quotedLen = n - to;
      return i;
    }
    if (c === 0x5c) {
      const d = src[i]!;
      if (d === 0x22 || d === 0x5c) {
        SCRATCH[n++] = d;
        i++;
      } else if (d >= 0x30 && d <= 0x33) {
        const e = src[i + 1]! - 0x30;
        const f = src[i + 2]! - 0x30;
        if (!(e >= 0 && e <= 7 && f >= 0 && f <= 7)) return -1;
        SCRATCH[n++] = (d - 0x30) * 64 + e * 8 + f;
        i += 3;
      } else return -1;
    } else if (c === undefined || c < 0x20 || c > 0x7e) {
      return -1; // the writers escape these; a raw one is for the full reader
    } else {
      SCRATCH[n++] = c;
    }
  }
  return -1;
}

const S_STARTS = 1;
const S_ENDS = 2;
const S_CLTT = 4;
const S_BINDING = 8;
const S_NEXT = 16;
const S_REWIND = 32;
const S_RESERVED = 64;
const S_BOOTP = 128;
const S_HW = 256;
const S_UID = 512;
const S_NAME = 1024;

/**
 * Reads the block at p.i (at `lease`) into f; true with p just past the closing brace, false
 * (p unchanged) when the block is not canonical.
 */
export function readCanonicalLease(src: Uint8Array, p: FastPos, f: LeaseFields): boolean {
  let i = p.i;
  if (!at(src, i, W_LEASE)) return false;
  i += 6;
  let address = 0;
  for (let k = 0; k < 4; k++) {
    if (k > 0 && src[i++]! !== 0x2e) return false;
    let o = 0;
    const start = i;
    for (let c = src[i]!; c >= 0x30 && c <= 0x39; c = src[++i]!) o = o * 10 + (c - 0x30);
    if (i === start || i - start > 3 || o > 255) return false;
    address = address * 256 + o;
  }
  if (!at(src, i, W_OPEN)) return false;
  i += 2;
  let line = p.line;
  let seen = 0;
  let used = 0;
  f.address = address;
  f.starts = 0;
  f.ends = 0;
  f.cltt = 0;
  f.state = -1;
  f.next = -1;
  f.rewind = -1;
  f.reserved = false;
  f.bootp = false;
  f.bytes = SCRATCH;
  f.hwType = 1;
  f.hwLen = -1;
  f.uidLen = -1;
  f.nameLen = -1;
  // Each field: "\n  " then the field, in write_lease's order (a bit each, never back).
  while (true) {
    if (src[i]! !== 0x0a) return false;
    line++;
    if (src[i + 1]! === 0x7d /* } */) {
      i += 2;
      break;
    }
    if (src[i + 1]! !== 0x20 || src[i + 2]! !== 0x20) return false;
    i += 3;
    const c = src[i]!;
    let bit: number;
    if (c === 0x73 /* s */ || c === 0x65 /* e */ || (c === 0x63 && src[i + 1]! === 0x6c && src[i + 2]! === 0x74)) {
      const len = c === 0x73 ? 7 : c === 0x65 ? 5 : 5; // `starts `, `ends `, `cltt `
      if (!at(src, i, c === 0x73 ? W_STARTS : c === 0x65 ? W_ENDS : W_CLTT)) return false;
      i += len;
      let t: number;
      if (src[i]! === 0x6e) {
        if (!at(src, i, W_NEVER)) return false;
        t = Number.POSITIVE_INFINITY;
        i += 6;
      } else {
        t = dateAt(src, i);
        if (!(t > 0)) return false;
        i += 22;
      }
      if (c === 0x73) {
        bit = S_STARTS;
        f.starts = t;
      } else if (c === 0x65) {
        bit = S_ENDS;
        f.ends = t;
      } else {
        bit = S_CLTT;
        f.cltt = t;
      }
    } else if (c === 0x62 /* b */) {
      if (!at(src, i, W_BINDING_STATE)) return false;
      const s = stateAt(src, i + 14);
      if (s < 0) return false;
      f.state = s;
      i += 14 + STATE_LEN[s]! + 1;
      bit = S_BINDING;
    } else if (c === 0x6e /* n */ || (c === 0x72 && src[i + 2]! === 0x77) /* rewind */) {
      const word = c === 0x6e ? W_NEXT_BINDING_STATE : W_REWIND_BINDING_STATE;
      if (!at(src, i, word)) return false;
      const s = stateAt(src, i + word.length);
      if (s < 0 || !(seen & S_BINDING)) return false;
      i += word.length + STATE_LEN[s]! + 1;
      if (c === 0x6e) {
        bit = S_NEXT;
        f.next = s === f.state ? -1 : s;
      } else {
        bit = S_REWIND;
        f.rewind = s === f.state ? -1 : s;
      }
    } else if (c === 0x72 /* reserved */ || c === 0x64 /* dynamic-bootp */) {
      const word = c === 0x72 ? W_RESERVED : W_DYNAMIC_BOOTP;
      if (!at(src, i, word)) return false;
      i += word.length;
      if (c === 0x72) {
        bit = S_RESERVED;
        f.reserved = true;
      } else {
        bit = S_BOOTP;
        f.bootp = true;
      }
    } else if (c === 0x68 /* h */) {
      if (!at(src, i, W_HARDWARE_ETHERNET)) return false;
      i += 18;
      const start = used;
      while (true) {
        const a = hexVal(src[i]!);
        const b = hexVal(src[i + 1]!);
        if (a < 0 || b < 0 || used - start >= 20) return false;
        SCRATCH[used++] = a * 16 + b;
        i += 2;
        const d = src[i++]!;
        if (d === 0x3b) break;
        if (d !== 0x3a) return false;
      }
      f.hwOff = start;
      f.hwLen = used - start;
      bit = S_HW;
    } else if (c === 0x75 /* u */) {
      if (!at(src, i, W_UID)) return false;
      const end = quotedAt(src, i + 4, used);
      if (end < 0 || src[end]! !== 0x3b) return false;
      f.uidOff = used;
      f.uidLen = quotedLen > 0 ? quotedLen : -1;
      used += quotedLen;
      i = end + 1;
      bit = S_UID;
    } else if (c === 0x63 /* client-hostname */) {
      if (!at(src, i, W_CLIENT_HOSTNAME)) return false;
      const end = quotedAt(src, i + 16, used);
      if (end < 0 || src[end]! !== 0x3b) return false;
      f.nameOff = used;
      f.nameLen = quotedLen;
      used += quotedLen;
      i = end + 1;
      bit = S_NAME;
    } else {
      return false;
    }
    if (seen >= bit) return false; // repeated, or out of write_lease's order
    seen |= bit;
  }
  if (!(seen & S_BINDING)) return false; // ISC's default state depends on the clock: the Lease path
  p.i = i;
  p.line = line;
  return true;
}

/** The Lease the other readers give for the same block (for leases no holder takes). */
export function leaseFromFields(f: LeaseFields): Lease {
  const l = newLease(f.address);
  if (f.starts > 0) l.starts = f.starts;
  if (f.ends > 0) l.ends = f.ends;
  if (f.cltt > 0) l.cltt = f.cltt;
  l.bindingState = BINDING_STATES[f.state];
  if (f.next >= 0) l.nextBindingState = BINDING_STATES[f.next];
  if (f.rewind >= 0) l.rewindBindingState = BINDING_STATES[f.rewind];
  if (f.reserved) l.reserved = true;
  if (f.bootp) l.bootp = true;
  if (f.hwLen >= 0) l.hardware = { type: f.hwType, address: f.bytes.slice(f.hwOff, f.hwOff + f.hwLen) };
  if (f.uidLen > 0) l.uid = f.bytes.slice(f.uidOff, f.uidOff + f.uidLen);
  if (f.nameLen >= 0) {
    l.clientHostname = Buffer.from(f.bytes.buffer, f.bytes.byteOffset + f.nameOff, f.nameLen).toString('latin1');
  }
  return l;
}
