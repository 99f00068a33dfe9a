// bytes -> DhcpMessage. Never throws: every read is bounds-checked against the received length, and a
// bad packet becomes a typed cause the daemon counts and logs once per cause.
//
// Leniency follows ISC dhcpd and Kea: a message of 236+ bytes is accepted; no magic cookie means a
// BOOTP message without RFC 1497 options (ISC's "options_valid = 0"), a missing END is fine, bytes after
// END are ignored. An option whose length runs past its field is fatal, as in ISC (Kea drops only the
// truncated tail, but a length that lies about the bytes means the packet is damaged).

import {
  BOOTP_HEADER_SIZE,
  BOOTREPLY,
  BOOTREQUEST,
  CHADDR_SIZE,
  FILE_SIZE,
  MAGIC_COOKIE,
  OFFSET,
  OPT_END,
  OPT_OVERLOAD,
  OPT_PAD,
  type Overload,
  SNAME_SIZE,
} from './constants.js';
import type { CookieKind, DhcpMessage } from './message.js';

export type DecodeErrorCause =
  /** Shorter than the 236-byte BOOTP header. */
  | 'too-short'
  /** op is neither BOOTREQUEST (1) nor BOOTREPLY (2). */
  | 'bad-op'
  /** hlen above 16, the size of chaddr (ISC: "Discarding packet with invalid hlen"). */
  | 'bad-hlen'
  /** No magic cookie although the caller required DHCP (DecodeOptions.requireCookie). */
  | 'bad-cookie'
  /** An option's length byte is missing or its data runs past the end of its field. */
  | 'option-overrun'
  /** Option 52 is not one byte of value 1, 2 or 3. */
  | 'bad-overload'
  /** A bug in this decoder; never expected (the fuzz tests look for it). */
  | 'internal';

export interface DecodeError {
  cause: DecodeErrorCause;
  detail: string;
}

export type DecodeResult = { ok: true; message: DhcpMessage } | { ok: false; error: DecodeError };

export interface DecodeOptions {
  /** Refuse messages without the DHCP magic cookie (a DHCP client has no use for BOOTP replies). */
  requireCookie?: boolean;
  /**
   * The caller hands the bytes over (a fresh buffer per packet, never reused or changed afterwards): the
   * message keeps views of them instead of a copy.
   */
  adopt?: boolean;
}

class DecodeFailure {
  constructor(readonly error: DecodeError) {}
}

