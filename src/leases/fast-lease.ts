// A fast reader for the lease records ISC (and Leasehold) write, straight off the text with no
// token objects: a million-lease file must load in seconds, and the shared lexer builds an
// object per token. It accepts only canonical shapes - lower-case keywords, dates as
// `W YYYY/MM/DD HH:MM:SS;` or `epoch N;`, strings whose escapes are `\ooo`, `\"` or `\\` -
// and returns undefined on anything else, including every error; the caller then reads the
// record with the complete parser (parse-lease.ts), which has ISC's grammar and messages.
// Tests check that both produce the same lease for every record this one accepts.

import { internKeyword } from '../conf/tokens.js';
import type { BindingState, HardwareAddress, Lease, LeaseTime, LeaseVariable } from './lease.js';
import { iscDateToTime } from './text.js';
import { setVariable } from './variables.js';

/** Position in the text; the caller owns it and reuses it for every record. */
export interface FastPos {
  i: number;
  line: number;
}

const BUF = new Uint8Array(1500);

// Octets a lease keeps (hardware address, uid, variable data) are copied into a shared slab and
// handed out as views: a small Uint8Array of its own costs V8 about twice the memory of a view
// and one more object for the collector, which adds up to ~150 MB at a million leases. The
// views never overlap and nothing writes through them; code that needs the bytes alone uses
// byteOffset/byteLength (as client-id.ts does) or copies.
const SLAB_SIZE = 64 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

/** BUF[0..n) as a view of the slab. */
function keep(n: number): Uint8Array {
  if (slabUsed + n > SLAB_SIZE) {
    if (n > SLAB_SIZE / 16) return BUF.slice(0, n);
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const start = slabUsed;
  for (let k = 0; k < n; k++) slab[start + k] = BUF[k]!;
  slabUsed += n;
  return slab.subarray(start, slabUsed);
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
/** Characters that continue a NUMBER/NAME token in the lexer. */
function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f;
}
function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function skipSpace(src: string, p: FastPos): void {
  const n = src.length;
  while (p.i < n) {
    const c = src.charCodeAt(p.i);
    if (c === 0x0a) {
      p.line++;
      p.i++;
    } else if (isSpace(c)) {
      p.i++;
    } else if (c === 0x23) {
      const eol = src.indexOf('\n', p.i);
      if (eol < 0) {
        p.i = n;
        return;
      }
      p.i = eol + 1;
      p.line++;
    } else {
      return;
    }
  }
}

/** A decimal NUMBER token; -1 when the next token is not one. */
function readUint(src: string, p: FastPos): number {
  let i = p.i;
  let v = 0;
  const start = i;
  while (true) {
    const c = src.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      i++;
    } else break;
  }
  if (i === start || i - start > 15 || isWordChar(src.charCodeAt(i))) return -1;
  p.i = i;
  return v;
}

// The words this reader knows, matched in place: slicing each word out of the text and looking
// it up would allocate a string per token.
const WORDS = [
  'starts',
  'ends',
  'tstp',
  'tsfp',
  'atsfp',
  'cltt',
  'binding',
  'next',
  'rewind',
  'state',
  'hardware',
  'uid',
  'client-hostname',
  'set',
  'abandoned',
  'reserved',
  'dynamic-bootp',
  'never',
  'epoch',
  'ethernet',
  'token-ring',
  'fddi',
  'free',
  'active',
  'expired',
  'released',
  'reset',
  'backup',
] as const;
type Word = (typeof WORDS)[number];

/**
 * The words by length and first letter (len * 128 + first char code), so a lookup compares
 * against one word, rarely two, instead of all of them.
 */
const WORD_INDEX: (Word[] | undefined)[] = [];
for (const w of WORDS) {
  const key = w.length * 128 + w.charCodeAt(0);
  const list = WORD_INDEX[key] ?? [];
  list.push(w);
  WORD_INDEX[key] = list;
}

