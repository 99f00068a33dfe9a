// Small grammar pieces shared by every part of the parser (parse.c's helpers): semicolons, host
// names, dotted and colon-separated numbers, ISC's number conversion with its range messages,
// IPv6 addresses, lease times, dates and base64 secrets.

import type { Cursor } from './parser-core.js';
import { isIdentifier, type Token } from './tokens.js';

/** parse_semi(): the next token must be ';'. */
export function parseSemi(p: Cursor): void {
  const tok = p.next();
  if (tok.t !== ';') p.fail('semicolon expected.');
}

/** parse_string(): STRING then ';'. */
export function parseStringSemi(p: Cursor): string {
  const tok = p.next();
  if (tok.t !== 'STRING') p.fail('expecting a string');
  parseSemi(p);
  return tok.text;
}

/** parse_host_name(): identifiers (or numbers) joined by dots; undefined when there is none. */
export function parseHostName(p: Cursor): string | undefined {
  const parts: string[] = [];
  let trailingDot = false;
  while (true) {
    const tok = p.peek();
    if (!isIdentifier(tok) && tok.t !== 'NUMBER') break;
    p.next();
    parts.push(tok.text);
    if (p.peek().t === '.') {
      p.next();
      trailingDot = true;
    } else {
      trailingDot = false;
      break;
    }
  }
  if (parts.length === 0) return undefined;
  return parts.join('.') + (trailingDot ? '.' : '');
}

/**
 * convert_num(): ISC's number conversion. Base 0 means "from the text" (0x.. hex, 0.. octal).
 * Values wrap to 32 bits as in C; a value over the field's maximum is an error with ISC's text.
 */
export function convertNum(p: Cursor, str: string, base: number, size: 8 | 16 | 32): number {
  let k = 0;
  let negative = false;
  if (str[0] === '-') {
    negative = true;
    k = 1;
  }
  if (base === 0) {
    if (str[k] === '0' && str[k + 1] === 'x') {
      base = 16;
      k += 2;
    } else if (str[k] === '0' && str[k + 1] !== undefined && /[0-9]/.test(str[k + 1]!)) {
      base = 8;
      k += 1;
    } else {
      base = 10;
    }
  }
  let val = 0;
  do {
    const ch = str.charCodeAt(k++);
    let d: number;
    if (ch >= 0x61) d = ch - 0x61 + 10;
    else if (ch >= 0x41) d = ch - 0x41 + 10;
    else if (ch >= 0x30) d = ch - 0x30;
    else {
      p.fail(`Bogus number: ${str}.`);
    }
    if (d >= base) p.fail(`Bogus number ${str}: digit ${d} not in base ${base}`);
    val = (val * base + d) % 0x100000000;
  } while (k < str.length);
  // ISC computes the maximum in a C int, so for 32 bits it wraps and never triggers.
  const max = negative ? 2 ** (size - 1) : 2 ** size - 1;
  if (size !== 32 && val > max) {
    const digits = base === 8 ? val.toString(8) : base === 16 ? val.toString(16) : String(val);
    p.fail(`${negative ? '-' : ''}${digits} exceeds max (${max}) for precision.`);
  }
  if (negative && size === 32 && val > 0x80000000) {
    p.fail(
      `-${base === 8 ? val.toString(8) : base === 16 ? val.toString(16) : val} exceeds max (-2147483648) for precision.`,
    );
  }
  return negative ? -val : val;
}

/**
 * parse_numeric_aggregate(): `count` numbers (any number when 0) separated by `sep`.
 * Base 16 also accepts NUMBER_OR_NAME tokens (`de:ad:be:ef`).
 */
export function parseNumericAggregate(
  p: Cursor,
  count: number,
  sep: string,
  base: number,
  size: 8 | 16 | 32,
): number[] {
  const out: number[] = [];
  do {
    if (out.length > 0) {
      const tok = p.peek();
      if (tok.t !== sep) {
        if (count === 0) break;
        if (tok.t !== '}' && tok.t !== '{') p.next();
        p.fail('too few numbers.');
      }
      p.next();
    }
    const tok = p.next();
    if (tok.t === 'EOF') p.fail('unexpected end of file');
    if (tok.t !== 'NUMBER' && (base !== 16 || tok.t !== 'NUMBER_OR_NAME')) p.fail('expecting numeric value.');
    out.push(convertNum(p, tok.text, base, size));
  } while (out.length !== count);
  return out;
}

/** parse_ip_addr(): four dotted decimal numbers, returned as canonical dotted quad. */
export function parseIpAddr(p: Cursor): string {
  return parseNumericAggregate(p, 4, '.', 10, 8).join('.');
}

