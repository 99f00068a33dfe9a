// The failover protocol on the wire, as ISC dhcpd 4.4.3 speaks it (draft-ietf-dhc-failover-12 as implemented in
// server/failover.c, server/stables.c, includes/failover.h). Pure: no I/O, no clock; encodeMessage and
// decodeMessage throw FailoverWireError naming what is wrong, and MessageFramer cuts a TCP stream into messages.
//
// A message is a 12-byte header then options, every integer in network order:
//
//   length  u16   whole message, header included; ISC accepts 12..2048 and drops the connection otherwise
//   type    u8    1 POOLREQ ... 12 DISCONNECT
//   payoff  u8    where the options start; ISC sends 12 and skips any extra header bytes a peer announces
//   time    u32   the sender's clock (seconds since the epoch) when it sent the message
//   xid     u32   transaction id; an answer (BNDACK, CONNECTACK, POOLRESP) echoes the request's
//   options       code u16, length u16, data - in the order ISC's senders write them (not sorted)
//
// Decoding follows do_a_failover_option: an unknown code is skipped (kept in `unknown`), an option ISC does not use
// in this message type (stables.c fto_allowed) is skipped unchecked (kept in `ignored`), a known option may appear
// once, and a fixed-size option must have exactly its size. What ISC would read from a message this decoder reads
// the same way; what ISC rejects it rejects, except for the few differences listed at decodeMessage.

export const FAILOVER_PROTOCOL_VERSION = 1;
export const FAILOVER_DEFAULT_PORT = 647;
export const FAILOVER_HEADER_SIZE = 12;
export const FAILOVER_MIN_MESSAGE_SIZE = 12;
export const FAILOVER_MAX_MESSAGE_SIZE = 2048;
/** The hash bucket assignment ISC requires in a CONNECT: 256 bits. */
export const FAILOVER_HBA_SIZE = 32;

/** Message types (failover.h FTM_*). */
export const MSG = {
  POOLREQ: 1,
  POOLRESP: 2,
  BNDUPD: 3,
  BNDACK: 4,
  CONNECT: 5,
  CONNECTACK: 6,
  UPDREQALL: 7,
  UPDDONE: 8,
  UPDREQ: 9,
  STATE: 10,
  CONTACT: 11,
  DISCONNECT: 12,
} as const;

/** Option codes (failover.h FTO_*). */
export const OPT = {
  ADDRESSES_TRANSFERRED: 1,
  ASSIGNED_IP_ADDRESS: 2,
  BINDING_STATUS: 3,
  CLIENT_IDENTIFIER: 4,
  CHADDR: 5,
  CLTT: 6,
  REPLY_OPTIONS: 7,
  REQUEST_OPTIONS: 8,
  DDNS: 9,
  DELAYED_SERVICE: 10,
  HBA: 11,
  IP_FLAGS: 12,
  LEASE_EXPIRY: 13,
  MAX_UNACKED: 14,
  MCLT: 15,
  MESSAGE: 16,
  MESSAGE_DIGEST: 17,
  POTENTIAL_EXPIRY: 18,
  RECEIVE_TIMER: 19,
  PROTOCOL_VERSION: 20,
  REJECT_REASON: 21,
  RELATIONSHIP_NAME: 22,
  SERVER_FLAGS: 23,
  SERVER_STATE: 24,
  STOS: 25,
  TLS_REPLY: 26,
  TLS_REQUEST: 27,
  VENDOR_CLASS: 28,
  VENDOR_OPTIONS: 29,
} as const;

/** Reject reasons (failover.h FTR_*). */
export const REJECT = {
  ILLEGAL_IP_ADDR: 1,
  FATAL_CONFLICT: 2,
  MISSING_BINDINFO: 3,
  TIMEMISMATCH: 4,
  INVALID_MCLT: 5,
  MISC_REJECT: 6,
  DUP_CONNECTION: 7,
  INVALID_PARTNER: 8,
  TLS_UNSUPPORTED: 9,
  TLS_UNCONFIGURED: 10,
  TLS_REQUIRED: 11,
  DIGEST_UNSUPPORTED: 12,
  DIGEST_UNCONFIGURED: 13,
  VERSION_MISMATCH: 14,
  OUTDATED_BIND_INFO: 15,
  LESS_CRIT_BIND_INFO: 16,
  NO_TRAFFIC: 17,
  HBA_CONFLICT: 18,
  IP_NOT_RESERVED: 19,
  IP_DIGEST_FAILURE: 20,
  IP_MISSING_DIGEST: 21,
  UNKNOWN: 254,
} as const;

