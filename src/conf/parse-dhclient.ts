// dhclient.conf (client/clparse.c parse_client_statement): request/require lists, timers,
// interface and pseudo-interface blocks, static leases and aliases, reject lists, media, script,
// and the executable statements (send, supersede, prepend, append, default, on, if, ...).

import type { ClientLeaseItem, OptionRef, Pos, Statement } from './ast.js';
import { includeClientFile } from './include-client.js';
import { parseDateCore, parseIpAddr, parseLeaseTime, parseSemi, parseStringSemi } from './parse-basic.js';
import { parseHardware } from './parse-declarations.js';
import { parseExecutableStatement } from './parse-executable.js';
import {
  optionRef,
  parseOptionCodeDefinition,
  parseOptionData,
  parseOptionName,
  parseOptionSpaceDecl,
} from './parse-options.js';
import type { Cursor } from './parser-core.js';
import { bytesToText, isIdentifier, type Token } from './tokens.js';

/** The interface block being parsed (undefined at the outer level). */
export type ClientScope = string | undefined;

/** read_client_conf_file(): statements until end of file. */
export function parseClientFile(p: Cursor, iface: ClientScope): Statement[] {
  const out: Statement[] = [];
  while (p.peek().t !== 'EOF') parseClientStatement(p, iface, out);
  return out;
}

const TIMERS = new Set([
  'timeout',
  'retry',
  'select-timeout',
  'reboot',
  'backoff-cutoff',
  'initial-interval',
  'initial-delay',
]);