/** parse_cshl(): colon-separated hex bytes. */
export function parseCshl(p: Cursor): Uint8Array {
  const out: number[] = [];
  while (true) {
    const tok = p.next();
    if (tok.t !== 'NUMBER' && tok.t !== 'NUMBER_OR_NAME') p.fail('expecting hexadecimal number.');
    out.push(convertNum(p, tok.text, 16, 8));
    if (p.peek().t !== ':') break;
    p.next();
  }
  return new Uint8Array(out);
}

/**
 * parse_ip_addr_or_hostname(): a dotted quad, or a host name to look up. A NUMBER followed by
 * '.' and another NUMBER is taken as an address (RFC 1123 allows all-digit host names).
 */
export function parseIpAddrOrHostname(p: Cursor): { address?: string; hostname?: string } {
  const tok = p.peek();
  if (tok.t === 'NUMBER' && p.peekAt(1).t === '.' && p.peekAt(2).t === 'NUMBER') {
    return { address: parseIpAddr(p) };
  }
  if (isIdentifier(tok) || tok.t === 'NUMBER') {
    const name = parseHostName(p);
    if (name !== undefined) return { hostname: name };
  }
  let t: Token = tok;
  if (tok.t !== '}' && tok.t !== '{') t = p.next();
  return p.fail(`${t.text} (${tokenNumber(t)}): expecting IP address or hostname`);
}

/** ISC prints a token's enum value in a few messages; punctuation is its character code. */
function tokenNumber(t: Token): number {
  if (t.t.length === 1) return t.t.charCodeAt(0);
  return t.t === 'STRING' ? 262 : t.t === 'NUMBER' ? 263 : t.t === 'NUMBER_OR_NAME' ? 264 : 0;
}

function isHexString(s: string): boolean {
  return /^[0-9a-fA-F]*$/.test(s);
}

/**
 * parse_ip6_addr(): ISC gathers adjacent numbers, hex names, colons and dots (stopping at
 * whitespace) and hands the text to inet_pton().
 */
export function parseIp6Addr(p: Cursor): string {
  let text = '';
  let first = true;
  while (true) {
    const tok = p.peek();
    if (!first && !p.adjacent()) break;
    const ok =
      ((tok.t === 'NAME' || tok.t === 'NUMBER_OR_NAME') && isHexString(tok.text)) ||
      tok.t === 'NUMBER' ||
      tok.t === 'add' ||
      tok.t === '.' ||
      tok.t === ':';
    if (!ok) break;
    p.next();
    text += tok.text;
    first = false;
    if (text.length >= 46) p.fail('Invalid IPv6 address.');
  }
  if (!isValidIp6(text)) p.fail('Invalid IPv6 address.');
  return text.toLowerCase();
}

export function isValidIp6(text: string): boolean {
  // Split an embedded IPv4 tail off first.
  let s = text;
  let groupsNeeded = 8;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = s.slice(lastColon + 1);
    if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(v4) || v4.split('.').some((o) => Number(o) > 255)) {
      return false;
    }
    s = `${s.slice(0, lastColon + 1)}0`;
    groupsNeeded = 7;
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const parts = (h: string) => (h === '' ? [] : h.split(':'));
  const groups = halves.flatMap(parts);
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length < groupsNeeded + 1 : groups.length === groupsNeeded;
}

/** parse_lease_time(): NUMBER ';' (seconds). */
export function parseLeaseTime(p: Cursor): number {
  const tok = p.next();
  if (tok.t !== 'NUMBER') p.fail('Expecting numeric lease time');
  const n = convertNum(p, tok.text, 10, 32);
  parseSemi(p);
  return n >>> 0;
}

