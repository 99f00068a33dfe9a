// Which option types make sense, following ISC's parse_option_code_definition: text, string, domain names
// and encapsulations run to the end of the data, so they may only come last in a record and cannot be
// repeated in an array; arrays do not nest directly; zero-length data cannot be repeated.
import type { OptionType } from './types.js';

/** True when a value of this type takes all the remaining data (it has no length of its own). */
export function runsToEnd(t: OptionType): boolean {
  switch (t.kind) {
    case 'text':
    case 'string':
    case 'space-name':
    case 'key-name':
    case 'domain-list':
    case 'encapsulate':
    case 'array':
      return true;
    case 'record':
      return t.fields.length > 0 && runsToEnd(t.fields[t.fields.length - 1] as OptionType);
    default:
      return false;
  }
}

/** True when a value of this type may be zero octets long. */
export function mayBeEmpty(t: OptionType): boolean {
  switch (t.kind) {
    case 'zero-length':
      return true;
    case 'record':
      return t.fields.every(mayBeEmpty);
    default:
      return runsToEnd(t);
  }
}

/**
 * Why a type cannot be encoded and decoded unambiguously, or undefined. `spaceExists` answers whether an
 * encapsulated space is known (the empty name, ISC's vendor space, always is).
 */
export function checkOptionType(t: OptionType, spaceExists: (name: string) => boolean): string | undefined {
  switch (t.kind) {
    case 'encapsulate':
      return t.space === '' || spaceExists(t.space) ? undefined : `unknown option space ${t.space}`;
    case 'array':
      if (t.of.kind === 'array') return 'no nested arrays';
      if (runsToEnd(t.of)) return `an array of ${t.of.kind} cannot be decoded (each element runs to the end)`;
      if (mayBeEmpty(t.of)) return 'array incompatible with zerolen';
      return checkOptionType(t.of, spaceExists);
    case 'record':
      if (t.fields.length === 0) return 'empty record';
      for (let i = 0; i < t.fields.length; i++) {
        const f = t.fields[i] as OptionType;
        if (i < t.fields.length - 1 && (runsToEnd(f) || f.kind === 'zero-length')) {
          return `${f.kind} must be at end of record`;
        }
        if (f.kind === 'record') return 'no nested records';
        const p = checkOptionType(f, spaceExists);
        if (p) return p;
      }
      return undefined;
    case 'integer':
      return [8, 16, 32].includes(t.bits) ? undefined : `${t.bits} bit precision is not supported`;
    default:
      return undefined;
  }
}
