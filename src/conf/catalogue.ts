// The option catalogue as the parser sees it, plus the ISC format string that drives value
// parsing. ISC's value grammar is driven by format letters ("IA", "BX", "fto", "Eagent.")
// (parse.c parse_option_data), so the parser reads values by format and builds typed
// OptionValues. Built-in options use ISC's own letters from the shared tables (which keep
// details such as the optional marker `o`); user definitions are converted from their OptionType.

import { Catalogue } from '../options/catalogue.js';
import { STANDARD_SPACES } from '../options/standard-spaces.js';
import type { OptionDef, OptionSpace, OptionType } from '../options/types.js';

/** The methods of the shared Catalogue the configuration layer relies on. */
export interface CatalogueLike {
  clone(): CatalogueLike;
  space(name: string): OptionSpace | undefined;
  defineSpace(s: OptionSpace): void;
  byName(space: string, name: string): OptionDef | undefined;
  byCode(space: string, code: number): OptionDef | undefined;
  /** Throws when the definition is invalid (code out of range, unknown encapsulated space). */
  define(def: Omit<OptionDef, 'userDefined'>): void;
  options(space: string): OptionDef[];
  spaces(): OptionSpace[];
}

export function standardCatalogue(): CatalogueLike {
  return Catalogue.standard();
}

/** ISC's format letters of every built-in option, by "space/name" (lower case). */
const BUILTIN_FORMATS = new Map<string, { code: number; format: string }>();
for (const { space, options } of STANDARD_SPACES) {
  for (const [name, code, format] of options) {
    BUILTIN_FORMATS.set(`${space.name.toLowerCase()}/${name.toLowerCase()}`, { code, format });
  }
}

/** The format string that reads values of this option. */
export function formatForDef(def: OptionDef): string {
  if (!def.userDefined) {
    const b = BUILTIN_FORMATS.get(`${def.space.toLowerCase()}/${def.name.toLowerCase()}`);
    if (b !== undefined && b.code === def.code) return b.format;
  }
  return formatOf(def.type);
}

function simpleFormat(t: OptionType): string {
  switch (t.kind) {
    case 'ip-address':
      return 'I';
    case 'ip6-address':
      return '6';
    case 'integer':
      if (t.bits === 8) return t.signed ? 'b' : 'B';
      if (t.bits === 16) return t.signed ? 's' : 'S';
      return t.signed ? 'l' : 'L';
    case 'lease-time':
      return 'T';
    case 'enumeration':
      return `N${t.enumeration.name}.`;
    case 'boolean':
      return 'f';
    case 'text':
      return 't';
    case 'space-name':
      return 'U';
    case 'key-name':
      return 'k';
    case 'string':
      return 'X';
    case 'domain-name':
      return 'd';
    case 'domain-list':
      return t.compressed ? 'Dc' : 'D';
    case 'classless-route':
      // ISC has no classless-route atom; configurations write the routes as bytes.
      return 'B';
    case 'zero-length':
      return 'Z';
    case 'encapsulate':
      return `E${t.space}.`;
    case 'record':
      return t.fields.map(fieldFormat).join('');
    case 'array':
      return `${simpleFormat(t.of)}A`;
  }
  return 'X';
}

function fieldFormat(t: OptionType): string {
  // Inside a record an array can only be the last field and repeats one atom ('a').
  if (t.kind === 'array') return `${simpleFormat(t.of)}a`;
  return simpleFormat(t);
}

/** The ISC format string that reads a value of this type. */
export function formatOf(t: OptionType): string {
  if (t.kind === 'classless-route') return 'BA';
  if (t.kind === 'array' && t.of.kind === 'classless-route') return 'BA';
  return simpleFormat(t);
}
