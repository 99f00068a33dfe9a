// Encoders for the types that are not containers (everything but record, array, encapsulate and
// classless-route). Each returns the reason a value does not fit its type, or undefined once written.
import { parseIPv4Into, parseIPv6Into } from './addresses.js';
import { encodeCompressedList, type Labels, nameWireLength, parseName, writeName } from './domain.js';
import { enumerationValue } from './enumerations.js';
import { firstNonOctet, writeLatin1 } from './octets.js';
import type { IntegerBits, OptionType, OptionValue } from './types.js';
import type { Writer } from './writer.js';

const RANGE: Record<IntegerBits, { signed: [number, number]; unsigned: [number, number] }> = {
  8: { signed: [-0x80, 0x7f], unsigned: [0, 0xff] },
  16: { signed: [-0x8000, 0x7fff], unsigned: [0, 0xffff] },
  32: { signed: [-0x80000000, 0x7fffffff], unsigned: [0, 0xffffffff] },
};

function writeInteger(v: OptionValue, bits: IntegerBits, signed: boolean, w: Writer): string | undefined {
  const [min, max] = RANGE[bits][signed ? 'signed' : 'unsigned'];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    return `${String(v)} is not a${signed ? ' signed' : 'n unsigned'} ${bits}-bit integer`;
  }
  // Two's complement falls out of masking: -1 & 0xff === 0xff.
  if (bits === 8) w.u8(v & 0xff);
  else if (bits === 16) w.u16(v & 0xffff);
  else w.u32(v >>> 0);
  return undefined;
}

function writeOctetString(v: OptionValue, what: string, w: Writer): string | undefined {
  if (typeof v !== 'string') return `expected ${what} as a string`;
  const bad = firstNonOctet(v);
  if (bad >= 0) return `${what} has a character above U+00FF at index ${bad} (values are byte strings)`;
  w.ensure(v.length);
  w.len = writeLatin1(v, w.buf, w.len);
  return undefined;
}

function names(v: OptionValue): Labels[] | string {
  if (!Array.isArray(v)) return 'expected a list of domain names';
  const out: Labels[] = [];
  for (const n of v) {
    if (typeof n !== 'string') return 'expected a list of domain names';
    const labels = parseName(n);
    if (typeof labels === 'string') return labels;
    out.push(labels);
  }
  return out;
}

export function encodeScalar(type: OptionType, v: OptionValue, w: Writer): string | undefined {
  switch (type.kind) {
    case 'ip-address':
      w.ensure(4);
      if (typeof v !== 'string' || !parseIPv4Into(v, w.buf, w.len)) return `${String(v)} is not an IPv4 address`;
      w.len += 4;
      return undefined;
    case 'ip6-address':
      w.ensure(16);
      if (typeof v !== 'string' || !parseIPv6Into(v, w.buf, w.len)) return `${String(v)} is not an IPv6 address`;
      w.len += 16;
      return undefined;
    case 'integer':
      return writeInteger(v, type.bits, type.signed, w);
    case 'lease-time':
      return writeInteger(v, 32, false, w);
    case 'enumeration': {
      const n = typeof v === 'string' ? enumerationValue(type.enumeration, v) : v;
      if (n === undefined) return `${String(v)} is not a value of ${type.enumeration.name}`;
      return writeInteger(n, type.enumeration.bits, false, w);
    }
    case 'boolean':
      if (typeof v !== 'boolean') return `expected a boolean, got ${String(v)}`;
      w.u8(v ? 1 : 0);
      return undefined;
    case 'text':
    case 'space-name':
    case 'key-name':
      return writeOctetString(v, type.kind, w);
    case 'string':
      if (!(v instanceof Uint8Array)) return 'expected a data string as a Uint8Array';
      w.bytes(v);
      return undefined;
    case 'zero-length':
      return v === true ? undefined : 'a zero-length option has the value true';
    case 'domain-name': {
      if (typeof v !== 'string') return 'expected a domain name as a string';
      const labels = parseName(v);
      if (typeof labels === 'string') return labels;
      w.ensure(nameWireLength(labels));
      w.len = writeName(labels, w.buf, w.len);
      return undefined;
    }
    case 'domain-list': {
      const list = names(v);
      if (typeof list === 'string') return list;
      if (type.compressed) w.bytes(encodeCompressedList(list, w.len));
      else
        for (const labels of list) {
          w.ensure(nameWireLength(labels));
          w.len = writeName(labels, w.buf, w.len);
        }
      return undefined;
    }
    default:
      return `${type.kind} is not a scalar type`;
  }
}
