// Options: names (`routers`, `agent.circuit-id`), option space declarations, option definitions
// (`option NAME code N = TYPE;`), and values read by the option's format, as parse.c does, then
// shaped into a typed OptionValue ("IA" -> string[], "BX" -> [number, Uint8Array], ...).

import type { OptionDef, OptionSpace, OptionType, OptionValue } from '../options/types.js';
import type { OptionRef, OptionStatement, Pos } from './ast.js';
import { formatForDef } from './catalogue.js';
import {
  convertNum,
  parseCshl,
  parseHostName,
  parseIp6Addr,
  parseIpAddr,
  parseIpAddrOrHostname,
  parseSemi,
} from './parse-basic.js';
import type { Cursor, ResolvedOption } from './parser-core.js';
import { enumerationValues } from './server-params.js';
import { bytesOf, bytesToText, isIdentifier } from './tokens.js';

export interface OptionNameResult {
  space: string;
  name: string;
  /** The definition, when the option is known. */
  resolved?: ResolvedOption;
  /** True when the space has a definition for the name (or an `unknown-N` name). */
  known: boolean;
}

export function resolveDef(def: OptionDef): ResolvedOption {
  return { def, format: formatForDef(def) };
}

export function spaceExists(p: Cursor, name: string): boolean {
  return p.state.catalogue.space(name) !== undefined;
}

export function lookupOption(p: Cursor, space: string, name: string): ResolvedOption | undefined {
  const def = p.state.catalogue.byName(space, name);
  return def ? resolveDef(def) : undefined;
}

/**
 * parse_option_name(): IDENTIFIER or SPACE '.' IDENTIFIER. With `allocate`, an unknown name is
 * returned (unknown) so the caller can define it; without, it is an error.
 */
export function parseOptionName(p: Cursor, allocate: boolean): OptionNameResult {
  let tok = p.next();
  if (!isIdentifier(tok)) p.fail('expecting identifier after option keyword.');
  let space = 'dhcp';
  let name = tok.text;
  if (p.peek().t === '.') {
    p.next();
    tok = p.next();
    if (!isIdentifier(tok)) p.fail("expecting identifier after '.'");
    space = name;
    name = tok.text;
    if (!spaceExists(p, space)) p.fail(`no option space named ${space}.`);
  }
  const resolved = lookupOption(p, space, name);
  if (resolved) return { space, name, resolved, known: true };
  if (name.toLowerCase().startsWith('unknown-')) {
    const code = Number.parseInt(name.slice(8), 10) || 0;
    const end = space === 'dhcp' || space === 'agent' ? 255 : 0;
    if (code === 0 || code === end) p.fail(`Option codes 0 and ${end} are illegal in the ${space} space.`);
    const byCode = p.state.catalogue.byCode(space, code);
    if (byCode) return { space, name, resolved: resolveDef(byCode), known: true };
    const def: OptionDef = { space, name, code, type: { kind: 'string' }, userDefined: true };
    return { space, name, resolved: { def, format: 'X' }, known: true };
  }
  if (allocate) return { space, name, known: false };
  return p.fail(`no option named ${name} in space ${space}`);
}

export function optionRef(r: ResolvedOption): OptionRef {
  return { space: r.def.space, name: r.def.name, code: r.def.code, type: r.def.type };
}

/** parse_option_space_decl(): after `option space`. */
export function parseOptionSpaceDecl(p: Cursor, pos: Pos) {
  const tok = p.next();
  if (!isIdentifier(tok)) p.fail('expecting identifier.');
  let codeWidth: 1 | 2 | 4 = 1;
  let lengthWidth: 1 | 2 = 1;
  let hashSize: number | undefined;
  while (true) {
    const t = p.next();
    if (t.t === ';') break;
    if (t.t === 'code') {
      if (p.next().t !== 'width') p.fail('expecting width token.');
      const n = p.next();
      if (n.t !== 'NUMBER') p.fail('expecting number 1, 2, 4.');
      const w = Number.parseInt(n.text, 10);
      if (w !== 1 && w !== 2 && w !== 4) p.fail(`invalid code width (${w}), expecting a 1, 2 or 4.`);
      codeWidth = w;
    } else if (t.t === 'length') {
      if (p.next().t !== 'width') p.fail('expecting width token.');
      const n = p.next();
      if (n.t !== 'NUMBER') p.fail('expecting number 1 or 2.');
      const w = Number.parseInt(n.text, 10);
      if (w !== 1 && w !== 2) p.fail(`invalid length width (${w}) expecting 1 or 2.`);
      lengthWidth = w;
    } else if (t.t === 'hash') {
      if (p.next().t !== 'size') p.fail('expecting size token.');
      const n = p.next();
      if (n.t !== 'NUMBER') p.fail('expecting a 10base number');
      hashSize = Number.parseInt(n.text, 10);
    } else {
      p.fail('Unexpected token.');
    }
  }
  const space: OptionSpace = { name: tok.text, codeWidth, lengthWidth };
  p.state.catalogue.defineSpace(space);
  const node = { kind: 'option-space' as const, pos, name: tok.text, codeWidth, lengthWidth };
  return hashSize === undefined ? node : { ...node, hashSize };
}