/** Failover states (failover.h enum failover_state); UNKNOWN_STATE is ISC's, not the draft's. */
export const FO_STATE = {
  UNKNOWN_STATE: 0,
  STARTUP: 1,
  NORMAL: 2,
  COMMUNICATIONS_INTERRUPTED: 3,
  PARTNER_DOWN: 4,
  POTENTIAL_CONFLICT: 5,
  RECOVER: 6,
  PAUSED: 7,
  SHUTDOWN: 8,
  RECOVER_DONE: 9,
  RESOLUTION_INTERRUPTED: 10,
  CONFLICT_DONE: 11,
  /** Not numbered by draft 12; ISC has used 254 since 3.0. */
  RECOVER_WAIT: 254,
} as const;

/** Binding status, the lease's binding state as ISC sends it (dhcpd.h FTS_*). */
export const BINDING = {
  FREE: 1,
  ACTIVE: 2,
  EXPIRED: 3,
  RELEASED: 4,
  ABANDONED: 5,
  RESET: 6,
  BACKUP: 7,
} as const;

/** server-flags bits (FTF_SERVER_*). */
export const SERVER_FLAG = { STARTUP: 1 } as const;
/** IP-flags bits (FTF_IP_FLAG_*). */
export const IP_FLAG = { RESERVE: 0x0001, BOOTP: 0x0002 } as const;
/** DDNS flags bits (FTF_DDNS_*), "really their names". */
export const DDNS_FLAG = { C: 0x0001, A: 0x0002, D: 0x0004, P: 0x0008 } as const;
/** message-digest type codes (FTT_MESSAGE_DIGEST_*). */
export const DIGEST_TYPE = { HMAC_MD5: 0x01 } as const;

export interface Chaddr {
  /** The ARP hardware type (1 = Ethernet), the first byte of the option. */
  htype: number;
  /** The hardware address, at most 16 bytes (ISC's hbuf holds 17 with the type). */
  address: Uint8Array;
}

/** The DDNS option: a 16-bit flags field (DDNS_FLAG) then the client's FQDN, as ISC's parser lays it out. */
export interface Ddns {
  flags: number;
  name: string;
}

export interface RawOption {
  code: number;
  data: Uint8Array;
}

export interface FailoverMessage {
  type: number;
  time: number;
  xid: number;
  addressesTransferred?: number;
  /** IPv4 address as an unsigned 32-bit number (192.0.2.1 = 0xc0000201). */
  assignedIpAddress?: number;
  bindingStatus?: number;
  clientIdentifier?: Uint8Array;
  chaddr?: Chaddr;
  cltt?: number;
  replyOptions?: Uint8Array;
  requestOptions?: Uint8Array;
  /** ISC 4.4.3 never sends it and drops a connection that sends it in a BNDUPD or BNDACK (see README). */
  ddns?: Ddns;
  delayedService?: number;
  hba?: Uint8Array;
  ipFlags?: number;
  leaseExpiry?: number;
  maxUnacked?: number;
  mclt?: number;
  /** Text, one character per byte (latin1), no terminator. */
  message?: string;
  messageDigest?: Uint8Array;
  potentialExpiry?: number;
  receiveTimer?: number;
  protocolVersion?: number;
  rejectReason?: number;
  /** Text, one character per byte (latin1), no terminator; ISC compares it with the peer name byte for byte. */
  relationshipName?: string;
  serverFlags?: number;
  serverState?: number;
  stos?: number;
  tlsReply?: number;
  tlsRequest?: number;
  vendorClass?: Uint8Array;
  vendorOptions?: Uint8Array;
  /** Options with codes ISC does not know; skipped by ISC, kept for logging. Encoded as given. */
  unknown?: RawOption[];
  /** Known options ISC does not read in this message type (fto_allowed), or a repeated digest. Encoded as given. */
  ignored?: RawOption[];
}

type OptionField = Exclude<keyof FailoverMessage, 'type' | 'time' | 'xid' | 'unknown' | 'ignored'>;
type Kind = 'u8' | 'u16' | 'u32' | 'ip' | 'bytes' | 'text' | 'chaddr' | 'ddns';

