// The complete `lease ADDRESS { ... }` grammar (server/confpars.c parse_lease_declaration),
// over the shared lexer and parser helpers of src/conf, with ISC's messages. This is the
// authoritative reader: fast-lease.ts only handles the common, canonical shapes and hands
// everything else here.

import { tokenize } from '../conf/lexer.js';
import { parseDateFields, parseHostName, parseNumericAggregate, parseSemi } from '../conf/parse-basic.js';
import { parseHardware, type Scope } from '../conf/parse-declarations.js';
import { parseExecutableStatement } from '../conf/parse-executable.js';
import { parseOptionData, parseOptionName } from '../conf/parse-options.js';
import type { Cursor } from '../conf/parser-core.js';
import { bytesOf, isIdentifier, type Token } from '../conf/tokens.js';
import type { BindingState, Lease, LeaseTime, VariableValue } from './lease.js';
import { ipv4ToString, newLease } from './lease.js';
import { hardwareTypeOf, iscDateToTime } from './text.js';
import { setVariable } from './variables.js';

/** What the parser needs beyond the cursor: the record's text (for verbatim statements). */
export interface LeaseParseContext {
  /** The text the cursor tokenised (offsets of its tokens index into it). */
  source: string;
  /** Class names known (from dhcpd.conf); undefined when unknown, and then not checked. */
  classes?: ReadonlySet<string>;
}

const ROOT: Scope = { type: 'root' };

/** parse_date_core() + parse_semi(): `W YYYY/MM/DD HH:MM:SS [TZOFF];`, `epoch N;`, `never;`. */
export function parseLeaseDate(p: Cursor): LeaseTime {
  const d = parseDateFields(p);
  parseSemi(p);
  if (d.kind === 'never') return Number.POSITIVE_INFINITY;
  if (d.kind === 'epoch') return d.seconds;
  return iscDateToTime(d.year, d.month, d.mday, d.hour, d.min, d.sec, d.tzoff);
}

const STATE_OF: Record<string, BindingState | 'reserved' | 'bootp'> = {
  abandoned: 'abandoned',
  free: 'free',
  active: 'active',
  expired: 'expired',
  released: 'released',
  reset: 'reset',
  backup: 'backup',
  reserved: 'reserved',
  bootp: 'bootp',
};

// ISC's seenmask bits: a statement seen twice is "Too many ... parameters".
const SEEN: Record<string, number> = {
  starts: 1,
  ends: 2,
  uid: 8,
  class: 32,
  hardware: 64,
  next: 128,
  binding: 256,
  abandoned: 256,
  rewind: 512,
  'client-hostname': 1024,
  billing: 2048,
  tstp: 65536,
  tsfp: 131072,
  atsfp: 262144,
  cltt: 524288,
};