const MONTH_DAYS = [31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** The fields of a date as written: `never`, `epoch N`, or `W YYYY/MM/DD HH:MM:SS [TZOFF]` (month 1-12). */
export type DateFields =
  | { kind: 'never' }
  | { kind: 'epoch'; seconds: number }
  | { kind: 'date'; year: number; month: number; mday: number; hour: number; min: number; sec: number; tzoff: number };

/**
 * The grammar of parse_date_core() with ISC's messages, without the conversion: dhcpd.conf keeps
 * ISC's arithmetic (parseDateCore), the lease reader its own calendar past 2038. The caller
 * consumes any ';'.
 */
export function parseDateFields(p: Cursor): DateFields {
  const tok = p.peek();
  if (tok.t === 'never') {
    p.next();
    return { kind: 'never' };
  }
  const num = (what: string): number => {
    const t = p.peek();
    if (t.t !== 'NUMBER') {
      if (t.t !== ';') p.next();
      p.fail(`${what} expected.`);
    }
    p.next();
    return Number.parseInt(t.text, 10);
  };
  const punct = (ch: string, what: string): void => {
    const t = p.peek();
    if (t.t !== ch) {
      if (t.t !== ';') p.next();
      p.fail(`expected ${what}.`);
    }
    p.next();
  };
  if (tok.t === 'epoch') {
    p.next();
    return { kind: 'epoch', seconds: num('Seconds since epoch') };
  }
  num('numeric day of week');
  const year = num('numeric year');
  punct('/', 'slash separating year from month');
  const month = num('numeric month');
  punct('/', 'slash separating month from day');
  const mday = num('numeric day of month');
  const hour = num('numeric hour');
  punct(':', 'colon separating hour from minute');
  const min = num('numeric minute');
  punct(':', 'colon separating minute from second');
  const sec = num('numeric second');
  let tzoff = 0;
  const t = p.peek();
  if (t.t === 'NUMBER') {
    tzoff = Number.parseInt(p.next().text, 10);
  } else if (t.t !== ';') {
    p.next();
    p.fail('Time zone offset or semicolon expected.');
  }
  return { kind: 'date', year, month, mday, hour, min, sec, tzoff };
}

/**
 * parse_date_core(): seconds since the epoch (0xffffffff for never, and for years from 2038 as
 * ISC does). The caller consumes any ';'.
 */
export function parseDateCore(p: Cursor): number {
  const d = parseDateFields(p);
  if (d.kind === 'never') return 0xffffffff;
  if (d.kind === 'epoch') return d.seconds;
  const year = d.year > 1900 ? d.year - 1900 : d.year;
  const mon = d.month - 1;
  if (year >= 138) return 0xffffffff;
  // ISC's own arithmetic (no time zone library).
  const days =
    365 * (year - 70) +
    Math.trunc((year - 69) / 4) +
    (mon > 0 ? (MONTH_DAYS[mon - 1] ?? 0) : 0) +
    (mon > 1 && ((year - 72) & 3) === 0 ? 1 : 0) +
    d.mday -
    1;
  return ((days * 24 + d.hour) * 60 + d.min) * 60 + d.sec + d.tzoff;
}

const FROM64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  .split('')
  .reduce<Record<string, number>>((acc, ch, idx) => {
    acc[ch] = idx;
    return acc;
  }, {});

function isBase64Char(ch: string): boolean {
  return ch === '=' || FROM64[ch] !== undefined;
}

/**
 * parse_base64(): a key secret, possibly split by the lexer into several tokens (a '+' or '/'
 * ends a token), with ISC's messages for bad characters and leftover bits.
 */
export function parseBase64(p: Cursor): Uint8Array {
  const parts: string[] = [];
  while (true) {
    parts.push(p.next().text);
    const nextText = p.peek().text;
    let valid = true;
    for (const ch of nextText) {
      const code = ch.charCodeAt(0);
      if (code < 0x20 || code > 0x7a || !isBase64Char(ch)) {
        valid = false;
        break;
      }
    }
    if (!valid || nextText.length === 0) break;
  }
  const out: number[] = [];
  let acc = 0;
  let k = 0;
  let terminated = false;
  for (const part of parts) {
    for (let idx = 0; idx < part.length; idx++) {
      const ch = part[idx]!;
      const code = part.charCodeAt(idx);
      if (terminated && ch !== '=') p.fail(`stuff after base64 '=' terminator: ${part.slice(idx)}.`);
      if (code < 0x20 || code > 0x7a) p.fail(`invalid base64 character ${signedChar(code)}.`);
      if (ch === '=') {
        terminated = true;
      } else {
        const v = FROM64[ch];
        if (v === undefined) p.fail(`invalid base64 character ${signedChar(code)}.`);
        acc = (acc << 6) + v;
        switch (k % 4) {
          case 1:
            out.push((acc >> 4) & 0xff);
            acc &= 0x0f;
            break;
          case 2:
            out.push((acc >> 2) & 0xff);
            acc &= 0x03;
            break;
          case 3:
            out.push(acc & 0xff);
            acc = 0;
            break;
        }
      }
      k++;
    }
  }
  if (k % 4 !== 0 && acc !== 0) p.fail(`partial base64 value left over: ${acc}.`);
  return new Uint8Array(out);
}

/** ISC prints the offending char as a (signed) C char. */
function signedChar(code: number): number {
  return code > 127 ? code - 256 : code;
}