/**
 * parse_option_code_definition(): after `option NAME code`. Builds the OptionType and defines
 * the option in the catalogue so later statements can use it (ISC works in file order).
 */
export function parseOptionCodeDefinition(p: Cursor, pos: Pos, space: string, name: string) {
  let tok = p.next();
  if (tok.t !== 'NUMBER') p.fail('expecting option code number.');
  const code = Number.parseInt(tok.text, 10);
  if (p.next().t !== '=') p.fail('expecting "="');
  let arrayAll = false;
  let record = false;
  tok = p.next();
  if (tok.t === 'array') {
    if (p.next().t !== 'of') p.fail('expecting "of".');
    arrayAll = true;
    tok = p.next();
  }
  if (tok.t === '{') {
    record = true;
    tok = p.next();
  }
  const fields: OptionType[] = [];
  let hasEncapsulation = false;
  let noMore = false;
  while (true) {
    if (hasEncapsulation) p.fail('encapsulate must always be the last item.');
    let innerArray = false;
    if (tok.t === 'array') {
      if (arrayAll) p.fail('no nested arrays.');
      if (p.next().t !== 'of') p.fail('expecting "of".');
      tok = p.next();
      if (record && tok.t === '{') p.fail('only uniform array inside record.');
      if (!record) arrayAll = true;
      else innerArray = true;
    }
    let t: OptionType;
    let textual = false;
    switch (tok.t) {
      case 'boolean':
        t = { kind: 'boolean' };
        break;
      case 'integer':
      case 'signed':
      case 'unsigned': {
        const signed = tok.t !== 'unsigned';
        if (tok.t !== 'integer' && p.next().t !== 'integer') p.fail('expecting "integer" keyword.');
        const n = p.next();
        if (n.t !== 'NUMBER') p.fail('expecting number.');
        const bits = Number.parseInt(n.text, 10);
        if (bits !== 8 && bits !== 16 && bits !== 32) p.fail(`${n.text} bit precision is not supported.`);
        t = { kind: 'integer', bits, signed };
        break;
      }
      case 'ip-address':
        t = { kind: 'ip-address' };
        break;
      case 'ip6-address':
        t = { kind: 'ip6-address' };
        break;
      case 'domain-name':
        t = { kind: 'domain-name' };
        textual = true;
        break;
      case 'domain-list': {
        const compressed = p.peek().t === 'compressed';
        if (compressed) p.next();
        t = { kind: 'domain-list', compressed };
        textual = true;
        break;
      }
      case 'text':
        t = { kind: 'text' };
        textual = true;
        break;
      case 'string':
        t = { kind: 'string' };
        textual = true;
        break;
      case 'encapsulate': {
        const s = p.next();
        if (!isIdentifier(s)) p.fail('expecting option space identifier');
        if (!spaceExists(p, s.text)) p.fail(`unknown option space ${s.text}`);
        t = { kind: 'encapsulate', space: s.text };
        hasEncapsulation = true;
        break;
      }
      case 'zerolen':
        if (arrayAll || innerArray) p.fail('array incompatible with zerolen.');
        t = { kind: 'zero-length' };
        noMore = true;
        break;
      default:
        p.fail(`unknown data type ${tok.text}`);
    }
    if (textual) {
      if (arrayAll || innerArray) p.fail('arrays of text strings not yet supported.');
      noMore = true;
    }
    fields.push(innerArray ? { kind: 'array', of: t } : t);
    if (!record) break;
    tok = p.next();
    if (tok.t === ',') {
      if (noMore) p.fail(`${t.kind === 'text' ? 'text' : 'string'} must be at end of record.`);
      tok = p.next();
      continue;
    }
    if (tok.t !== '}') p.fail('expecting right brace.');
    break;
  }
  parseSemi(p);
  if (hasEncapsulation && arrayAll) p.fail("Arrays of encapsulations don't make sense.");
  const one: OptionType = record ? { kind: 'record', fields } : fields[0]!;
  const type: OptionType = arrayAll ? { kind: 'array', of: one } : one;
  try {
    p.state.catalogue.define({ space, name, code, type });
  } catch (e) {
    p.fail(`option ${space}.${name}: ${(e as Error).message}`);
  }
  return { kind: 'option-definition' as const, pos, space, name, code, type };
}

