// OMAPI on the wire, as ISC DHCP 4.4.3's omapip library speaks it (omapip/protocol.c, buffer.c). Pure functions:
// encoders build bytes, decoders never throw - a malformed input comes back as a WireError naming its cause.
//
// A connection starts with each side sending an introduction: two 32-bit network-order integers, the protocol
// version (100) and the size of its message header (24). Then messages, each:
//
//   authid  u32   handle (on the receiver's side) of the authenticator that signed the message, 0 = unsigned
//   authlen u32   length of the signature at the end of the message, 0 = unsigned
//   op      u32   1 open, 2 refresh, 3 update, 4 notify, 5 status, 6 delete
//   handle  u32   handle of the object operated on, or 0
//   id      u32   transaction id of this message
//   rid     u32   id of the message this one answers, or 0
//   (header size - 24 bytes the receiver skips, when the sender announced a larger header)
//   message values   name-value pairs about the message (type, create, exclusive, result, message ...)
//   u16 0            end of the message values
//   object values    name-value pairs of the object (the host's or lease's attributes)
//   u16 0            end of the object values
//   signature        authlen bytes
//
// A name-value pair is a u16 name length (never 0: a 0 is the terminator), the name, a u32 value length and the
// value. A value of length 0 is a "null" value: in an update it asks for the attribute to be removed. Integers
// are 4-byte network-order values, strings are their bytes (no NUL), handles are 4-byte integers.
//
// What is signed: every byte of the message after authid, up to the signature - except the extra header bytes a
// receiver skips (ISC reads them without feeding its signing context).

export const OMAPI_PROTOCOL_VERSION = 100;
export const OMAPI_HEADER_SIZE = 24;
/** The size of the introduction message. */
export const OMAPI_INTRO_SIZE = 8;
/** The default port of `omapi-port` (omapip.h OMAPI_PROTOCOL_PORT). */
export const OMAPI_DEFAULT_PORT = 7911;

/** Opcodes (omapip_p.h). ISC 4.4.3 has no others (no notify-cancel). */
export const OP = {
  open: 1,
  refresh: 2,
  update: 3,
  notify: 4,
  status: 5,
  delete: 6,
} as const;
export type OpName = keyof typeof OP;

const OP_NAMES: Record<number, OpName> = {
  1: 'open',
  2: 'refresh',
  3: 'update',
  4: 'notify',
  5: 'status',
  6: 'delete',
};

/** The name of an opcode, or undefined for one ISC does not define. */
export function opName(op: number): OpName | undefined {
  return OP_NAMES[op];
}

/** A name-value pair. The name is kept as a latin1 string (byte-exact); `null` is a zero-length value. */
export interface NameValue {
  readonly name: string;
  readonly value: Uint8Array | null;
}

export interface OmapiMessage {
  readonly authid: number;
  readonly op: number;
  readonly handle: number;
  readonly id: number;
  readonly rid: number;
  readonly message: readonly NameValue[];
  readonly object: readonly NameValue[];
  /** authlen bytes; empty when unsigned. */
  readonly signature: Uint8Array;
}

export type WireErrorCause =
  | 'bad-version'
  | 'bad-header-size'
  | 'bad-authlen'
  | 'value-too-long'
  | 'message-too-large'
  | 'too-many-values';

export interface WireError {
  readonly cause: WireErrorCause;
  readonly detail: string;
}

export interface Intro {
  readonly version: number;
  readonly headerSize: number;
}

export type IntroResult =
  | { readonly kind: 'incomplete'; readonly need: number }
  | { readonly kind: 'error'; readonly error: WireError }
  | { readonly kind: 'intro'; readonly intro: Intro; readonly end: number };

export type MessageResult =
  | { readonly kind: 'incomplete'; readonly need: number }
  | { readonly kind: 'error'; readonly error: WireError }
  | {
      readonly kind: 'message';
      readonly message: OmapiMessage;
      /** Offset just past the message. */
      readonly end: number;
      /** The bytes the signature covers (see the opening comment). */
      readonly signed: Uint8Array;
    };