/** After `lease` has been consumed. */
export function parseLeaseBody(p: Cursor, ctx: LeaseParseContext): Lease {
  const octets = parseNumericAggregate(p, 4, '.', 10, 8);
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const lease = newLease(address);
  if (p.next().t !== '{') p.fail('expecting left brace.');
  let seenmask = 0;
  let state: BindingState | undefined;
  let next: BindingState | undefined;
  let rewind: BindingState | undefined;
  while (true) {
    const tok = p.peek();
    if (tok.t === '}') {
      p.next();
      break;
    }
    if (tok.t === 'EOF') {
      p.next();
      p.fail('unexpected end of file');
    }
    let seenbit = SEEN[tok.t] ?? 0;
    if (tok.t === 'on') {
      const s = parseExecutableStatement(p, 'any');
      if (!s || s.kind !== 'on') p.fail('possibly corrupt lease file');
      if (s.events.includes('expiry')) seenbit |= 16384;
      if (s.events.includes('release')) seenbit |= 32768;
      lease.onStatements = add(lease.onStatements, verbatim(ctx.source, tok, p.peekAt(0)));
    } else {
      p.next();
      switch (tok.t) {
        case 'starts':
        case 'ends':
        case 'tstp':
        case 'tsfp':
        case 'atsfp':
        case 'cltt':
          lease[tok.t] = parseLeaseDate(p);
          break;
        case 'timestamp':
          // ISC parses the date, then finds no field for it and aborts (log_fatal).
          parseLeaseDate(p);
          p.fail('Impossible error at confpars.c.');
          break;
        case 'uid': {
          // ISC keeps an empty quoted uid as "no uid" (it writes none back).
          const uid =
            p.peek().t === 'STRING' ? bytesOf(p.next().text) : new Uint8Array(parseNumericAggregate(p, 0, ':', 16, 8));
          if (uid.length > 0) lease.uid = uid;
          parseSemi(p);
          break;
        }
        case 'class': {
          const name = p.next();
          if (!isIdentifier(name)) p.fail('possibly corrupt lease file');
          parseSemi(p);
          lease.opaque = add(lease.opaque, `class ${name.text};`);
          break;
        }
        case 'hardware': {
          const hw = parseHardware(p, p.pos(tok));
          if (hw.kind !== 'hardware') break;
          lease.hardware = { type: hardwareTypeOf(hw.hwType) ?? 0, address: hw.address };
          break;
        }
        case 'reserved':
          lease.reserved = true;
          parseSemi(p);
          break;
        case 'dynamic-bootp':
          lease.bootp = true;
          parseSemi(p);
          break;
        case 'abandoned':
          state = 'abandoned';
          next = 'abandoned';
          parseSemi(p);
          break;
        case 'next':
        case 'rewind':
        case 'binding': {
          if (tok.t !== 'binding' && p.next().t !== 'binding') p.fail("expecting 'binding'");
          if (p.next().t !== 'state') p.fail("expecting 'state'");
          const v = p.next();
          const s = STATE_OF[v.t];
          if (s === undefined) p.fail(`${v.text}: expecting a binding state.`);
          let bs: BindingState;
          if (s === 'reserved' || s === 'bootp') {
            lease[s] = true;
            bs = 'active';
          } else {
            bs = s;
          }
          if (tok.t === 'binding') {
            state = bs;
            if (!(seenmask & 128)) next = bs;
            if (!(seenmask & 512)) rewind = bs;
          } else if (tok.t === 'next') {
            next = bs;
          } else {
            rewind = bs;
          }
          parseSemi(p);
          break;
        }
        case 'client-hostname': {
          if (p.peek().t === 'STRING') {
            lease.clientHostname = p.next().text;
            parseSemi(p);
          } else {
            const name = parseHostName(p);
            if (name === undefined) p.fail('expecting a hostname.');
            lease.clientHostname = name;
            parseSemi(p);
          }
          break;
        }
        case 'billing':
          lease.opaque = add(lease.opaque, parseBilling(p, ctx, tok));
          break;
        case 'option':
        case 'supersede': {
          const r = parseOptionName(p, false);
          if (r.space.toLowerCase() !== 'agent' || r.resolved === undefined) p.fail('agent option expected.');
          const v = parseOptionData(p, r.resolved, false);
          parseSemi(p);
          const def = r.resolved.def;
          lease.agentOptions = add(lease.agentOptions, {
            space: def.space,
            name: def.name,
            code: def.code,
            type: def.type,
            value: v.value,
          });
          break;
        }
        case 'set': {
          const name = p.next();
          if (name.t !== 'NAME' && name.t !== 'NUMBER_OR_NAME') p.fail(`${name.text} can't be a variable name`);
          if (p.next().t !== '=') p.fail("expecting '=' in set statement.");
          lease.variables = setVariable(lease.variables, name.text, parseBindingValue(p));
          parseSemi(p);
          break;
        }
        default: {
          const special = tok.text.toLowerCase();
          if (special !== 'ddns-fwd-name' && special !== 'ddns-rev-name') {
            p.fail('Unexpected configuration directive.');
          }
          // ISC's shorthand for `set ddns-fwd-name = ...` (no '='); it writes it back with `set`.
          seenbit = special === 'ddns-fwd-name' ? 4096 : 8192;
          lease.variables = setVariable(lease.variables, tok.text, parseBindingValue(p));
          parseSemi(p);
        }
      }
    }
    if (seenmask & seenbit) {
      p.fail(`Too many ${tok.text.slice(0, 31)} parameters in lease ${ipv4ToString(lease.address)}`);
    }
    seenmask |= seenbit;
  }
  lease.bindingState = state;
  lease.nextBindingState = next !== state ? next : undefined;
  lease.rewindBindingState = rewind !== state ? rewind : undefined;
  return lease;
}

/** Append to a list that may not exist yet. */
function add<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/** parse_binding_value(): "string", colon-hex, %number, true/false. */
export function parseBindingValue(p: Cursor): VariableValue {
  const tok = p.peek();
  if (tok.t === 'STRING') {
    p.next();
    return { type: 'data', data: bytesOf(tok.text) };
  }
  if (tok.t === 'NUMBER_OR_NAME') {
    return { type: 'data', data: new Uint8Array(parseNumericAggregate(p, 0, ':', 16, 8)) };
  }
  if (tok.t === '%') {
    p.next();
    const n = p.next();
    if (n.t !== 'NUMBER') p.fail('expecting decimal number.');
    return { type: 'number', value: Number.parseInt(n.text, 10) };
  }
  if (tok.t === 'NAME') {
    p.next();
    const v = tok.text.toLowerCase();
    if (v === 'true' || v === 'false') return { type: 'boolean', value: v === 'true' };
    p.fail('expecting true or false');
  }
  return p.fail('expecting a constant value.');
}

/** `billing class "NAME";` or `billing subclass "NAME" SELECTOR;`, kept as text. */
function parseBilling(p: Cursor, ctx: LeaseParseContext, first: Token): string {
  const kind = p.next();
  if (kind.t === 'class') {
    const name = p.next();
    if (name.t !== 'STRING') p.fail('expecting string');
    if (ctx.classes !== undefined && !ctx.classes.has(name.text)) p.fail(`unknown class ${name.text}`);
    parseSemi(p);
  } else if (kind.t === 'subclass') {
    const name = p.next();
    if (name.t !== 'STRING') p.fail('Expecting class name');
    if (ctx.classes !== undefined && !ctx.classes.has(name.text)) p.fail(`no class named ${name.text}`);
    const sel = p.next();
    if (sel.t !== 'STRING' && sel.t !== 'NUMBER' && sel.t !== 'NUMBER_OR_NAME') p.fail('Expecting string or hex list.');
    while (p.peek().t === ':') {
      p.next();
      p.next();
    }
    parseSemi(p);
  } else {
    p.fail('expecting "class"');
  }
  return verbatim(ctx.source, first, p.peekAt(0));
}

/**
 * The source text from `first` up to the last token before `after`: re-lexed, so a comment
 * between the statement and the next token is not included.
 */
export function verbatim(source: string, first: Token, after: Token): string {
  const raw = source.slice(first.offset, after.offset);
  const toks = tokenize(raw);
  const last = toks[toks.length - 2];
  return last ? raw.slice(0, last.end) : raw.trimEnd();
}

export { ROOT };