// ---------------------------------------------------------------------------------------------
// Values

export interface ParsedValue {
  value: OptionValue;
  hostnames: string[];
}

interface Atom {
  fmtIndex: number;
  value: OptionValue;
}

/**
 * parse_option_data(): read a value by ISC format, element by element ('A' repeats the whole
 * format after a comma, 'a' repeats the last atom), then shape it into an OptionValue.
 * `lookups` allows host names where addresses are expected.
 */
export function parseOptionData(p: Cursor, r: ResolvedOption, lookups: boolean): ParsedValue {
  const fmt = r.format;
  const hostnames: string[] = [];
  const elements: Atom[][] = [];
  let atoms: Atom[] = [];
  let f = -1;
  while (true) {
    if (f > 0 && fmt[f] === 'a') f -= 1;
    else if (f < 0 || fmt[f] === 'A') {
      f = 0;
      if (atoms.length > 0) elements.push(atoms);
      atoms = [];
    }
    while (f < fmt.length) {
      const c = fmt[f];
      if (c === 'A' || c === 'a') break;
      if (c === 'o') {
        f++;
        continue;
      }
      if (fmt[f + 1] === 'o' && p.peek().t === ';') {
        f++;
        continue;
      }
      const start = f;
      const [value, nextF] = parseOptionToken(p, fmt, f, lookups, hostnames);
      if (value !== undefined) atoms.push({ fmtIndex: start, value });
      f = nextF + 1;
    }
    if (fmt[f] === 'A' || fmt[f] === 'a') {
      if (p.peek().t === ',') {
        p.next();
        continue;
      }
      if (fmt[f] === 'A' || f + 1 >= fmt.length) break;
      f++;
      continue;
    }
    break;
  }
  elements.push(atoms);
  return { value: shapeValue(fmt, elements), hostnames };
}

/** Where the format's array markers are ('A': whole format repeats; 'a': last atom repeats). */
function arrayMarks(fmt: string): { whole: boolean; small: number } {
  let whole = false;
  let small = -1;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c === 'E' || c === 'N') i = fmt.indexOf('.', i);
    else if (c === 'A') whole = true;
    else if (c === 'a' && small < 0) small = i;
  }
  return { whole, small };
}

function shapeValue(fmt: string, elements: Atom[][]): OptionValue {
  const marks = arrayMarks(fmt);
  const one = (atoms: Atom[]): OptionValue => {
    const small = marks.small;
    if (small > 0) {
      // A record whose last field repeats: fixed fields, then the array.
      const repeated = atoms.filter((a) => a.fmtIndex === small - 1).map((a) => a.value);
      const fixed = atoms.filter((a) => a.fmtIndex !== small - 1).map((a) => a.value);
      return fixed.length === 0 ? repeated : [...fixed, repeated];
    }
    if (atoms.length === 1) return atoms[0]!.value;
    return atoms.map((a) => a.value);
  };
  if (marks.whole) return elements.filter((e) => e.length > 0).map(one);
  return one(elements[0] ?? []);
}

/**
 * parse_option_token(): one atom of the format at `f`. Returns the typed value (undefined when
 * an optional atom was absent) and the index of the atom's last format character.
 */
