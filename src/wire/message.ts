// The BOOTP/DHCP message as the rest of Leasehold sees it: header fields as numbers, options as
// one concatenated value per code (RFC 3396), in the order the codes first appeared.

import { OVERLOAD_FILE, OVERLOAD_SNAME, type Overload } from './constants.js';

/** The fixed header (RFC 2131 section 2). Addresses are unsigned 32-bit numbers (see ip.ts). */
export interface MessageHeader {
  op: number;
  htype: number;
  /** How many bytes of chaddr are meaningful. */
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** All 16 bytes as received; see hardwareAddress(). */
  chaddr: Uint8Array;
  /** All 64 bytes as received. Holds options, not a name, when `overload & 2`. */
  sname: Uint8Array;
  /** All 128 bytes as received. Holds options, not a file name, when `overload & 1`. */
  file: Uint8Array;
}

/**
 * What the vendor area held: the DHCP/RFC 1497 magic cookie (options were parsed), nothing at all
 * (a 236-239 byte BOOTP message), or something else (a BOOTP vendor area in another format).
 */
export type CookieKind = 'dhcp' | 'absent' | 'other';

export interface DhcpMessage extends MessageHeader {
  cookie: CookieKind;
  /**
   * Option data by code, after RFC 3396 concatenation across the options field, then `file`, then
   * `sname` (when option 52 says so). Iteration order is the order codes first appeared. Pad, end and
   * the overload option itself (52, see `overload`) are framing and are not listed.
   */
  options: Map<number, Uint8Array>;
  /** Option 52's value: bit 1 = `file` carried options, bit 2 = `sname` did. 0 when absent. */
  overload: Overload;
  /** The raw vendor area when `cookie` is not 'dhcp' (empty when absent); undefined for DHCP messages. */
  vendor?: Uint8Array;
  /** Length in bytes of the message as received. */
  size: number;
}

/**
 * A message to encode. Omitted numbers are 0, omitted byte fields are all zeros; `hlen` defaults to
 * chaddr's length. A decoded DhcpMessage is a valid OutgoingMessage: fields its `overload` marks as
 * carrying options are treated as empty, never re-sent as names.
 */
export interface OutgoingMessage {
  op: number;
  htype?: number;
  hlen?: number;
  hops?: number;
  xid?: number;
  secs?: number;
  flags?: number;
  ciaddr?: number;
  yiaddr?: number;
  siaddr?: number;
  giaddr?: number;
  /** Up to 16 bytes. */
  chaddr?: Uint8Array;
  /** Up to 64 bytes; a server name occupies the field and keeps it out of overload. */
  sname?: Uint8Array;
  /** Up to 128 bytes; a boot file name occupies the field and keeps it out of overload. */
  file?: Uint8Array;
  /** Fields flagged here held options in a decoded message: they count as empty. */
  overload?: number;
  /**
   * Options in priority order: (code, data) pairs or a Map. Data longer than 255 bytes is split into
   * consecutive instances (RFC 3396). A code listed twice is sent as the concatenation. Code 52 is
   * ignored (the encoder decides overload); codes 0 and 255 and codes above 255 are refused.
   */
  options?: Iterable<readonly [number, Uint8Array]>;
  /** A raw BOOTP vendor area sent instead of cookie + options (for non-RFC 1497 BOOTP). */
  vendor?: Uint8Array;
}

/** The meaningful part of chaddr: its first min(hlen, 16) bytes. */
export function hardwareAddress(message: Pick<MessageHeader, 'chaddr' | 'hlen'>): Uint8Array {
  return message.chaddr.subarray(0, Math.min(message.hlen, message.chaddr.length));
}

/** True when `file` holds a boot file name (or nothing), false when it carried options. */
export function fileIsName(message: Pick<DhcpMessage, 'overload'>): boolean {
  return (message.overload & OVERLOAD_FILE) === 0;
}

export function snameIsName(message: Pick<DhcpMessage, 'overload'>): boolean {
  return (message.overload & OVERLOAD_SNAME) === 0;
}

/**
 * sname/file as text: bytes up to the first NUL, read as Latin-1 so that every byte maps to one
 * character. Returns '' for a field that carried options.
 */
export function fieldText(field: Uint8Array, carriesOptions = false): string {
  if (carriesOptions) return '';
  const end = field.indexOf(0);
  return Buffer.from(field.buffer, field.byteOffset, end < 0 ? field.length : end).toString('latin1');
}

/** Text -> NUL-padded bytes for sname/file. Refuses text that does not fit with its terminating NUL. */
export function textField(text: string, size: number): Uint8Array {
  const bytes = Buffer.from(text, 'latin1');
  if (bytes.length >= size) throw new RangeError(`"${text}" needs ${bytes.length + 1} bytes, the field has ${size}`);
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

/** True when every byte is zero: the field names nothing. */
export function isEmptyField(field: Uint8Array | undefined): boolean {
  if (field === undefined) return true;
  for (let i = 0; i < field.length; i++) if (field[i] !== 0) return false;
  return true;
}
