// The primitives of the expression language (ISC common/tree.c, omapip/convert.c): value equality,
// substring/suffix/packet slicing, binary-to-ascii, reverse, case mapping, integer encoding, arithmetic,
// BOOTP name fields, and POSIX extended regular expressions on data strings. Each returns undefined
// where ISC's evaluator returns "null". The interpreter (eval-interp.ts) and the compiler
// (eval-compile.ts) both build on these, so a rule of the language lives here once.

import { latin1 } from '../options/octets.js';
import type { Value } from './eval-context.js';

/** ISC's `=` on two non-null values: same type and same contents. */
export function sameValue(a: Value, b: Value): boolean {
  if (a instanceof Uint8Array) return b instanceof Uint8Array && sameBytes(a, b);
  return a === b;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** substring (data, offset, length): unsigned in ISC, so a negative offset or length is huge. */
export function substringOf(d: Uint8Array, off: number, len: number): Uint8Array {
  if (off < 0 || off >= d.length) return d.subarray(0, 0);
  return len < 0 ? d.subarray(off) : d.subarray(off, off + len);
}

/** Whether substringOf(d, off, len) has the bytes of `c`, without making the substring. */
export function substringEquals(d: Uint8Array, off: number, len: number, c: Uint8Array): boolean {
  let start = off;
  let end = d.length;
  if (off < 0 || off >= d.length) start = end = 0;
  else if (len >= 0 && off + len < end) end = off + len;
  if (end - start !== c.length) return false;
  for (let i = 0; i < c.length; i++) if (d[start + i] !== c[i]) return false;
  return true;
}

/** suffix (data, length): the last `length` bytes, all of them when it is longer (or "negative"). */
export function suffixOf(d: Uint8Array, len: number): Uint8Array {
  return len < 0 || len >= d.length ? d : d.subarray(d.length - len);
}

/** packet (offset, length): unlike substring, an offset past the end is null (tree.c expr_packet). */
export function packetSlice(raw: Uint8Array, off: number | undefined, len: number | undefined): Uint8Array | undefined {
  if (off === undefined || len === undefined || off < 0 || off >= raw.length) return undefined;
  return len < 0 ? raw.subarray(off) : raw.subarray(off, off + len);
}

/** A BOOTP name field up to its first NUL; null when it is empty (tree.c expr_filename). */
export function fixedField(f: Uint8Array | undefined): Uint8Array | undefined {
  if (f === undefined || f.length === 0 || f[0] === 0) return undefined;
  const nul = f.indexOf(0);
  return nul < 0 ? f : f.subarray(0, nul);
}

/** A dotted quad's 4 bytes (host-lookup); undefined when it is not one. */
export function ipv4Bytes(dotted: string): Uint8Array | undefined {
  const parts = dotted.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(parts[i]);
    if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** Seconds left of a lease (lease-time): null without a lease, and for a lease that has already ended. */
export function leaseTimeLeft(ends: number | undefined, now: number | undefined): number | undefined {
  if (ends === undefined || now === undefined || ends < now) return undefined;
  return ends - now;
}

export type ArithmeticOp =
  | 'add'
  | 'subtract'
  | 'multiply'
  | 'divide'
  | 'remainder'
  | 'binary-and'
  | 'binary-or'
  | 'binary-xor';

/** The numeric operators on two non-null operands; division by zero is null in ISC. */
export const ARITHMETIC: Readonly<Record<ArithmeticOp, (l: number, r: number) => number | undefined>> = {
  add: (l, r) => l + r,
  subtract: (l, r) => l - r,
  multiply: (l, r) => l * r,
  divide: (l, r) => (r === 0 ? undefined : Math.trunc(l / r)),
  remainder: (l, r) => (r === 0 ? undefined : l % r),
  'binary-and': (l, r) => bitwise('binary-and', l, r),
  'binary-or': (l, r) => bitwise('binary-or', l, r),
  'binary-xor': (l, r) => bitwise('binary-xor', l, r),
};

/** Bitwise operators on unsigned values: 32-bit fast path, BigInt beyond it. */
function bitwise(op: 'binary-and' | 'binary-or' | 'binary-xor', l: number, r: number): number {
  const small = l >= 0 && r >= 0 && l <= 0xffffffff && r <= 0xffffffff;
  if (small) {
    if (op === 'binary-and') return (l & r) >>> 0;
    if (op === 'binary-or') return (l | r) >>> 0;
    return (l ^ r) >>> 0;
  }
  const a = BigInt.asUintN(64, BigInt(Math.trunc(l)));
  const b = BigInt.asUintN(64, BigInt(Math.trunc(r)));
  const v = op === 'binary-and' ? a & b : op === 'binary-or' ? a | b : a ^ b;
  return Number(v);
}

/** Bytes as a latin1 string, cut at the first NUL: what C's string functions see of a data string. */
export function cString(data: Uint8Array): string {
  const nul = data.indexOf(0);
  return latin1(data, 0, nul < 0 ? data.length : nul);
}

/** A latin1 string's bytes as a plain Uint8Array. */
export function textBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

const DIGITS = '0123456789abcdef';

/**
 * binary-to-ascii (base, width, separator, buffer): each width-bit number of the buffer in the base,
 * lower-case and without padding (ISC prints 00:07:e9 as "0:7:e9"), joined by the separator. Null when
 * the width is not 8, 16 or 32 or the buffer is not a whole number of such numbers. ISC writes no
 * digits for a base above 16 (converted_length() gives 0); it divides by zero on a base below 2, which
 * is null here.
 */
export function binaryToAscii(base: number, width: number, sep: Uint8Array, buf: Uint8Array): Uint8Array | undefined {
  if (width !== 8 && width !== 16 && width !== 32) return undefined;
  const size = width / 8;
  if (buf.length % size !== 0) return undefined;
  if (base < 2) return undefined;
  const separator = latin1(sep, 0, sep.length);
  let out = '';
  for (let i = 0; i < buf.length; i += size) {
    let n = buf[i]!;
    if (size === 2) n = (n << 8) | buf[i + 1]!;
    else if (size === 4) n = ((n << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!) >>> 0;
    if (base <= 16) out += base === 10 ? String(n) : base === 16 ? n.toString(16) : digitsOf(n, base);
    if (i + size !== buf.length) out += separator;
  }
  return textBytes(out);
}

function digitsOf(n: number, base: number): string {
  if (n === 0) return '0';
  let s = '';
  while (n > 0) {
    s = DIGITS[n % base]! + s;
    n = Math.floor(n / base);
  }
  return s;
}

/** reverse (width, buffer): the buffer's width-byte chunks in reverse order; null when they do not divide it. */
export function reverseChunks(width: number, buf: Uint8Array): Uint8Array | undefined {
  // ISC divides by the width unchecked (a crash for 0); a negative width is a huge unsigned one.
  if (!(width > 0) || buf.length % width !== 0) return undefined;
  const out = new Uint8Array(buf.length);
  for (let i = 0; i < buf.length; i += width) out.set(buf.subarray(buf.length - i - width, buf.length - i), i);
  return out;
}

/** lcase / ucase: ASCII letters only, as tolower()/toupper() in the C locale dhcpd runs in. */
export function mapCase(data: Uint8Array, upper: boolean): Uint8Array {
  const lo = upper ? 0x61 : 0x41;
  const delta = upper ? -0x20 : 0x20;
  let i = 0;
  // Nothing to change (the usual case for already-normalised data): share the input.
  while (i < data.length && !(data[i]! >= lo && data[i]! <= lo + 25)) i++;
  if (i === data.length) return data;
  const out = data.slice();
  for (; i < out.length; i++) if (out[i]! >= lo && out[i]! <= lo + 25) out[i] = out[i]! + delta;
  return out;
}

/** encode-int (n, bits): big-endian, keeping the low bits as C's putUShort/putULong do. */
export function encodeInt(n: number, bits: 8 | 16 | 32): Uint8Array {
  const v = n >>> 0;
  if (bits === 8) return Uint8Array.of(v & 0xff);
  if (bits === 16) return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** extract-int (data, bits): big-endian from the start; null when the data is too short. */
export function extractInt(data: Uint8Array, bits: 8 | 16 | 32): number | undefined {
  // ISC reads data[0] of an empty string for 8 bits (garbage); null is the documented behaviour.
  if (data.length < bits / 8) return undefined;
  if (bits === 8) return data[0]!;
  if (bits === 16) return (data[0]! << 8) | data[1]!;
  return ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// POSIX extended regular expressions (regcomp REG_EXTENDED | REG_NOSUB [| REG_ICASE]).

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f',
};

/**
 * Translates an ERE to a JS pattern: bracket expressions keep POSIX meaning (a backslash is literal,
 * a leading ']' is a member, [:class:] names), GNU's \< and \> become word boundaries. Undefined when
 * the pattern cannot be translated (ISC: regcomp fails, the match is false).
 */
export function translateEre(ere: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < ere.length) {
    const c = ere[i]!;
    if (c === '\\') {
      const n = ere[i + 1];
      if (n === undefined) return undefined;
      out += n === '<' || n === '>' ? '\\b' : `\\${n}`;
      i += 2;
      continue;
    }
    if (c !== '[') {
      out += c;
      i++;
      continue;
    }
    // Bracket expression.
    let j = i + 1;
    let body = '';
    if (ere[j] === '^') {
      body += '^';
      j++;
    }
    if (ere[j] === ']') {
      body += '\\]';
      j++;
    }
    while (j < ere.length && ere[j] !== ']') {
      if (ere[j] === '[' && ere[j + 1] === ':') {
        const end = ere.indexOf(':]', j + 2);
        const cls = end < 0 ? undefined : POSIX_CLASSES[ere.slice(j + 2, end)];
        if (cls === undefined) return undefined;
        body += cls;
        j = end + 2;
        continue;
      }
      const ch = ere[j]!;
      body += ch === '\\' || ch === '[' ? `\\${ch}` : ch;
      j++;
    }
    if (j >= ere.length) return undefined;
    out += `[${body}]`;
    i = j + 1;
  }
  return out;
}

/** Compiled patterns by source and flags; configs use few, so the cache stays small. */
const compiled = new Map<string, RegExp | null>();
/** The same by pattern object: a constant pattern is the same Uint8Array at every evaluation. */
const byData = [new WeakMap<Uint8Array, RegExp | null>(), new WeakMap<Uint8Array, RegExp | null>()];

/** The compiled form of an ERE (cached); null when regcomp would fail. */
export function compileRegex(pattern: Uint8Array, icase: boolean): RegExp | null {
  const memo = byData[icase ? 1 : 0]!;
  let re = memo.get(pattern);
  if (re !== undefined) return re;
  const src = cString(pattern);
  const key = (icase ? 'i' : 's') + src;
  re = compiled.get(key);
  if (re === undefined) {
    const js = translateEre(src);
    re = null;
    if (js !== undefined) {
      try {
        // 's': a POSIX '.' matches a newline too.
        re = new RegExp(js, icase ? 'is' : 's');
      } catch {
        re = null;
      }
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(key, re);
  }
  memo.set(pattern, re);
  return re;
}

/** ISC's `~=` (or `~~` when icase): does `subject` contain a match of the ERE `pattern`? */
export function regexMatch(subject: Uint8Array, pattern: Uint8Array, icase: boolean): boolean {
  // dhcp-eval(5): an empty string on either side never matches.
  if (pattern.length === 0) return false;
  return regexTest(subject.length === 0 ? null : compileRegex(pattern, icase), subject);
}

/**
 * `~=` with the pattern compiled already (compileRegex of a non-empty pattern). `text` is the
 * subject's cString when the caller has it already.
 */
export function regexTest(re: RegExp | null, subject: Uint8Array, text?: string): boolean {
  return re !== null && subject.length !== 0 && re.test(text ?? cString(subject));
}