export function parseOptionToken(
  p: Cursor,
  fmt: string,
  f: number,
  lookups: boolean,
  hostnames: string[],
): [OptionValue | undefined, number] {
  const c = fmt[f];
  const optional = (end: number) => fmt[end + 1] === 'o';
  switch (c) {
    case 'U': {
      const tok = p.next();
      if (!isIdentifier(tok)) {
        if (optional(f)) return [undefined, f];
        p.fail('expecting identifier.');
      }
      return [tok.text, f];
    }
    case 'E':
    case 'X': {
      const end = c === 'E' ? fmt.indexOf('.', f) : f;
      const tok = p.peek();
      if (tok.t === 'NUMBER_OR_NAME' || tok.t === 'NUMBER') return [parseCshl(p), end];
      p.next();
      if (tok.t === 'STRING') return [bytesOf(tok.text), end];
      if (optional(end)) return [undefined, end];
      return p.fail('expecting string or hexadecimal data.');
    }
    case 'D': {
      const end = fmt[f + 1] === 'c' ? f + 1 : f;
      return [parseDomainList(p), end];
    }
    case 'd': {
      const name = parseHostName(p);
      if (name === undefined || !validDomainName(name)) p.fail('not a valid domain name.');
      return [name, f];
    }
    case 't': {
      const tok = p.next();
      if (tok.t !== 'STRING' && !isIdentifier(tok)) {
        if (optional(f)) return [undefined, f];
        p.fail('expecting string.');
      }
      return [bytesToText(tok.text), f];
    }
    case 'k': {
      if (p.peek().t === 'STRING') return [p.next().text, f];
      const name = parseHostName(p);
      if (name === undefined) p.fail('not a valid key name.');
      return [name, f];
    }
    case 'N': {
      const dot = fmt.indexOf('.', f);
      const enumName = fmt.slice(f + 1, dot);
      const tok = p.next();
      if (!isIdentifier(tok)) p.fail('identifier expected');
      if (!enumerationValues(enumName).includes(tok.text)) p.fail('unknown value');
      return [tok.text, dot];
    }
    case 'I': {
      if (lookups) {
        const r = parseIpAddrOrHostname(p);
        if (r.hostname !== undefined) {
          hostnames.push(r.hostname);
          return [r.hostname, f];
        }
        return [r.address!, f];
      }
      return [parseIpAddr(p), f];
    }
    case '6':
      return [parseIp6Addr(p), f];
    case 'T':
    case 'L':
    case 'l':
    case 's':
    case 'S':
    case 'b':
    case 'B': {
      const tok = p.next();
      if (c === 'T' && tok.t === 'infinite') return [0xffffffff, f];
      if (tok.t !== 'NUMBER' && tok.t !== 'NUMBER_OR_NAME') {
        if (optional(f)) return [undefined, f];
        p.fail('expecting number.');
      }
      const size = c === 's' || c === 'S' ? 16 : c === 'b' || c === 'B' ? 8 : 32;
      const n = convertNum(p, tok.text, 0, size);
      // Unsigned fields store the bits (as C's cast does); signed fields keep the sign.
      const value = c === 'L' || c === 'T' ? n >>> 0 : c === 'S' ? n & 0xffff : c === 'B' ? n & 0xff : n;
      return [value, f];
    }
    case 'f': {
      const tok = p.next();
      if (!isIdentifier(tok)) {
        if (optional(f)) return [undefined, f];
        p.fail('expecting identifier.');
      }
      const v = tok.text.toLowerCase();
      if (v === 'true' || v === 'on') return [true, f];
      if (v === 'false' || v === 'off') return [false, f];
      if (v === 'ignore') return ['ignore', f];
      if (optional(f)) return [undefined, f];
      return p.fail('expecting boolean.');
    }
    case 'Z':
      if (p.peek().t !== ';') p.fail('semicolon expected.');
      return [true, f];
    default:
      return p.fail(`Bad format '${c}' in parse_option_token.`);
  }
}

/** parse_domain_list(): quoted names separated by commas. */
function parseDomainList(p: Cursor): string[] {
  const out: string[] = [];
  while (true) {
    const tok = p.next();
    if (tok.t !== 'STRING') p.fail('Expecting a domain string.');
    if (!validDomainName(tok.text)) p.fail('Error assembling domain list: Message too long');
    out.push(bytesToText(tok.text));
    if (p.peek().t !== ',') break;
    p.next();
  }
  return out;
}

/** What ns_name_pton() accepts: labels of at most 63 bytes, 255 bytes in all. */
function validDomainName(name: string): boolean {
  if (name.length > 253 + (name.endsWith('.') ? 1 : 0)) return false;
  const labels = name.replace(/\.$/, '').split('.');
  if (name === '.' || name === '') return true;
  return labels.every((l) => l.length > 0 && l.length <= 63);
}

/**
 * parse_option_statement(): after the option name — `;` (no value), `= expression`, or a value
 * read by format — then `;`.
 */
export function parseOptionStatementTail(
  p: Cursor,
  pos: Pos,
  r: ResolvedOption,
  op: OptionStatement['op'],
  parseDataExpr: (p: Cursor) => import('./ast.js').Expr,
): OptionStatement {
  const stmt: OptionStatement = { kind: 'option', pos, op, option: optionRef(r) };
  const tok = p.peek();
  if (tok.t === ';' && r.format[0] !== 'Z') {
    // ISC eats this ';' and then still wants one: `option routers;` followed by anything but
    // ';' is "semicolon expected." at the next token, and `option routers;;` crashes dhcpd.
    p.next();
    parseSemi(p);
    p.fail(`option ${r.def.space === 'dhcp' ? '' : `${r.def.space}.`}${r.def.name} needs a value.`);
  }
  if (tok.t === '=') {
    p.next();
    stmt.expr = parseDataExpr(p);
  } else {
    const v = parseOptionData(p, r, true);
    stmt.value = v.value;
    if (v.hostnames.length > 0) stmt.hostnames = v.hostnames;
  }
  parseSemi(p);
  return stmt;
}
