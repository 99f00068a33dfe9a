/**
 * TSIG (RFC 8945): signing a DNS message and verifying a signed one, with node:crypto's HMAC.
 * Pure: the time is passed in. Checked against BIND 9.18's nsupdate and named (test/unit/ddns/wire.test.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalWire, nameToWire, readName, sameName } from './names.js';

export interface TsigKey {
  name: string;
  /** ISC names ('hmac-md5' ... 'hmac-sha512'), with or without ISC's ".SIG-ALG.REG.INT" suffix, or the DNS names. */
  algorithm: string;
  /** The decoded base64 secret. */
  secret: Uint8Array;
}

interface Algorithm {
  /** The algorithm name BIND writes on the wire (lower case, as its nsupdate sends it). */
  wireName: string;
  hash: string;
  macLength: number;
}

const ALGORITHMS: ReadonlyMap<string, Algorithm> = new Map([
  ['hmac-md5', { wireName: 'hmac-md5.sig-alg.reg.int', hash: 'md5', macLength: 16 }],
  ['hmac-sha1', { wireName: 'hmac-sha1', hash: 'sha1', macLength: 20 }],
  ['hmac-sha224', { wireName: 'hmac-sha224', hash: 'sha224', macLength: 28 }],
  ['hmac-sha256', { wireName: 'hmac-sha256', hash: 'sha256', macLength: 32 }],
  ['hmac-sha384', { wireName: 'hmac-sha384', hash: 'sha384', macLength: 48 }],
  ['hmac-sha512', { wireName: 'hmac-sha512', hash: 'sha512', macLength: 64 }],
]);

export const TSIG_TYPE = 250;
const CLASS_ANY = 255;
/** BIND's default fudge, in seconds. */
export const TSIG_FUDGE = 300;

/**
 * Resolves an algorithm name. ISC's parser appends ".SIG-ALG.REG.INT." to a bare name and then matches
 * it case-insensitively, so "hmac-sha256" and "HMAC-SHA256.SIG-ALG.REG.INT" mean the same; the DNS name
 * of SHA-2 and SHA-1 keys is the bare one.
 */
export function tsigAlgorithm(algorithm: string): Algorithm {
  let key = algorithm.toLowerCase();
  if (key.endsWith('.')) key = key.slice(0, -1);
  if (key.endsWith('.sig-alg.reg.int')) key = key.slice(0, -'.sig-alg.reg.int'.length);
  const found = ALGORITHMS.get(key);
  if (!found) {
    throw new Error(`unknown TSIG algorithm "${algorithm}"; supported: ${[...ALGORITHMS.keys()].join(', ')}`);
  }
  return found;
}

/** The TSIG RDATA fields (RFC 8945 §4.2). */
export interface TsigRecord {
  keyName: string;
  algorithmName: string;
  /** Seconds since the epoch (48 bits on the wire). */
  timeSigned: number;
  fudge: number;
  mac: Uint8Array;
  originalId: number;
  error: number;
  other: Uint8Array;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
}

/**
 * The MAC (RFC 8945 §4.3): [request MAC, for a response] + message as it is without the TSIG record
 * (original id, ARCOUNT not counting it) + the TSIG variables, names in canonical (lower-case) form.
 */
export function computeMac(
  key: TsigKey,
  message: Uint8Array,
  fields: Pick<TsigRecord, 'timeSigned' | 'fudge' | 'error' | 'other'>,
  requestMac?: Uint8Array,
): Buffer {
  const alg = tsigAlgorithm(key.algorithm);
  const hmac = createHmac(alg.hash, key.secret);
  if (requestMac) hmac.update(u16(requestMac.length)).update(requestMac);
  hmac.update(message);
  hmac.update(canonicalWire(key.name));
  hmac.update(Buffer.from([0, CLASS_ANY, 0, 0, 0, 0])); // CLASS ANY, TTL 0
  hmac.update(canonicalWire(alg.wireName));
  hmac.update(u48(fields.timeSigned)).update(u16(fields.fudge)).update(u16(fields.error));
  hmac.update(u16(fields.other.length)).update(fields.other);
  return hmac.digest();
}

/**
 * Signs `message` (whose ARCOUNT does not yet count the TSIG record): returns the message with the TSIG
 * record appended and ARCOUNT raised by one, and the MAC (needed to verify the answer).
 */