export interface OptionInfo {
  readonly code: number;
  /** dhcp_failover_option_name's name. */
  readonly name: string;
  /** The name in ISC's ft_options table (what ISC's own error lines print). */
  readonly iscName: string;
  readonly field: OptionField;
  readonly kind: Kind;
}

function info(code: number, name: string, iscName: string, field: OptionField, kind: Kind): OptionInfo {
  return { code, name, iscName, field, kind };
}

/** ISC's ft_options, by code. */
export const OPTIONS: readonly (OptionInfo | undefined)[] = [
  undefined,
  info(1, 'addresses-transferred', 'addresses-transferred', 'addressesTransferred', 'u32'),
  info(2, 'assigned-ip-address', 'assigned-IP-address', 'assignedIpAddress', 'ip'),
  info(3, 'binding-status', 'binding-status', 'bindingStatus', 'u8'),
  info(4, 'client-identifier', 'client-identifier', 'clientIdentifier', 'bytes'),
  info(5, 'chaddr', 'client-hardware-address', 'chaddr', 'chaddr'),
  info(6, 'cltt', 'client-last-transaction-time', 'cltt', 'u32'),
  info(7, 'reply-options', 'client-reply-options', 'replyOptions', 'bytes'),
  info(8, 'request-options', 'client-request-options', 'requestOptions', 'bytes'),
  info(9, 'ddns', 'DDNS', 'ddns', 'ddns'),
  info(10, 'delayed-service', 'delayed-service', 'delayedService', 'u8'),
  info(11, 'hba', 'hash-bucket-assignment', 'hba', 'bytes'),
  info(12, 'ip-flags', 'IP-flags', 'ipFlags', 'u16'),
  info(13, 'lease-expiry', 'lease-expiration-time', 'leaseExpiry', 'u32'),
  info(14, 'max-unacked', 'max-unacked-bndupd', 'maxUnacked', 'u32'),
  info(15, 'mclt', 'MCLT', 'mclt', 'u32'),
  info(16, 'message', 'message', 'message', 'text'),
  info(17, 'message-digest', 'message-digest', 'messageDigest', 'bytes'),
  info(18, 'potential-expiry', 'potential-expiration-time', 'potentialExpiry', 'u32'),
  info(19, 'receive-timer', 'receive-timer', 'receiveTimer', 'u32'),
  info(20, 'protocol-version', 'protocol-version', 'protocolVersion', 'u8'),
  info(21, 'reject-reason', 'reject-reason', 'rejectReason', 'u8'),
  info(22, 'relationship-name', 'relationship-name', 'relationshipName', 'text'),
  info(23, 'server-flags', 'server-flags', 'serverFlags', 'u8'),
  info(24, 'server-state', 'server-state', 'serverState', 'u8'),
  info(25, 'stos', 'start-time-of-state', 'stos', 'u32'),
  info(26, 'tls-reply', 'TLS-reply', 'tlsReply', 'u8'),
  info(27, 'tls-request', 'TLS-request', 'tlsRequest', 'u8'),
  info(28, 'vendor-class', 'vendor-class-identifier', 'vendorClass', 'bytes'),
  info(29, 'vendor-options', 'vendor-specific-options', 'vendorOptions', 'bytes'),
];

const FIXED_SIZE: Partial<Record<Kind, number>> = { u8: 1, u16: 2, u32: 4, ip: 4 };

const O = OPT;
const BIND_OPTIONS = [
  O.ASSIGNED_IP_ADDRESS,
  O.BINDING_STATUS,
  O.CLIENT_IDENTIFIER,
  O.CHADDR,
  O.LEASE_EXPIRY,
  O.POTENTIAL_EXPIRY,
  O.STOS,
  O.CLTT,
  O.IP_FLAGS,
];
const LEASE_EXTRAS = [O.DDNS, O.REQUEST_OPTIONS, O.REPLY_OPTIONS];
const HELLO = [O.RELATIONSHIP_NAME, O.MAX_UNACKED, O.RECEIVE_TIMER, O.VENDOR_CLASS, O.PROTOCOL_VERSION];

/**
 * Per message type, the options ISC reads (fto_allowed) in the order its senders write them
 * (dhcp_failover_send_*). The message digest is read in every type and always goes last.
 */