/** The known word at p (and p moves past the word), or undefined. */
function readWord(src: string, p: FastPos): Word | undefined {
  const start = p.i;
  let i = start;
  while (isWordChar(src.charCodeAt(i))) i++;
  p.i = i;
  const len = i - start;
  if (len === 0 || len > 16) return undefined;
  const words = WORD_INDEX[len * 128 + src.charCodeAt(start)];
  if (words === undefined) return undefined;
  // Compared char by char: String.prototype.startsWith with a position is slow on a long text.
  outer: for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    for (let j = 1; j < len; j++) if (w.charCodeAt(j) !== src.charCodeAt(start + j)) continue outer;
    return w;
  }
  return undefined;
}

function expect(src: string, p: FastPos, ch: number): boolean {
  skipSpace(src, p);
  if (src.charCodeAt(p.i) !== ch) return false;
  p.i++;
  return true;
}

/** A strict quoted string into BUF; its length, or -1. */
function readString(src: string, p: FastPos): number {
  if (src.charCodeAt(p.i) !== 0x22) return -1;
  let i = p.i + 1;
  let n = 0;
  while (n < 1400) {
    const c = src.charCodeAt(i++);
    if (c === 0x22) {
      p.i = i;
      return n;
    }
    if (c === 0x5c) {
      const d = src.charCodeAt(i);
      if (d === 0x22 || d === 0x5c) {
        BUF[n++] = d;
        i++;
      } else if (d >= 0x30 && d <= 0x33) {
        const e = src.charCodeAt(i + 1) - 0x30;
        const f = src.charCodeAt(i + 2) - 0x30;
        if (e < 0 || e > 7 || f < 0 || f > 7) return -1;
        BUF[n++] = (d - 0x30) * 64 + e * 8 + f;
        i += 3;
      } else return -1;
    } else if (c === 0x0a || Number.isNaN(c) || c > 0xff) {
      return -1;
    } else {
      BUF[n++] = c;
    }
  }
  return -1;
}

/** Colon-separated hex octets (1-2 digits each, no spaces) into BUF; the count, or -1. */
function readHexList(src: string, p: FastPos): number {
  let i = p.i;
  let n = 0;
  while (true) {
    const a = hexVal(src.charCodeAt(i));
    if (a < 0) return -1;
    let v = a;
    const b = hexVal(src.charCodeAt(i + 1));
    if (b >= 0) {
      v = a * 16 + b;
      i += 2;
    } else i += 1;
    if (isWordChar(src.charCodeAt(i)) || n >= 20) return -1;
    BUF[n++] = v;
    if (src.charCodeAt(i) !== 0x3a) break;
    i++;
  }
  p.i = i;
  return n;
}

const BUF_VIEW = Buffer.from(BUF.buffer, BUF.byteOffset, BUF.byteLength);

// Variable names repeat in every lease (`set vendor-class-identifier = ...`). A slice of the text
// may be a view that keeps the whole text alive, so names are copied once and shared.
const NAMES = new Map<string, string>();

function internName(slice: string): string {
  let name = NAMES.get(slice);
  if (name === undefined) {
    name = Buffer.from(slice, 'latin1').toString('latin1');
    if (NAMES.size < 1024) NAMES.set(name, name);
  }
  return name;
}

/** BUF[0..n) as a string of one char per octet (one flat string, no intermediate ones). */
function bufString(n: number): string {
  return BUF_VIEW.toString('latin1', 0, n);
}

function digit(src: string, i: number): number {
  const d = src.charCodeAt(i) - 0x30;
  return d >= 0 && d <= 9 ? d : -1000000;
}

/**
 * The date exactly as ISC writes it, `W YYYY/MM/DD HH:MM:SS` (21 chars from i): its time, or -1
 * when the text has any other shape (readDate then reads it number by number).
 */