function fail(cause: DecodeErrorCause, detail: string): never {
  throw new DecodeFailure({ cause, detail });
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/**
 * Appends (code, start, end) triples for each option in buf[start, end) to `segments`. Stops at END or
 * at the end of the field.
 */
function scanField(buf: Uint8Array, start: number, end: number, field: string, segments: number[]): void {
  let i = start;
  while (i < end) {
    const code = buf[i]!;
    if (code === OPT_PAD) {
      i++;
      continue;
    }
    if (code === OPT_END) return;
    if (i + 1 >= end) fail('option-overrun', `option ${code} at ${field}[${i - start}] has no length byte`);
    const len = buf[i + 1]!;
    const dataStart = i + 2;
    if (dataStart + len > end) {
      fail('option-overrun', `option ${code} at ${field}[${i - start}] claims ${len} bytes, ${end - dataStart} remain`);
    }
    segments.push(code, dataStart, dataStart + len);
    i = dataStart + len;
  }
}

// Per-code scratch for concatenation; decode is synchronous, so one set serves every call.
const totals = new Int32Array(256);
const counts = new Int32Array(256);
const filled = new Int32Array(256);

/** Joins the instances of each code in segment order (RFC 3396 section 6). */
function collect(buf: Uint8Array, segments: number[]): Map<number, Uint8Array> {
  for (let s = 0; s < segments.length; s += 3) {
    const code = segments[s]!;
    totals[code] = 0;
    counts[code] = 0;
    filled[code] = 0;
  }
  for (let s = 0; s < segments.length; s += 3) {
    const code = segments[s]!;
    totals[code]! += segments[s + 2]! - segments[s + 1]!;
    counts[code]!++;
  }
  const options = new Map<number, Uint8Array>();
  for (let s = 0; s < segments.length; s += 3) {
    const code = segments[s]!;
    if (code === OPT_OVERLOAD) continue;
    const data = buf.subarray(segments[s + 1]!, segments[s + 2]!);
    if (counts[code] === 1) {
      options.set(code, data);
      continue;
    }
    let joined = options.get(code);
    if (joined === undefined) {
      joined = new Uint8Array(totals[code]!);
      options.set(code, joined);
    }
    joined.set(data, filled[code]!);
    filled[code]! += data.length;
  }
  return options;
}

function readOverload(buf: Uint8Array, segments: number[]): Overload {
  let seen = false;
  let length = 0;
  let value = 0;
  for (let s = 0; s < segments.length; s += 3) {
    if (segments[s] !== OPT_OVERLOAD) continue;
    const start = segments[s + 1]!;
    const len = segments[s + 2]! - start;
    if (length === 0 && len > 0) value = buf[start]!;
    seen = true;
    length += len;
  }
  if (!seen) return 0;
  if (length !== 1 || value < 1 || value > 3) {
    fail(
      'bad-overload',
      `option 52 must be one byte 1-3, got ${length} byte(s)${length > 0 ? ` starting ${value}` : ''}`,
    );
  }
  return value as Overload;
}

function decodeUnchecked(input: Uint8Array, options: DecodeOptions): DhcpMessage {
  if (input.length < BOOTP_HEADER_SIZE) {
    fail('too-short', `${input.length} bytes, a BOOTP header needs ${BOOTP_HEADER_SIZE}`);
  }
  // One copy, so the message owns its bytes even when the caller reuses its buffer — unless handed over.
  const buf = options.adopt ? input : new Uint8Array(input);
  const op = buf[OFFSET.op]!;
  if (op !== BOOTREQUEST && op !== BOOTREPLY) fail('bad-op', `op ${op} is neither BOOTREQUEST nor BOOTREPLY`);
  const hlen = buf[OFFSET.hlen]!;
  if (hlen > CHADDR_SIZE) fail('bad-hlen', `hlen ${hlen} exceeds the ${CHADDR_SIZE}-byte chaddr field`);

  let cookie: CookieKind = 'absent';
  if (buf.length >= OFFSET.options) cookie = u32(buf, OFFSET.cookie) === MAGIC_COOKIE ? 'dhcp' : 'other';
  else if (buf.length > BOOTP_HEADER_SIZE) cookie = 'other';
  if (cookie !== 'dhcp' && options.requireCookie) {
    const seen = Array.from(buf.subarray(OFFSET.cookie, OFFSET.cookie + 4)).join('.');
    fail('bad-cookie', seen ? `vendor area starts ${seen}, not 99.130.83.99` : 'no vendor area');
  }

  let overload: Overload = 0;
  let optionMap = new Map<number, Uint8Array>();
  if (cookie === 'dhcp') {
    const segments: number[] = [];
    scanField(buf, OFFSET.options, buf.length, 'options', segments);
    // Only the options field may say which other fields hold options; collect() skips every 52.
    overload = readOverload(buf, segments);
    // RFC 2131 section 4.1 / RFC 3396: options field, then file, then sname.
    if (overload & 1) scanField(buf, OFFSET.file, OFFSET.file + FILE_SIZE, 'file', segments);
    if (overload & 2) scanField(buf, OFFSET.sname, OFFSET.sname + SNAME_SIZE, 'sname', segments);
    optionMap = collect(buf, segments);
  }

  const message: DhcpMessage = {
    op,
    htype: buf[OFFSET.htype]!,
    hlen,
    hops: buf[OFFSET.hops]!,
    xid: u32(buf, OFFSET.xid),
    secs: u16(buf, OFFSET.secs),
    flags: u16(buf, OFFSET.flags),
    ciaddr: u32(buf, OFFSET.ciaddr),
    yiaddr: u32(buf, OFFSET.yiaddr),
    siaddr: u32(buf, OFFSET.siaddr),
    giaddr: u32(buf, OFFSET.giaddr),
    chaddr: buf.subarray(OFFSET.chaddr, OFFSET.chaddr + CHADDR_SIZE),
    sname: buf.subarray(OFFSET.sname, OFFSET.sname + SNAME_SIZE),
    file: buf.subarray(OFFSET.file, OFFSET.file + FILE_SIZE),
    cookie,
    options: optionMap,
    overload,
    size: buf.length,
  };
  if (cookie !== 'dhcp') message.vendor = buf.subarray(BOOTP_HEADER_SIZE);
  return message;
}

/** Decodes a BOOTP/DHCP message (the UDP payload). Never throws. */
export function decodeMessage(bytes: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  try {
    return { ok: true, message: decodeUnchecked(bytes, options) };
  } catch (e) {
    if (e instanceof DecodeFailure) return { ok: false, error: e.error };
    return { ok: false, error: { cause: 'internal', detail: String(e) } };
  }
}