export const OPTION_ORDER: readonly (readonly number[])[] = [
  [],
  [], // POOLREQ
  [O.ADDRESSES_TRANSFERRED], // POOLRESP
  [...BIND_OPTIONS, ...LEASE_EXTRAS], // BNDUPD
  [...BIND_OPTIONS, O.REJECT_REASON, O.MESSAGE, ...LEASE_EXTRAS], // BNDACK
  [...HELLO, O.TLS_REQUEST, O.MCLT, O.HBA], // CONNECT
  [...HELLO, O.TLS_REPLY, O.REJECT_REASON, O.MESSAGE], // CONNECTACK
  [], // UPDREQALL
  [], // UPDDONE
  [], // UPDREQ
  [O.SERVER_STATE, O.SERVER_FLAGS, O.STOS], // STATE
  [], // CONTACT
  [O.REJECT_REASON, O.MESSAGE], // DISCONNECT
];

/** Whether ISC reads option `code` in a message of `type` (stables.c fto_allowed, plus the digest everywhere). */
export function optionAllowed(type: number, code: number): boolean {
  return code === OPT.MESSAGE_DIGEST || (OPTION_ORDER[type]?.includes(code) ?? false);
}

export type FailoverWireErrorReason =
  | 'length'
  | 'payload-offset'
  | 'message-type'
  | 'truncated-option'
  | 'option-length'
  | 'duplicate-option'
  | 'not-allowed'
  | 'range'
  | 'too-large';

export class FailoverWireError extends Error {
  override readonly name = 'FailoverWireError';
  /**
   * @param reason a short cause, for counting bad messages per cause
   * @param decoded from MessageFramer: the messages of the same push that came before the bad one, which ISC
   *   would have acted on before dropping the connection
   */
  constructor(
    readonly reason: FailoverWireErrorReason,
    message: string,
    readonly decoded: readonly FailoverMessage[] = [],
  ) {
    super(message);
  }
}

// ---- bytes

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
function latin1Bytes(s: string, what: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new FailoverWireError('range', `${what}: character ${i} (U+${c.toString(16)}) is not latin1`);
    out[i] = c;
  }
  return out;
}

function checkInt(v: unknown, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new FailoverWireError('range', `${what}: ${String(v)} is not an integer in 0..${max}`);
  }
  return v;
}

function bytesOf(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new FailoverWireError('range', `${what}: expected a Uint8Array`);
  return v;
}

/** A plain Uint8Array copy: a Buffer's slice() would share memory with the caller's chunk. */
function copy(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

function intBytes(n: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--, n = Math.floor(n / 256)) out[i] = n & 0xff;
  return out;
}

// ---- encoding

function encodeValue(opt: OptionInfo, v: unknown): Uint8Array {
  const what = `option ${opt.name}`;
  switch (opt.kind) {
    case 'u8':
      return intBytes(checkInt(v, 0xff, what), 1);
    case 'u16':
      return intBytes(checkInt(v, 0xffff, what), 2);
    case 'u32':
    case 'ip':
      return intBytes(checkInt(v, 0xffffffff, what), 4);
    case 'bytes':
      return bytesOf(v, what);
    case 'text':
      if (typeof v !== 'string') throw new FailoverWireError('range', `${what}: expected a string`);
      return latin1Bytes(v, what);
    case 'chaddr': {
      const c = v as Chaddr;
      const address = bytesOf(c?.address, `${what} address`);
      if (address.length > 16) {
        throw new FailoverWireError('range', `${what}: address of ${address.length} bytes, more than 16`);
      }
      return Uint8Array.of(checkInt(c.htype, 0xff, `${what} htype`), ...address);
    }
    case 'ddns': {
      const d = v as Ddns;
      const flags = intBytes(checkInt(d?.flags, 0xffff, `${what} flags`), 2);
      if (typeof d.name !== 'string') throw new FailoverWireError('range', `${what}: name is not a string`);
      return Uint8Array.of(...flags, ...latin1Bytes(d.name, `${what} name`));
    }
  }
}

function rawOptions(list: RawOption[] | undefined, what: string): RawOption[] {
  for (const r of list ?? []) {
    checkInt(r.code, 0xffff, `${what} option code`);
    bytesOf(r.data, `${what} option ${r.code}`);
  }
  return list ?? [];
}

