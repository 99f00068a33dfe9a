// The option catalogue: every option space and option definition, built in or user-defined. It is the single
// source of names, codes and types for the server, the client, the relay, the shell and the dump tool.
//
// Lookups follow ISC DHCP: option and space names are case-insensitive (ISC hashes them with do_case_hash and
// compares with casecmp); codes are per space. A catalogue is mutable while a configuration is being read
// (`option space`, `option NAME code N = TYPE`) and is then handed, unchanged, to a configuration snapshot;
// reloading builds a new one from Catalogue.standard(). OptionDef and OptionSpace objects are frozen and shared
// between clones.
import { type StandardOption, typeFromIscFormat } from './isc-format.js';
import { STANDARD_SPACES } from './standard-spaces.js';
import { checkOptionType } from './type-rules.js';
import type { OptionDef, OptionSpace } from './types.js';

interface SpaceTable {
  readonly space: OptionSpace;
  readonly byName: Map<string, OptionDef>;
  readonly byCode: Map<number, OptionDef>;
}

const MAX_CODE: Record<OptionSpace['codeWidth'], number> = { 1: 0xff, 2: 0xffff, 4: 0xffffffff };

export class Catalogue {
  private constructor(private readonly tables: Map<string, SpaceTable>) {}

  /** A fresh, mutable catalogue holding every option space and option ISC DHCP 4.4.3 predefines. */
  static standard(): Catalogue {
    if (!standardCatalogue) {
      standardCatalogue = Catalogue.empty();
      for (const { space, options } of STANDARD_SPACES) {
        standardCatalogue.defineSpace(space);
        standardCatalogue.addStandard(space.name, options);
      }
    }
    return standardCatalogue.clone();
  }

  /** An empty catalogue (no spaces at all); tests and tools build special catalogues from it. */
  static empty(): Catalogue {
    return new Catalogue(new Map());
  }

  /** An independent copy: defining options or spaces in one does not change the other. */
  clone(): Catalogue {
    const tables = new Map<string, SpaceTable>();
    for (const [key, t] of this.tables) {
      tables.set(key, { space: t.space, byName: new Map(t.byName), byCode: new Map(t.byCode) });
    }
    return new Catalogue(tables);
  }

  space(name: string): OptionSpace | undefined {
    return this.tables.get(name.toLowerCase())?.space;
  }

  spaces(): OptionSpace[] {
    return [...this.tables.values()].map((t) => t.space);
  }

  /**
   * `option space NAME [code width N] [length width M];`. As in ISC, declaring a space that already exists
   * replaces it with a new, empty one.
   */
  defineSpace(s: OptionSpace): void {
    const space = Object.freeze({ name: s.name, codeWidth: s.codeWidth, lengthWidth: s.lengthWidth });
    this.tables.set(s.name.toLowerCase(), { space, byName: new Map(), byCode: new Map() });
  }

  byName(space: string, name: string): OptionDef | undefined {
    return this.tables.get(space.toLowerCase())?.byName.get(name.toLowerCase());
  }

  /** The definition for a code; O(1), used per option per packet. */
  byCode(space: string, code: number): OptionDef | undefined {
    // Space names are stored lower-case; the exact-name probe makes the usual lower-case call one lookup.
    return (this.tables.get(space) ?? this.tables.get(space.toLowerCase()))?.byCode.get(code);
  }

  /**
   * The definition for a code, or ISC's stand-in for an unknown one: `unknown-CODE`, carried as a data string
   * (ISC's default_option_format "X"), not stored in the catalogue.
   */
  byCodeOrUnknown(space: string, code: number): OptionDef {
    return this.byCode(space, code) ?? unknownOption(this.space(space)?.name ?? space, code);
  }

  /**
   * Resolves an option name as ISC's parser does: a defined name, else `unknown-N` naming code N (the defined
   * option for N if any, else a stand-in data string option).
   */
  lookupName(space: string, name: string): OptionDef | undefined {
    const def = this.byName(space, name);
    if (def || !this.space(space)) return def;
    const m = /^unknown-(\d+)$/i.exec(name);
    if (!m) return undefined;
    return this.byCodeOrUnknown(space, Number(m[1]));
  }

  /** Resolves `NAME` (dhcp space) or `SPACE.NAME`, as option names are written in configuration files. */
  resolve(qualifiedName: string): OptionDef | undefined {
    const dot = qualifiedName.indexOf('.');
    if (dot < 0) return this.lookupName('dhcp', qualifiedName);
    return this.lookupName(qualifiedName.slice(0, dot), qualifiedName.slice(dot + 1));
  }

  /**
   * A user definition, `option [SPACE.]NAME code N = TYPE;`. ISC semantics when a name or a code is defined
   * again: the new definition takes the code and the name; an older definition that had the same code under
   * another name keeps answering to its name (ISC keeps 3.0.x behaviour there), and one that had the same name
   * under another code keeps answering to its code. Throws if the definition is invalid (see checkDefinition).
   */
  define(def: Omit<OptionDef, 'userDefined'>): void {
    const problem = this.checkDefinition(def);
    if (problem) throw new Error(problem);
    this.add({ ...def, userDefined: true });
  }

  /** Why a definition cannot be added (unknown space, code out of range, unknown encapsulated space), or undefined. */
  checkDefinition(def: Omit<OptionDef, 'userDefined'>): string | undefined {
    const table = this.tables.get(def.space.toLowerCase());
    if (!table) return `no option space named ${def.space}`;
    const max = MAX_CODE[table.space.codeWidth];
    if (!Number.isInteger(def.code) || def.code < 0 || def.code > max) {
      return `option code ${def.code} is out of range for space ${table.space.name} (0..${max})`;
    }
    return checkOptionType(def.type, (name) => this.space(name) !== undefined);
  }

  /** Every definition of a space, by code then name; includes older definitions still reachable by name. */
  options(space: string): OptionDef[] {
    const table = this.tables.get(space.toLowerCase());
    if (!table) return [];
    const all = new Set<OptionDef>([...table.byCode.values(), ...table.byName.values()]);
    return [...all].sort((a, b) => a.code - b.code || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private add(def: OptionDef): void {
    const table = this.tables.get(def.space.toLowerCase()) as SpaceTable;
    const frozen = Object.freeze({ ...def, space: table.space.name });
    table.byCode.set(frozen.code, frozen);
    table.byName.set(frozen.name.toLowerCase(), frozen);
  }

  /** Adds a space's built-in options (used to build the standard catalogue). */
  private addStandard(space: string, rows: readonly StandardOption[]): void {
    for (const [name, code, format] of rows) {
      this.add({ space, name, code, type: deepFreeze(typeFromIscFormat(format)), userDefined: false });
    }
  }
}

// Built once, on first use; Catalogue.standard() hands out clones.
let standardCatalogue: Catalogue | undefined;

/** ISC's stand-in for an option code nobody defined: `unknown-CODE`, format "X". */
export function unknownOption(space: string, code: number): OptionDef {
  return { space, name: `unknown-${code}`, code, type: { kind: 'string' }, userDefined: false };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