export interface DecodeLimits {
  /** Largest whole message accepted, header and signature included (default 256 KiB). */
  readonly maxMessageBytes?: number;
  /** Largest header size an introduction may announce (default 1024). */
  readonly maxHeaderSize?: number;
  /** Largest signature (default 64: HMAC-SHA512). */
  readonly maxAuthLen?: number;
  /** Most name-value pairs in one message, both lists together (default 10,000). */
  readonly maxValues?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;
const DEFAULT_MAX_HEADER_SIZE = 1024;
const DEFAULT_MAX_AUTHLEN = 64;
const DEFAULT_MAX_VALUES = 10_000;

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function bytesToName(b: Uint8Array): string {
  // Byte by byte: TextDecoder's 'latin1' is windows-1252, which would not round-trip.
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
function nameToBytes(name: string): Uint8Array {
  const out = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) out[i] = name.charCodeAt(i) & 0xff;
  return out;
}

/** Decodes an introduction at `offset`. */
export function decodeIntro(buf: Uint8Array, offset = 0, limits: DecodeLimits = {}): IntroResult {
  if (buf.length - offset < OMAPI_INTRO_SIZE) return { kind: 'incomplete', need: offset + OMAPI_INTRO_SIZE };
  const version = u32(buf, offset);
  const headerSize = u32(buf, offset + 4);
  if (version !== OMAPI_PROTOCOL_VERSION) {
    return { kind: 'error', error: { cause: 'bad-version', detail: `protocol version ${version}, not 100` } };
  }
  const max = limits.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  if (headerSize < OMAPI_HEADER_SIZE || headerSize > max) {
    return {
      kind: 'error',
      error: { cause: 'bad-header-size', detail: `header size ${headerSize}, not within ${OMAPI_HEADER_SIZE}..${max}` },
    };
  }
  return { kind: 'intro', intro: { version, headerSize }, end: offset + OMAPI_INTRO_SIZE };
}

/**
 * Decodes one message at `offset`, the peer having announced `headerSize`. Returns `incomplete` with the total
 * length the buffer needs before another attempt can get further, an error, or the message.
 */
export function decodeMessage(
  buf: Uint8Array,
  offset: number,
  headerSize: number = OMAPI_HEADER_SIZE,
  limits: DecodeLimits = {},
): MessageResult {
  const maxBytes = limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const maxAuth = limits.maxAuthLen ?? DEFAULT_MAX_AUTHLEN;
  const maxValues = limits.maxValues ?? DEFAULT_MAX_VALUES;
  const limit = offset + maxBytes;
  const tooLarge = (need: number): MessageResult => ({
    kind: 'error',
    error: { cause: 'message-too-large', detail: `message of at least ${need - offset} bytes, over ${maxBytes}` },
  });
  if (headerSize < OMAPI_HEADER_SIZE) {
    return { kind: 'error', error: { cause: 'bad-header-size', detail: `header size ${headerSize}` } };
  }
  if (offset + headerSize > limit) return tooLarge(offset + headerSize);
  if (buf.length < offset + headerSize) return { kind: 'incomplete', need: offset + headerSize };
  const authid = u32(buf, offset);
  const authlen = u32(buf, offset + 4);
  const op = u32(buf, offset + 8);
  const handle = u32(buf, offset + 12);
  const id = u32(buf, offset + 16);
  const rid = u32(buf, offset + 20);
  if (authlen > maxAuth) {
    return {
      kind: 'error',
      error: { cause: 'bad-authlen', detail: `authenticator length ${authlen}, over ${maxAuth}` },
    };
  }
  let at = offset + headerSize;
  const lists: NameValue[][] = [[], []];
  let count = 0;
  for (const list of lists) {
    for (;;) {
      if (at + 2 > limit) return tooLarge(at + 2);
      if (buf.length < at + 2) return { kind: 'incomplete', need: at + 2 };
      const nlen = u16(buf, at);
      at += 2;
      if (nlen === 0) break;
      if (++count > maxValues) {
        return { kind: 'error', error: { cause: 'too-many-values', detail: `more than ${maxValues} values` } };
      }
      if (at + nlen + 4 > limit) return tooLarge(at + nlen + 4);
      if (buf.length < at + nlen + 4) return { kind: 'incomplete', need: at + nlen + 4 };
      const name = bytesToName(buf.subarray(at, at + nlen));
      at += nlen;
      const vlen = u32(buf, at);
      at += 4;
      if (vlen > maxBytes) {
        return {
          kind: 'error',
          error: {
            cause: 'value-too-long',
            detail: `value of ${JSON.stringify(name)} is ${vlen} bytes, over ${maxBytes}`,
          },
        };
      }
      if (at + vlen > limit) return tooLarge(at + vlen);
      if (buf.length < at + vlen) return { kind: 'incomplete', need: at + vlen };
      list.push({ name, value: vlen === 0 ? null : buf.slice(at, at + vlen) });
      at += vlen;
    }
  }
  const sigStart = at;
  if (at + authlen > limit) return tooLarge(at + authlen);
  if (buf.length < at + authlen) return { kind: 'incomplete', need: at + authlen };
  const signature = buf.slice(at, at + authlen);
  at += authlen;
  const head = buf.subarray(offset + 4, offset + OMAPI_HEADER_SIZE);
  const body = buf.subarray(offset + headerSize, sigStart);
  const signed = new Uint8Array(head.length + body.length);
  signed.set(head, 0);
  signed.set(body, head.length);
  return {
    kind: 'message',
    message: { authid, op, handle, id, rid, message: lists[0]!, object: lists[1]!, signature },
    end: at,
    signed,
  };
}

/** The introduction this side sends. */
export function encodeIntro(version = OMAPI_PROTOCOL_VERSION, headerSize = OMAPI_HEADER_SIZE): Uint8Array {
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, version >>> 0);
  dv.setUint32(4, headerSize >>> 0);
  return out;
}