/**
 * Encodes a message with payload offset 12, options in ISC's sender order (OPTION_ORDER), then `unknown` and
 * `ignored` as given, then the message digest. Throws FailoverWireError for a type outside 1..12, a value out of
 * its range, a typed option ISC does not read in this message type, or a message over 2048 bytes.
 */
export function encodeMessage(m: FailoverMessage): Uint8Array {
  const type = checkInt(m.type, 0xff, 'message type');
  if (type < MSG.POOLREQ || type > MSG.DISCONNECT) {
    throw new FailoverWireError('message-type', `message type ${type} is not 1..12`);
  }
  const time = checkInt(m.time, 0xffffffff, 'time');
  const xid = checkInt(m.xid, 0xffffffff, 'xid');
  const fields = m as unknown as Record<string, unknown>;
  for (const opt of OPTIONS) {
    if (opt && fields[opt.field] !== undefined && !optionAllowed(type, opt.code)) {
      throw new FailoverWireError(
        'not-allowed',
        `option ${opt.name} is not read in a ${messageName(type)} message (ISC skips it); send it as 'ignored'`,
      );
    }
  }
  const parts: RawOption[] = [];
  for (const code of OPTION_ORDER[type]!) {
    const opt = OPTIONS[code]!;
    const v = fields[opt.field];
    if (v !== undefined) parts.push({ code, data: encodeValue(opt, v) });
  }
  parts.push(...rawOptions(m.unknown, 'unknown'), ...rawOptions(m.ignored, 'ignored'));
  if (m.messageDigest !== undefined) {
    parts.push({
      code: OPT.MESSAGE_DIGEST,
      data: encodeValue(OPTIONS[OPT.MESSAGE_DIGEST]!, m.messageDigest),
    });
  }
  let length = FAILOVER_HEADER_SIZE;
  for (const p of parts) length += 4 + p.data.length;
  if (length > FAILOVER_MAX_MESSAGE_SIZE) {
    throw new FailoverWireError('too-large', `message of ${length} bytes, over ${FAILOVER_MAX_MESSAGE_SIZE}`);
  }
  const out = new Uint8Array(length);
  out.set(intBytes(length, 2), 0);
  out[2] = type;
  out[3] = FAILOVER_HEADER_SIZE;
  out.set(intBytes(time, 4), 4);
  out.set(intBytes(xid, 4), 8);
  let at = FAILOVER_HEADER_SIZE;
  for (const p of parts) {
    out.set(intBytes(p.code, 2), at);
    out.set(intBytes(p.data.length, 2), at + 2);
    out.set(p.data, at + 4);
    at += 4 + p.data.length;
  }
  return out;
}

// ---- decoding

function decodeValue(opt: OptionInfo, data: Uint8Array, where: string): unknown {
  const fixed = FIXED_SIZE[opt.kind];
  if (fixed !== undefined && data.length !== fixed) {
    throw new FailoverWireError(
      'option-length',
      `${where}option ${opt.name}: length ${data.length}, expected ${fixed}`,
    );
  }
  switch (opt.kind) {
    case 'u8':
      return data[0]!;
    case 'u16':
      return u16(data, 0);
    case 'u32':
    case 'ip':
      return u32(data, 0);
    case 'bytes':
      return copy(data);
    case 'text':
      return latin1(data);
    case 'chaddr':
      if (data.length < 1) {
        throw new FailoverWireError('option-length', `${where}option chaddr: length 0, expected at least 1 (htype)`);
      }
      return { htype: data[0]!, address: copy(data.subarray(1)) } satisfies Chaddr;
    case 'ddns':
      if (data.length < 2) {
        throw new FailoverWireError('option-length', `${where}option ddns: length ${data.length}, expected at least 2`);
      }
      return { flags: u16(data, 0), name: latin1(data.subarray(2)) } satisfies Ddns;
  }
}

function keepRaw(list: RawOption[] | undefined, code: number, data: Uint8Array): RawOption[] {
  const out = list ?? [];
  out.push({ code, data: copy(data) });
  return out;
}

