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

/** The known word at p (and p moves past the word), or undefined. */
function readWord(src: string, p: FastPos): Word | undefined {
  const start = p.i;
  let i = start;
  while (isWordChar(src.charCodeAt(i))) i++;
  p.i = i;
  const len = i - start;
  // Compared char by char: String.prototype.startsWith with a position is slow on a long text.
  outer: for (let k = 0; k < WORDS.length; k++) {
    const w = WORDS[k]!;
    if (w.length !== len) continue;
    for (let j = 0; j < len; j++) if (w.charCodeAt(j) !== src.charCodeAt(start + j)) continue outer;
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

function bufString(n: number): string {
  let out = '';
  for (let k = 0; k < n; k++) out += String.fromCharCode(BUF[k]!);
  return out;
}

/** `W YYYY/MM/DD HH:MM:SS;`, `epoch N;` or `never;`; undefined when not canonical. */
function readDate(src: string, p: FastPos): LeaseTime | undefined {
  skipSpace(src, p);
  const c = src.charCodeAt(p.i);
  let t: number;
  if (c === 0x6e /* n */ || c === 0x65 /* e */) {
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
      hardware = { type: htype, address: BUF.slice(0, n) };
      bit = 64;
    } else if (word === 'uid') {
      skipSpace(src, p);
      const n = src.charCodeAt(p.i) === 0x22 ? readString(src, p) : readHexList(src, p);
      if (n < 0 || !expect(src, p, 0x3b)) return undefined;
      if (n > 0) uid = BUF.slice(0, n);
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
      const name = src.slice(nameStart, p.i);
      if (internKeyword(name.toLowerCase()) !== undefined || !expect(src, p, 0x3d)) return undefined;
      skipSpace(src, p);
      const n = readString(src, p);
      if (n < 0 || !expect(src, p, 0x3b)) return undefined;
      variables = setVariable(variables, name, { type: 'data', data: BUF.slice(0, n) });
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
