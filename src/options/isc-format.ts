// ISC DHCP describes an option's format with a string of letters (common/tables.c: "IA" is an array of
// addresses, "fIa" a flag then addresses, "Efqdn." an encapsulated space...). The built-in tables here are
// kept in that notation, so they can be compared letter for letter with ISC's source, and turned into the
// structured OptionType once, when the standard catalogue is built.
import { ENUMERATIONS } from './enumerations.js';
import type { OptionType } from './types.js';

/** One row of a built-in table: ISC name, code and format letters. */
export type StandardOption = readonly [name: string, code: number, format: string];

const SIMPLE: Readonly<Record<string, OptionType>> = {
  I: { kind: 'ip-address' },
  '6': { kind: 'ip6-address' },
  l: { kind: 'integer', bits: 32, signed: true },
  L: { kind: 'integer', bits: 32, signed: false },
  s: { kind: 'integer', bits: 16, signed: true },
  S: { kind: 'integer', bits: 16, signed: false },
  b: { kind: 'integer', bits: 8, signed: true },
  B: { kind: 'integer', bits: 8, signed: false },
  t: { kind: 'text' },
  T: { kind: 'lease-time' },
  f: { kind: 'boolean' },
  X: { kind: 'string' },
  d: { kind: 'domain-name' },
  Z: { kind: 'zero-length' },
  k: { kind: 'key-name' },
  U: { kind: 'space-name' },
};

/**
 * Converts ISC format letters to an OptionType. Throws on letters ISC's tables do not use (the tables are
 * data we control; a throw here is a bug in them). `o` (optional) is dropped: an optional trailing text or
 * string is simply empty. An empty format (nwip.illegal-N) carries no data: zero-length.
 */
export function typeFromIscFormat(format: string): OptionType {
  const fields: OptionType[] = [];
  let wholeArray = false;
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    const simple = SIMPLE[c];
    if (simple) {
      fields.push(simple);
      continue;
    }
    switch (c) {
      case 'D': {
        const compressed = format[i + 1] === 'c';
        if (compressed) i++;
        fields.push({ kind: 'domain-list', compressed });
        break;
      }
      case 'E':
      case 'N': {
        const end = format.indexOf('.', i);
        if (end < 0) throw new Error(`format ${format}: ${c} without a closing '.'`);
        const name = format.slice(i + 1, end);
        i = end;
        if (c === 'E') fields.push({ kind: 'encapsulate', space: name });
        else {
          const enumeration = ENUMERATIONS.get(name);
          if (!enumeration) throw new Error(`format ${format}: unknown enumeration ${name}`);
          fields.push({ kind: 'enumeration', enumeration });
        }
        break;
      }
      case 'a': {
        const last = fields.pop();
        if (!last) throw new Error(`format ${format}: 'a' with nothing before it`);
        fields.push({ kind: 'array', of: last });
        break;
      }
      case 'A':
        if (i !== format.length - 1) throw new Error(`format ${format}: 'A' not last`);
        wholeArray = true;
        break;
      case 'o':
      case 'e':
        break;
      default:
        throw new Error(`format ${format}: unknown letter ${c}`);
    }
  }
  const one = fields.length === 1 ? fields[0] : undefined;
  const body: OptionType = one ?? (fields.length === 0 ? { kind: 'zero-length' } : { kind: 'record', fields });
  return wholeArray ? { kind: 'array', of: body } : body;
}

/** True when two option types describe the same data (structural equality). */
export function sameType(a: OptionType, b: OptionType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'integer':
      return b.kind === 'integer' && a.bits === b.bits && a.signed === b.signed;
    case 'domain-list':
      return b.kind === 'domain-list' && a.compressed === b.compressed;
    case 'encapsulate':
      return b.kind === 'encapsulate' && a.space === b.space;
    case 'enumeration':
      return b.kind === 'enumeration' && a.enumeration.name === b.enumeration.name;
    case 'array':
      return b.kind === 'array' && sameType(a.of, b.of);
    case 'record':
      return (
        b.kind === 'record' &&
        a.fields.length === b.fields.length &&
        a.fields.every((f, i) => sameType(f, b.fields[i] as OptionType))
      );
    default:
      return true;
  }
}

/** Writes a type in dhcp-options(5) definition syntax (`array of unsigned integer 8`, `{ ip-address, text }`). */
export function describeType(t: OptionType): string {
  switch (t.kind) {
    case 'integer':
      return `${t.signed ? 'signed' : 'unsigned'} integer ${t.bits}`;
    case 'domain-list':
      return t.compressed ? 'domain-list compressed' : 'domain-list';
    case 'encapsulate':
      return `encapsulate ${t.space || '<vendor-option-space>'}`;
    case 'enumeration':
      return `enumeration ${t.enumeration.name}`;
    case 'zero-length':
      return 'zerolen';
    case 'array':
      return `array of ${describeType(t.of)}`;
    case 'record':
      return `{ ${t.fields.map(describeType).join(', ')} }`;
    default:
      return t.kind;
  }
}
