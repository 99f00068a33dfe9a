/**
 * RFC 2136 UPDATE messages: encoding what dhcpd sends, decoding what BIND answers. Pure, no I/O.
 * The framing is written here by hand because dns-packet cannot encode class NONE (254) nor empty RDATA
 * for a typed record (both needed by prerequisites and deletions), and has no TSIG; names go through it.
 */
import { nameToWire } from './names.js';
import { findTsig, signMessage, type TsigKey, verifyTsig } from './tsig.js';

export type { TsigKey } from './tsig.js';

export type RRClass = 'IN' | 'ANY' | 'NONE';
export type RRType = 'A' | 'AAAA' | 'PTR' | 'TXT' | 'DHCID' | 'ANY';
/** One record of the prerequisite or update section. `rdata` absent = empty RDATA (RDLENGTH 0), as RFC 2136 prerequisites and deletions need. */
export interface UpdateRecord {
  name: string;
  type: RRType;
  class: RRClass;
  ttl: number;
  rdata?: Uint8Array;
}
export interface UpdateMessage {
  zone: string;
  prerequisites: UpdateRecord[];
  updates: UpdateRecord[];
}

const TYPE_CODES: Record<RRType, number> = { A: 1, PTR: 12, TXT: 16, AAAA: 28, DHCID: 49, ANY: 255 };
const CLASS_CODES: Record<RRClass, number> = { IN: 1, NONE: 254, ANY: 255 };
const TYPE_SOA = 6;
const OPCODE_UPDATE = 5;

function encodeRecord(r: UpdateRecord, section: string): Buffer {
  const type = TYPE_CODES[r.type];
  const klass = CLASS_CODES[r.class];
  if (type === undefined) throw new Error(`${section} record ${r.name}: unknown type ${String(r.type)}`);
  if (klass === undefined) throw new Error(`${section} record ${r.name}: unknown class ${String(r.class)}`);
  if (!Number.isInteger(r.ttl) || r.ttl < 0 || r.ttl > 0xffffffff) {
    throw new Error(`${section} record ${r.name}: TTL ${r.ttl} is not a 32-bit unsigned integer`);
  }
  const rdata = r.rdata ?? new Uint8Array(0);
  if (rdata.length > 0xffff) throw new Error(`${section} record ${r.name}: RDATA of ${rdata.length} octets`);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(klass, 2);
  fixed.writeUInt32BE(r.ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([nameToWire(r.name), fixed, rdata]);
}

/** The wire form (header opcode UPDATE, zone section = one SOA/IN question, prerequisite = answer section, update = authority section), signed when a key is given: `mac` is the request MAC needed to verify the response. `now` in seconds since the epoch (TSIG time signed); fudge 300 as BIND. */
export function encodeUpdate(
  msg: UpdateMessage,
  id: number,
  now: number,
  key?: TsigKey,
): { bytes: Uint8Array; mac?: Uint8Array } {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new Error(`DNS message id ${id} is not a 16-bit integer`);
  if (msg.prerequisites.length > 0xffff || msg.updates.length > 0xffff) throw new Error('too many records');
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(OPCODE_UPDATE << 11, 2); // QR 0, opcode UPDATE, no other flag
  header.writeUInt16BE(1, 4); // ZOCOUNT
  header.writeUInt16BE(msg.prerequisites.length, 6); // PRCOUNT
  header.writeUInt16BE(msg.updates.length, 8); // UPCOUNT
  header.writeUInt16BE(0, 10); // ADCOUNT (TSIG added by signMessage)
  const zone = Buffer.alloc(4);
  zone.writeUInt16BE(TYPE_SOA, 0);
  zone.writeUInt16BE(CLASS_CODES.IN, 2);
  const bytes = Buffer.concat([
    header,
    nameToWire(msg.zone),
    zone,
    ...msg.prerequisites.map((r) => encodeRecord(r, 'prerequisite')),
    ...msg.updates.map((r) => encodeRecord(r, 'update')),
  ]);
  if (!key) return { bytes };
  return signMessage(bytes, key, now);
}

export interface UpdateResponse {
  id: number;
  rcode: number;
  rcodeName: string;
  tsig?: { error: number; errorName: string; verified: boolean };
}

const RCODE_NAMES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];
const TSIG_ERRORS: Record<number, string> = { 0: '', 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

/** Decodes a server's answer; with the request's key and MAC, verifies the response's TSIG (RFC 8945 §5.3: request MAC, then the message without TSIG with the original id, then the TSIG variables). A response that is not a DNS response or is truncated gives `{ error }`. */
export function decodeResponse(
  bytes: Uint8Array,
  request?: { key?: TsigKey; mac?: Uint8Array },
): UpdateResponse | { error: string } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12) return { error: `truncated: ${buf.length} octets, less than a DNS header` };
  const flags = buf.readUInt16BE(2);
  if ((flags & 0x8000) === 0) return { error: 'not a DNS response (QR bit clear)' };
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== OPCODE_UPDATE) return { error: `not an UPDATE response (opcode ${opcode})` };
  if (flags & 0x0200) return { error: 'truncated response (TC bit set)' };
  const found = findTsig(buf);
  if ('error' in found) return found;
  const rcode = flags & 0xf;
  const response: UpdateResponse = { id: buf.readUInt16BE(0), rcode, rcodeName: rcodeName(rcode) };
  if (found.tsig) {
    const { error } = found.tsig;
    const { key, mac } = request ?? {};
    // A response is bound to our request by the request MAC, so a replayed old answer cannot verify.
    const verified =
      key !== undefined && mac !== undefined && verifyTsig(buf, { ...found, tsig: found.tsig }, key, mac);
    response.tsig = { error, errorName: TSIG_ERRORS[error] ?? `RCODE${error}`, verified };
  }
  return response;
}

export function aRdata(ip: number /* host-order uint32 */): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ip >>> 0);
  return b;
}

/** PTR RDATA: the target name, uncompressed, case kept. */
export function ptrRdata(name: string): Uint8Array {
  return nameToWire(name);
}

/** One character-string (length byte + text), as dhcpd's interim-style TXT guard record. */
export function txtRdata(text: Uint8Array): Uint8Array {
  if (text.length > 255) throw new Error(`TXT character-string of ${text.length} octets, more than 255`);
  return Buffer.concat([Buffer.from([text.length]), text]);
}