function fixedDate(src: string, i: number): number {
  if (
    src.charCodeAt(i + 1) !== 0x20 ||
    src.charCodeAt(i + 6) !== 0x2f ||
    src.charCodeAt(i + 9) !== 0x2f ||
    src.charCodeAt(i + 12) !== 0x20 ||
    src.charCodeAt(i + 15) !== 0x3a ||
    src.charCodeAt(i + 18) !== 0x3a ||
    isWordChar(src.charCodeAt(i + 21))
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

/** `W YYYY/MM/DD HH:MM:SS;`, `epoch N;` or `never;`; undefined when not canonical. */
function readDate(src: string, p: FastPos): LeaseTime | undefined {
  skipSpace(src, p);
  const c = src.charCodeAt(p.i);
  let t = c >= 0x30 && c <= 0x39 ? fixedDate(src, p.i) : -1;
  if (t >= 0) {
    p.i += 21;
  } else if (c === 0x6e /* n */ || c === 0x65 /* e */) {
    const w = readWord(src, p);
    if (w === 'never') t = Number.POSITIVE_INFINITY;
    else if (w === 'epoch') {
      skipSpace(src, p);
      t = readUint(src, p);
      if (t < 0) return undefined;
    } else return undefined;
  } else {
    if (readUint(src, p) < 0) return undefined;
    skipSpace(src, p);
    const year = readUint(src, p);
    if (year < 0 || src.charCodeAt(p.i++) !== 0x2f) return undefined;
    const mon = readUint(src, p);
    if (mon < 0 || src.charCodeAt(p.i++) !== 0x2f) return undefined;
    const mday = readUint(src, p);
    if (mday < 0) return undefined;
    skipSpace(src, p);
    const hour = readUint(src, p);
    if (hour < 0 || src.charCodeAt(p.i++) !== 0x3a) return undefined;
    const min = readUint(src, p);
    if (min < 0 || src.charCodeAt(p.i++) !== 0x3a) return undefined;
    const sec = readUint(src, p);
    if (sec < 0) return undefined;
    t = iscDateToTime(year, mon, mday, hour, min, sec, 0);
  }
  return expect(src, p, 0x3b) ? t : undefined;
}

function bindingState(w: Word | undefined): BindingState | undefined {
  switch (w) {
    case 'free':
    case 'active':
    case 'expired':
    case 'released':
    case 'abandoned':
    case 'reset':
    case 'backup':
      return w;
    default:
      return undefined;
  }
}

/** ISC's seenmask bit of each time field (parse-lease.ts has the same table). */
function timeBit(w: Word | undefined): number {
  switch (w) {
    case 'starts':
      return 1;
    case 'ends':
      return 2;
    case 'tstp':
      return 65536;
    case 'tsfp':
      return 131072;
    case 'atsfp':
      return 262144;
    case 'cltt':
      return 524288;
    default:
      return 0;
  }
}

/**
 * Read `lease A.B.C.D { ... }` at p.i (which is at `lease`). On success p is just past the
 * closing brace; on undefined p is unspecified and the caller starts over with the full parser.
 */
export function readLeaseFast(src: string, p: FastPos): Lease | undefined {
  const at = p.i;
  if (
    src.charCodeAt(at) !== 0x6c ||
    src.charCodeAt(at + 1) !== 0x65 ||
    src.charCodeAt(at + 2) !== 0x61 ||
    src.charCodeAt(at + 3) !== 0x73 ||
    src.charCodeAt(at + 4) !== 0x65 ||
    !isSpace(src.charCodeAt(at + 5))
  ) {
    return undefined;
  }
  p.i += 5;
  skipSpace(src, p);
  let address = 0;
  for (let k = 0; k < 4; k++) {
    if (k > 0 && src.charCodeAt(p.i++) !== 0x2e) return undefined;
    const o = readUint(src, p);
    if (o < 0 || o > 255) return undefined;
    address = address * 256 + o;
  }
  if (!expect(src, p, 0x7b)) return undefined;
  // Fields live in locals and the lease is built once at the end with every key in one order:
  // one allocation and one hidden class for all leases, which matters at a million.
  let starts: LeaseTime | undefined;
  let ends: LeaseTime | undefined;
  let tstp: LeaseTime | undefined;
  let tsfp: LeaseTime | undefined;
  let atsfp: LeaseTime | undefined;
  let cltt: LeaseTime | undefined;
  let hardware: HardwareAddress | undefined;
  let uid: Uint8Array | undefined;
  let clientHostname: string | undefined;
  let reserved: boolean | undefined;
  let bootp: boolean | undefined;
  let variables: LeaseVariable[] | undefined;
  let seen = 0;
  let state: BindingState | undefined;
  let next: BindingState | undefined;
  let rewind: BindingState | undefined;
  while (true) {
    skipSpace(src, p);
    if (src.charCodeAt(p.i) === 0x7d) {
      p.i++;
      break;
    }
    const word = readWord(src, p);
    let bit = timeBit(word);
    if (bit !== 0) {
      const t = readDate(src, p);
      if (t === undefined) return undefined;
      if (bit === 1) starts = t;
      else if (bit === 2) ends = t;
      else if (bit === 65536) tstp = t;
      else if (bit === 131072) tsfp = t;
      else if (bit === 262144) atsfp = t;
      else cltt = t;
    } else if (word === 'binding' || word === 'next' || word === 'rewind') {
      skipSpace(src, p);
      if (word !== 'binding' && readWord(src, p) !== 'binding') return undefined;
      skipSpace(src, p);
      if (readWord(src, p) !== 'state') return undefined;
      skipSpace(src, p);
      const s = bindingState(readWord(src, p));
      if (s === undefined || !expect(src, p, 0x3b)) return undefined;
      if (word === 'binding') {
        bit = 256;
        state = s;
        if (!(seen & 128)) next = s;
        if (!(seen & 512)) rewind = s;
      } else if (word === 'next') {
        bit = 128;
        next = s;
      } else {
        bit = 512;
        rewind = s;
      }
    } else if (word === 'hardware') {
      skipSpace(src, p);
      const type = readWord(src, p);
      const htype = type === 'ethernet' ? 1 : type === 'token-ring' ? 6 : type === 'fddi' ? 8 : 0;
      if (htype === 0) return undefined;
      skipSpace(src, p);
      const n = readHexList(src, p);
      if (n < 0 || !expect(src, p, 0x3b)) return undefined;
      hardware = { type: htype, address: keep(n) };
      bit = 64;
    } else if (word === 'uid') {
      skipSpace(src, p);
      const n = src.charCodeAt(p.i) === 0x22 ? readString(src, p) : readHexList(src, p);
      if (n < 0 || !expect(src, p, 0x3b)) return undefined;
      if (n > 0) uid = keep(n);
      bit = 8;
    } else if (word === 'client-hostname') {
      skipSpace(src, p);
      const n = readString(src, p);
      if (n < 0 || !expect(src, p, 0x3b)) return undefined;
      clientHostname = bufString(n);
      bit = 1024;
    } else if (word === 'set') {
      skipSpace(src, p);
      const first = src.charCodeAt(p.i);
      if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) return undefined;
      const nameStart = p.i;
      while (isWordChar(src.charCodeAt(p.i))) p.i++;
      const name = internName(src.slice(nameStart, p.i));
      if (internKeyword(name.toLowerCase()) !== undefined || !expect(src, p, 0x3d)) return undefined;
      skipSpace(src, p);
      const n = readString(src, p);
      if (n < 0 || !expect(src, p, 0x3b)) return undefined;
      variables = setVariable(variables, name, { type: 'data', data: keep(n) });
    } else if (word === 'abandoned') {
      if (!expect(src, p, 0x3b)) return undefined;
      state = 'abandoned';
      next = 'abandoned';
      bit = 256;
    } else if (word === 'reserved' || word === 'dynamic-bootp') {
      if (!expect(src, p, 0x3b)) return undefined;
      if (word === 'reserved') reserved = true;
      else bootp = true;
    } else {
      return undefined;
    }
    if (seen & bit) return undefined;
    seen |= bit;
  }
  return {
    kind: 'lease',
    address,
    starts,
    ends,
    tstp,
    tsfp,
    atsfp,
    cltt,
    bindingState: state,
    nextBindingState: next !== state ? next : undefined,
    rewindBindingState: rewind !== state ? rewind : undefined,
    reserved,
    bootp,
    hardware,
    uid,
    clientHostname,
    variables,
    agentOptions: undefined,
    onStatements: undefined,
    opaque: undefined,
  };
}