export function signMessage(message: Uint8Array, key: TsigKey, now: number): { bytes: Buffer; mac: Buffer } {
  const alg = tsigAlgorithm(key.algorithm);
  const timeSigned = Math.floor(now);
  if (!(timeSigned >= 0 && timeSigned < 2 ** 48)) throw new Error(`TSIG time ${now} is not a 48-bit time`);
  const fields = { timeSigned, fudge: TSIG_FUDGE, error: 0, other: new Uint8Array(0) };
  const mac = computeMac(key, message, fields, undefined);
  const originalId = (message[0]! << 8) | message[1]!;
  const rdata = Buffer.concat([
    nameToWire(alg.wireName),
    u48(timeSigned),
    u16(TSIG_FUDGE),
    u16(mac.length),
    mac,
    u16(originalId),
    u16(0), // error
    u16(0), // other length
  ]);
  const head = Buffer.alloc(10);
  head.writeUInt16BE(TSIG_TYPE, 0);
  head.writeUInt16BE(CLASS_ANY, 2);
  head.writeUInt32BE(0, 4);
  head.writeUInt16BE(rdata.length, 8);
  const bytes = Buffer.concat([message, nameToWire(key.name), head, rdata]);
  bytes.writeUInt16BE(bytes.readUInt16BE(10) + 1, 10);
  return { bytes, mac };
}

/**
 * Walks a message's four sections (names through dns-packet, so compression is followed; RDLENGTH is
 * trusted for every type) and, when the last record is a TSIG record, returns where it starts and its
 * fields; otherwise where the message ends. Errors are strings.
 */
export function findTsig(buf: Buffer): { start: number; tsig?: TsigRecord } | { error: string } {
  if (buf.length < 12) return { error: `truncated: ${buf.length} octets, less than a DNS header` };
  const counts = [4, 6, 8, 10].map((at) => buf.readUInt16BE(at)) as [number, number, number, number];
  const records = counts[1] + counts[2] + counts[3];
  let offset = 12;
  try {
    for (let i = 0; i < counts[0]; i++) {
      offset += readName(buf, offset).length + 4;
      if (offset > buf.length) return { error: 'truncated in the question (zone) section' };
    }
    for (let i = 0; i < records; i++) {
      const start = offset;
      const owner = readName(buf, offset);
      offset += owner.length;
      if (offset + 10 > buf.length) return { error: `truncated in record ${i + 1} of ${records}` };
      const type = buf.readUInt16BE(offset);
      const rdata = offset + 10;
      offset = rdata + buf.readUInt16BE(offset + 8);
      if (offset > buf.length) return { error: `truncated in the data of record ${i + 1} of ${records}` };
      // RFC 8945 §5.1: the TSIG record is the last one of the additional section.
      if (i === records - 1 && counts[3] > 0 && type === TSIG_TYPE) {
        const tsig = parseTsigRdata(buf, rdata, offset, owner.name);
        return typeof tsig === 'string' ? { error: tsig } : { start, tsig };
      }
    }
    return { start: offset };
  } catch (e) {
    return { error: `malformed: ${(e as Error).message}` };
  }
}

function parseTsigRdata(buf: Buffer, start: number, end: number, keyName: string): TsigRecord | string {
  const alg = readName(buf, start);
  let at = start + alg.length;
  if (at + 10 > end) return 'truncated TSIG record';
  const timeSigned = buf.readUIntBE(at, 6);
  const fudge = buf.readUInt16BE(at + 6);
  const macLength = buf.readUInt16BE(at + 8);
  at += 10;
  if (at + macLength + 6 > end) return 'truncated TSIG MAC';
  const mac = buf.subarray(at, at + macLength);
  at += macLength;
  const originalId = buf.readUInt16BE(at);
  const error = buf.readUInt16BE(at + 2);
  const otherLength = buf.readUInt16BE(at + 4);
  at += 6;
  if (at + otherLength > end) return 'truncated TSIG other data';
  const other = buf.subarray(at, at + otherLength);
  return { keyName, algorithmName: alg.name, timeSigned, fudge, mac, originalId, error, other };
}

/**
 * Verifies a message's TSIG found by findTsig, with the key we expect and, for a response, the MAC of
 * our request. An empty MAC (BADSIG/BADKEY answers), another key or algorithm, or a truncated MAC fail.
 */
export function verifyTsig(
  buf: Buffer,
  found: { start: number; tsig: TsigRecord },
  key: TsigKey,
  requestMac?: Uint8Array,
): boolean {
  const { tsig } = found;
  const alg = tsigAlgorithm(key.algorithm);
  if (!sameName(tsig.keyName, key.name) || !sameName(tsig.algorithmName, alg.wireName)) return false;
  if (tsig.mac.length !== alg.macLength) return false;
  const message = Buffer.from(buf.subarray(0, found.start));
  message.writeUInt16BE(tsig.originalId, 0);
  message.writeUInt16BE(message.readUInt16BE(10) - 1, 10);
  return timingSafeEqual(computeMac(key, message, tsig, requestMac), tsig.mac);
}