function placeOption(m: FailoverMessage, code: number, data: Uint8Array, where: string): void {
  const opt = OPTIONS[code];
  const fields = m as unknown as Record<string, unknown>;
  if (!opt) {
    m.unknown = keepRaw(m.unknown, code, data);
  } else if (!optionAllowed(m.type, code) || (code === OPT.MESSAGE_DIGEST && m.messageDigest !== undefined)) {
    m.ignored = keepRaw(m.ignored, code, data);
  } else if (fields[opt.field] !== undefined) {
    throw new FailoverWireError('duplicate-option', `${where}duplicate option ${opt.name}`);
  } else {
    fields[opt.field] = decodeValue(opt, data, where);
  }
}

/**
 * Decodes exactly one message (`bytes.length` must equal its length field). Checks as ISC's
 * dhcp_failover_link_signal and do_a_failover_option do. Differences: it also rejects a message type outside 1..12
 * in a message without options (ISC checks the type only when it reads an option), a payload offset under 12, and
 * a chaddr of length 0; and it reads a DDNS option (16-bit flags, then the name) where ISC 4.4.3 rejects every
 * DDNS option in a BNDUPD or BNDACK (its ft_options entry gives DDNS a fixed size of 0).
 */
export function decodeMessage(bytes: Uint8Array): FailoverMessage {
  if (bytes.length < FAILOVER_HEADER_SIZE) {
    throw new FailoverWireError('length', `message of ${bytes.length} bytes, shorter than the 12-byte header`);
  }
  const length = u16(bytes, 0);
  checkLength(length);
  if (length !== bytes.length) {
    throw new FailoverWireError('length', `length field says ${length} bytes, given ${bytes.length}`);
  }
  const type = bytes[2]!;
  const payoff = bytes[3]!;
  if (type < MSG.POOLREQ || type > MSG.DISCONNECT) {
    throw new FailoverWireError('message-type', `message type ${type} is not 1..12`);
  }
  if (payoff < FAILOVER_HEADER_SIZE || payoff > length) {
    throw new FailoverWireError('payload-offset', `payload offset ${payoff}, not within 12..${length}`);
  }
  const m: FailoverMessage = { type, time: u32(bytes, 4), xid: u32(bytes, 8) };
  const where = `${messageName(type)}: `;
  let at = payoff;
  while (at < length) {
    if (at + 4 > length) {
      throw new FailoverWireError(
        'truncated-option',
        `${where}${length - at} bytes left at ${at}, too few for an option`,
      );
    }
    const code = u16(bytes, at);
    const len = u16(bytes, at + 2);
    at += 4;
    if (at + len > length) {
      throw new FailoverWireError(
        'truncated-option',
        `${where}option ${optionName(code)}: length ${len}, but ${length - at} bytes are left`,
      );
    }
    placeOption(m, code, bytes.subarray(at, at + len), where);
    at += len;
  }
  return m;
}

function checkLength(length: number): void {
  if (length < FAILOVER_MIN_MESSAGE_SIZE || length > FAILOVER_MAX_MESSAGE_SIZE) {
    throw new FailoverWireError(
      length > FAILOVER_MAX_MESSAGE_SIZE ? 'too-large' : 'length',
      `length ${length}, not within 12..2048`,
    );
  }
}

/**
 * Cuts a TCP byte stream into messages. Buffers at most one incomplete message (under 2048 bytes); a length field
 * outside 12..2048 throws as soon as its two bytes arrive. After a throw the framer stays failed: the caller closes
 * the connection, as ISC does.
 */
export class MessageFramer {
  private buf: Uint8Array = new Uint8Array(0);
  private failed: FailoverWireError | undefined;

  /** Bytes held waiting for the rest of a message. */
  get buffered(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): FailoverMessage[] {
    if (this.failed) throw this.failed;
    let data = chunk;
    if (this.buf.length > 0) {
      data = new Uint8Array(this.buf.length + chunk.length);
      data.set(this.buf, 0);
      data.set(chunk, this.buf.length);
    }
    const out: FailoverMessage[] = [];
    let at = 0;
    try {
      while (data.length - at >= 2) {
        const length = u16(data, at);
        checkLength(length);
        if (data.length - at < length) break;
        out.push(decodeMessage(data.subarray(at, at + length)));
        at += length;
      }
    } catch (e) {
      if (!(e instanceof FailoverWireError)) throw e;
      this.failed = new FailoverWireError(e.reason, e.message, out);
      this.buf = new Uint8Array(0);
      throw this.failed;
    }
    this.buf = copy(data.subarray(at));
    return out;
  }
}