export function parseClientStatement(p: Cursor, iface: ClientScope, out: Statement[]): void {
  const tok = p.peek();
  const pos = p.pos(tok);
  switch (tok.t) {
    case 'include': {
      p.next();
      const f = p.next();
      if (f.t !== 'STRING') p.fail('filename string expected.');
      const body = includeClientFile(p, f, iface);
      parseSemi(p);
      out.push({ kind: 'include', pos, path: f.text, body });
      return;
    }
    case 'key':
      if (iface !== undefined) {
        p.next();
        p.fail('key definition not allowed here.');
      }
      break;
    case 'also': {
      p.next();
      const t = p.next();
      if (t.t !== 'request' && t.t !== 'require') p.fail('expected REQUEST or REQUIRE list');
      out.push({ kind: t.t, pos, also: true, options: parseOptionList(p) });
      return;
    }
    case 'require':
      p.next();
      if (p.peek().t === 'authentication') {
        p.next();
        out.push({ kind: 'auth-policy', pos, policy: 'require' });
        parseSemi(p);
        return;
      }
      out.push({ kind: 'require', pos, also: false, options: parseOptionList(p) });
      return;
    case 'request':
      p.next();
      out.push({ kind: 'request', pos, also: false, options: parseOptionList(p) });
      return;
    case 'option': {
      p.next();
      if (p.peek().t === 'space') {
        p.next();
        if (iface !== undefined) p.fail('option space definitions  may not be scoped.');
        out.push(parseOptionSpaceDecl(p, pos));
        return;
      }
      const r = parseOptionName(p, true);
      if (p.next().t !== 'code') p.fail('expecting "code" keyword.');
      if (iface !== undefined) p.fail('option definitions may only appear in the outermost scope.');
      out.push(parseOptionCodeDefinition(p, pos, r.space, r.name));
      return;
    }
    case 'media': {
      p.next();
      out.push({ kind: 'media', pos, media: parseStringList(p, true) });
      return;
    }
    case 'hardware':
    case 'anycast-mac':
      p.next();
      if (iface === undefined) {
        p.fail(
          tok.t === 'hardware'
            ? 'hardware address parameter not allowed here.'
            : 'anycast mac address parameter not allowed here.',
        );
      }
      out.push(parseHardware(p, pos));
      return;
    case 'omapi': {
      p.next();
      const t = p.next();
      if (t.t !== 'port') p.fail(`unexpected omapi subtype: ${t.text}`);
      const n = p.next();
      if (n.t !== 'NUMBER') p.fail(`invalid port number: \`${n.text}'`);
      const port = Number.parseInt(n.text, 10);
      if (port < 0 || port > 65535) p.fail(`invalid omapi port ${port}.`);
      if (iface !== undefined) p.fail('omapi port only works at top level.');
      parseSemi(p);
      out.push({ kind: 'omapi-port', pos, port });
      return;
    }
    case 'do-forward-updates': {
      p.next();
      const t = p.next();
      const v = t.text.toLowerCase();
      if (v !== 'on' && v !== 'true' && v !== 'off' && v !== 'false') p.fail('expecting boolean value.');
      parseSemi(p);
      out.push({ kind: 'do-forward-updates', pos, value: v === 'on' || v === 'true' });
      return;
    }
    case 'script':
      p.next();
      out.push({ kind: 'script', pos, path: bytesToText(parseStringSemi(p)) });
      return;
    case 'vendor': {
      p.next();
      if (p.next().t !== 'option') p.fail("expecting 'vendor option space'");
      if (p.next().t !== 'space') p.fail("expecting 'vendor option space'");
      const s = p.next();
      if (!isIdentifier(s)) p.fail('expecting an identifier.');
      if (p.state.catalogue.space(s.text) === undefined) {
        p.warn(`vendor option space ${s.text} not found.`, { noLine: true });
      }
      parseSemi(p);
      out.push({ kind: 'vendor-option-space', pos, space: s.text });
      return;
    }
    case 'interface':
    case 'pseudo': {
      p.next();
      let pseudo: string | undefined;
      if (tok.t === 'pseudo') pseudo = p.next().text;
      else if (iface !== undefined) p.fail('nested interface declaration.');
      const n = p.next();
      if (n.t !== 'STRING') p.fail('expecting interface name (in quotes).');
      if (p.next().t !== '{') p.fail('expecting left brace.');
      const body: Statement[] = [];
      while (true) {
        const t = p.peek();
        if (t.t === 'EOF') p.fail('unterminated interface declaration.');
        if (t.t === '}') break;
        parseClientStatement(p, n.text, body);
      }
      p.next();
      const decl: Statement = { kind: 'interface-decl', pos, name: n.text, body };
      if (pseudo !== undefined) decl.pseudo = pseudo;
      out.push(decl);
      return;
    }
    case 'lease':
    case 'alias':
      p.next();
      out.push({ kind: 'client-lease', pos, alias: tok.t === 'alias', body: parseClientLease(p) });
      return;
    case 'reject':
      p.next();
      out.push({ kind: 'reject', pos, addresses: parseRejectList(p) });
      return;
    case 'lease-id-format': {
      p.next();
      const f = p.next();
      if (f.t !== 'octal' && f.t !== 'hex') p.fail('lease-id-format is invalid:  it must be octal or hex.');
      if (p.next().t !== ';') p.fail('corrupt lease file; expecting a semicolon');
      parseSemi(p);
      return;
    }
  }
  if (TIMERS.has(tok.t)) {
    p.next();
    const seconds = parseLeaseTime(p);
    out.push({ kind: tok.t as 'timeout', pos, seconds });
    return;
  }
  const st = parseExecutableStatement(p, 'any');
  if (st === undefined) p.fail('expecting a statement.');
  if (st !== null) out.push(st);
}

/** parse_option_list(): names separated by commas, then ';' (an empty list is allowed). */
function parseOptionList(p: Cursor): OptionRef[] {
  const out: OptionRef[] = [];
  let t = p.peek();
  if (t.t === ';') {
    p.next();
    return out;
  }
  do {
    t = p.peek();
    if (!isIdentifier(t)) {
      p.next();
      p.fail(`${t.text}: expected option name.`);
    }
    const r = parseOptionName(p, false);
    out.push(optionRef(r.resolved!));
    t = p.next();
  } while (t.t === ',');
  if (t.t !== ';') p.fail('expecting semicolon.');
  return out;
}