/** Computes a signature over the signed bytes of a message; `length` is known before the message is built. */
export interface Signer {
  readonly length: number;
  sign(data: Uint8Array): Uint8Array;
}

export interface OutgoingMessage {
  readonly authid?: number;
  readonly op: number;
  readonly handle?: number;
  readonly id: number;
  readonly rid?: number;
  readonly message?: readonly NameValue[];
  readonly object?: readonly NameValue[];
}

function listSize(list: readonly NameValue[]): number {
  let n = 2;
  for (const v of list) n += 2 + v.name.length + 4 + (v.value?.length ?? 0);
  return n;
}

/**
 * Encodes a message with a 24-byte header. With a signer, authlen is the signer's length and the signature over
 * the signed bytes ends the message; without one, authid and authlen are written as given (default 0) and no
 * signature follows - which lets tests build messages that lie about their lengths.
 */
export function encodeMessage(m: OutgoingMessage, signer?: Signer, rawAuthlen = 0): Uint8Array {
  const msg = m.message ?? [];
  const obj = m.object ?? [];
  const authlen = signer ? signer.length : rawAuthlen;
  const bodyLen = OMAPI_HEADER_SIZE + listSize(msg) + listSize(obj);
  const out = new Uint8Array(bodyLen + (signer ? signer.length : 0));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, (m.authid ?? 0) >>> 0);
  dv.setUint32(4, authlen >>> 0);
  dv.setUint32(8, m.op >>> 0);
  dv.setUint32(12, (m.handle ?? 0) >>> 0);
  dv.setUint32(16, m.id >>> 0);
  dv.setUint32(20, (m.rid ?? 0) >>> 0);
  let at = OMAPI_HEADER_SIZE;
  for (const list of [msg, obj]) {
    for (const v of list) {
      if (v.name.length === 0 || v.name.length > 0xffff) continue; // not representable: a 0 would end the list
      dv.setUint16(at, v.name.length);
      at += 2;
      out.set(nameToBytes(v.name), at);
      at += v.name.length;
      const len = v.value?.length ?? 0;
      dv.setUint32(at, len);
      at += 4;
      if (v.value) out.set(v.value, at);
      at += len;
    }
    dv.setUint16(at, 0);
    at += 2;
  }
  if (signer) out.set(signer.sign(out.subarray(4, at)).subarray(0, signer.length), at);
  return at === bodyLen ? out : out.slice(0, at + (signer ? signer.length : 0));
}

// ---- value helpers (ISC's encodings)

/** A 4-byte network-order integer value. */
export function u32Value(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

/** A string value: its UTF-8 bytes, no terminator. */
export function stringValue(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Reads a 4-byte integer value; undefined when the value is not exactly 4 bytes (ISC's omapi_get_int_value). */
export function readU32(v: Uint8Array | null | undefined): number | undefined {
  if (!v || v.length !== 4) return undefined;
  return u32(v, 0);
}

/** Reads a string value (UTF-8, invalid bytes replaced). */
export function readString(v: Uint8Array | null | undefined): string | undefined {
  return v ? new TextDecoder().decode(v) : undefined;
}

/** The value of the last pair named `name` (a later pair replaces an earlier one, as ISC's generic object does). */
export function findValue(list: readonly NameValue[], name: string): NameValue | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.name === name) return list[i];
  return undefined;
}

/** The pairs with later duplicates replacing earlier ones, in first-seen order (ISC's generic object). */
export function dedupeValues(list: readonly NameValue[]): NameValue[] {
  const index = new Map<string, number>();
  const out: NameValue[] = [];
  for (const v of list) {
    const at = index.get(v.name);
    if (at === undefined) {
      index.set(v.name, out.length);
      out.push(v);
    } else out[at] = v;
  }
  return out;
}