// ---- names, as ISC prints them

const MESSAGE_NAMES = [
  '',
  'pool-request',
  'pool-response',
  'bind-update',
  'bind-ack',
  'connect',
  'connect-ack',
  'update-request-all',
  'update-done',
  'update-request',
  'state',
  'contact',
  'disconnect',
];
const MESSAGE_ABBREVS = ['', ...Object.keys(MSG)];

/** dhcp_failover_message_name: "bind-update", "unknown-message-13", "invalid-message" over 255. */
export function messageName(type: number): string {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) return 'invalid-message';
  return MESSAGE_NAMES[type] || `unknown-message-${type}`;
}

/** The draft's abbreviation ("BNDUPD"), or messageName's text for a type it does not define. */
export function messageAbbrev(type: number): string {
  return (Number.isInteger(type) && MESSAGE_ABBREVS[type]) || messageName(type);
}

/** dhcp_failover_option_name: "binding-status", "unknown-option-30", "invalid-option" over 65535. */
export function optionName(code: number): string {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) return 'invalid-option';
  return OPTIONS[code]?.name ?? `unknown-option-${code}`;
}

const REJECT_TEXT: Record<number, string> = {
  1: 'Illegal IP address (not part of any address pool).',
  2: 'Fatal conflict exists: address in use by other client.',
  3: 'Missing binding information.',
  4: 'Connection rejected, time mismatch too great.',
  5: 'Connection rejected, invalid MCLT.',
  6: 'Connection rejected, unknown reason.',
  7: 'Connection rejected, duplicate connection.',
  8: 'Connection rejected, invalid failover partner.',
  9: 'TLS not supported.',
  10: 'TLS supported but not configured.',
  11: 'TLS required but not supported by partner.',
  12: 'Message digest not supported.',
  13: 'Message digest not configured.',
  14: 'Protocol version mismatch.',
  15: 'Outdated binding information.',
  16: 'Less critical binding information.',
  17: 'No traffic within sufficient time.',
  18: 'Hash bucket assignment conflict.',
  19: 'IP not reserved on this server.',
  20: 'Message digest failed to compare.',
  21: 'Missing message digest.',
  254: 'Unknown Error.',
};

/** dhcp_failover_reject_reason_print; also the message ISC sends in a DISCONNECT or BNDACK without its own text. */
export function rejectReasonText(code: number): string {
  if (!Number.isInteger(code) || code < 0 || code > 0xff) return 'Reason code out of range.';
  return REJECT_TEXT[code] ?? `Undefined-${code}: This reason code is not defined in the protocol standard.`;
}

const STATE_NAMES: Record<number, string> = {
  0: 'unknown-state',
  1: 'startup',
  2: 'normal',
  3: 'communications-interrupted',
  4: 'partner-down',
  5: 'potential-conflict',
  6: 'recover',
  7: 'paused',
  8: 'shutdown',
  9: 'recover-done',
  10: 'resolution-interrupted',
  11: 'conflict-done',
  254: 'recover-wait',
};
const STATE_CODES = new Map(Object.entries(STATE_NAMES).map(([code, name]) => [name, Number(code)]));

/** dhcp_failover_state_name_print: "partner-down"; any code it does not know prints "unknown-state". */
export function failoverStateName(code: number): string {
  return STATE_NAMES[code] ?? 'unknown-state';
}

/** A state name as parse_failover_state reads it (case-insensitive, "unknown-state" included), or undefined. */
export function parseFailoverState(name: string): number | undefined {
  return STATE_CODES.get(name.toLowerCase());
}

const BINDING_NAMES = ['', 'free', 'active', 'expired', 'released', 'abandoned', 'reset', 'backup'];

/** binding_state_print: "free" ... "backup", "unknown" otherwise. */
export function bindingStatusName(code: number): string {
  return (Number.isInteger(code) && BINDING_NAMES[code]) || 'unknown';
}

/** A binding state name (case-insensitive, as ISC's lexer) to its code, or undefined. */
export function parseBindingStatus(name: string): number | undefined {
  const i = BINDING_NAMES.indexOf(name.toLowerCase());
  return i > 0 ? i : undefined;
}