function parseStringList(p: Cursor, multiple: boolean): string[] {
  const out: string[] = [];
  let t: Token;
  do {
    t = p.next();
    if (t.t !== 'STRING') p.fail('Expecting media options.');
    out.push(bytesToText(t.text));
    t = p.next();
  } while (multiple && t.t === ',');
  if (t.t !== ';') p.fail('expecting semicolon.');
  return out;
}

/** parse_reject_statement(): addresses or address/prefix, comma-separated. */
function parseRejectList(p: Cursor): { address: string; prefix: number }[] {
  const out: { address: string; prefix: number }[] = [];
  let t: Token;
  do {
    const tt = p.peek();
    if (tt.t !== 'NUMBER') p.fail('expecting ip-address or ip-address/prefixlen');
    const address = parseIpAddr(p);
    let prefix = 32;
    if (p.peek().t === '/') {
      p.next();
      const n = p.next();
      if (n.t !== 'NUMBER') p.fail('Invalid CIDR prefix length: expecting a number.');
      prefix = Number.parseInt(n.text, 10);
      if (prefix < 0 || prefix > 32) p.fail('subnet prefix is out of range [0..32].');
    }
    if (prefix === 0) p.fail('zero-length prefix is not permitted for reject statement');
    out.push({ address, prefix });
    t = p.next();
  } while (t.t === ',');
  if (t.t !== ';') p.fail('expecting semicolon.');
  return out;
}

/** parse_client_lease_statement(): `lease { ... }` / `alias { ... }`. */
function parseClientLease(p: Cursor): ClientLeaseItem[] {
  if (p.next().t !== '{') p.fail('expecting left brace.');
  const items: ClientLeaseItem[] = [];
  while (true) {
    const t = p.peek();
    if (t.t === 'EOF') p.fail('unterminated lease declaration.');
    if (t.t === '}') break;
    const item = parseClientLeaseItem(p);
    if (item) items.push(item);
  }
  p.next();
  return items;
}

function parseClientLeaseItem(p: Cursor): ClientLeaseItem | undefined {
  const t = p.next();
  const pos: Pos = p.pos(t);
  let item: ClientLeaseItem | undefined;
  switch (t.t) {
    case 'key': {
      const k = p.next();
      if (k.t !== 'STRING' && !isIdentifier(k)) p.fail('expecting key name.');
      if (!p.state.keys.has(k.text)) p.fail(`unknown key ${k.text}`);
      parseSemi(p);
      item = { kind: 'key', pos, name: k.text };
      break;
    }
    case 'bootp':
      item = { kind: 'bootp', pos };
      break;
    case 'interface': {
      const n = p.next();
      if (n.t !== 'STRING') p.fail('expecting interface name (in quotes).');
      item = { kind: 'interface', pos, name: n.text };
      break;
    }
    case 'fixed-address':
      item = { kind: 'fixed-address', pos, address: parseIpAddr(p) };
      break;
    case 'medium':
      return { kind: 'medium', pos, value: parseStringList(p, false).join(' ') };
    case 'filename':
    case 'server-name':
      return { kind: t.t, pos, value: bytesToText(parseStringSemi(p)) };
    case 'renew':
    case 'rebind':
    case 'expire': {
      const time = parseDateCore(p);
      parseSemi(p);
      return { kind: t.t, pos, time };
    }
    case 'option': {
      const r = parseOptionName(p, false);
      const v = parseOptionData(p, r.resolved!, false);
      if (p.next().t !== ';') p.fail('semicolon expected.');
      return { kind: 'option', pos, op: 'supersede', option: optionRef(r.resolved!), value: v.value };
    }
    default:
      p.fail('expecting lease declaration.');
  }
  if (p.next().t !== ';') p.fail('expecting semicolon.');
  return item;
}
