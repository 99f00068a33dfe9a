// The top-level records of a lease file other than leases (confpars.c lease_file_subparse):
// OMAPI hosts and groups, dynamic classes and subclasses, failover state, server-duid,
// authoring-byte-order and DHCPv6 IAs. Hosts, groups and classes go through the dhcpd.conf
// parser (ISC does the same); the record keeps its source text for rewriting.

import type { ClassDecl, Declaration, HostDecl, Statement } from '../conf/ast.js';
import { parseNumericAggregate, parseSemi } from '../conf/parse-basic.js';
import { parseStatement } from '../conf/parse-declarations.js';
import { FAILOVER_STATES } from '../conf/parse-failover.js';
import type { Cursor } from '../conf/parser-core.js';
import { bytesOf, isIdentifier } from '../conf/tokens.js';
import type { FailoverStateSetting, IaRecord, LeaseFileRecord } from './lease.js';
import { type LeaseParseContext, parseLeaseBody, parseLeaseDate, ROOT } from './parse-lease.js';

export interface RecordContext extends LeaseParseContext {
  /** Failover peers declared in dhcpd.conf; undefined when unknown (then not checked). */
  failoverPeers?: ReadonlySet<string>;
  /** Set once an authoring-byte-order has been read. */
  byteOrderSeen: boolean;
}

/** One record; the cursor is at its first token. */
export function parseRecord(p: Cursor, ctx: RecordContext): LeaseFileRecord {
  const head = p.peek();
  if (head.t === 'host' || head.t === 'group' || head.t === 'class' || head.t === 'subclass') {
    return parseDeclaration(p, ctx);
  }
  const first = p.next();
  switch (first.t) {
    case 'lease':
      return parseLeaseBody(p, ctx);
    case 'failover':
      return parseFailoverState(p, ctx);
    case 'server-duid': {
      const duid = parseX(p);
      if (duid.length <= 2) p.fail('Invalid duid contents');
      parseSemi(p);
      return { kind: 'server-duid', duid };
    }
    case 'authoring-byte-order': {
      if (ctx.byteOrderSeen) {
        p.fail('authoring-byte-order specified too late.\nIt must occur before the first lease in file');
      }
      const t = p.next();
      if (t.t !== 'little-endian' && t.t !== 'big-endian') {
        p.fail('authoring-byte-order is invalid:  it must be big-endian or little-endian.');
      }
      if (p.next().t !== ';') p.fail('corrupt lease file; expecting a semicolon');
      ctx.byteOrderSeen = true;
      return { kind: 'authoring-byte-order', order: t.t };
    }
    case 'ia-na':
    case 'ia-ta':
    case 'ia-pd':
      // ISC fixes the byte order when it reads the first IA (parse_byte_order_uint32).
      ctx.byteOrderSeen = true;
      return parseIa(p, ctx, first.t);
    default:
      return p.fail('Corrupt lease file - possible data loss!', { noLine: true });
  }
}

function parseDeclaration(p: Cursor, ctx: RecordContext): LeaseFileRecord {
  const out: Statement[] = [];
  parseStatement(p, ROOT, false, out);
  const decl = out[0] as Declaration | HostDecl | ClassDecl | undefined;
  const text = ctx.source.slice(0, p.peekAt(0).offset).trim();
  if (decl === undefined) return p.fail('possibly corrupt lease file');
  if (decl.kind === 'host') {
    // ISC deletes a deleted host from its table, so the name may be declared again.
    if (decl.deleted) p.state.hosts.delete(decl.name);
    return {
      kind: 'host',
      name: decl.name,
      dynamic: decl.dynamic === true,
      deleted: decl.deleted === true,
      decl,
      text,
    };
  }
  if (decl.kind === 'group') {
    return { kind: 'group', name: decl.name ?? '', deleted: decl.deleted === true, text };
  }
  if (decl.kind === 'class' || decl.kind === 'subclass') {
    const rec: LeaseFileRecord = { kind: decl.kind, name: decl.name, deleted: decl.deleted === true, text };
    if (decl.selector !== undefined) rec.selector = decl.selector;
    return rec;
  }
  return p.fail('possibly corrupt lease file');
}

/** parse_X(): a quoted string or colon-separated hex octets. */
function parseX(p: Cursor): Uint8Array {
  const t = p.peek();
  if (t.t === 'STRING') {
    p.next();
    return bytesOf(t.text);
  }
  if (t.t === 'NUMBER' || t.t === 'NUMBER_OR_NAME') return new Uint8Array(parseNumericAggregate(p, 0, ':', 16, 8));
  p.next();
  return p.fail('expecting hex octets or a string.');
}

function parseFailoverState(p: Cursor, ctx: RecordContext): LeaseFileRecord {
  if (p.next().t !== 'peer') p.fail('expecting "peer"');
  const name = p.next();
  if (!isIdentifier(name) && name.t !== 'STRING') p.fail('expecting failover peer name.');
  if (ctx.failoverPeers !== undefined && !ctx.failoverPeers.has(name.text)) {
    p.fail(`unknown failover peer: ${name.text}`);
  }
  if (p.next().t !== 'state') p.fail("expecting 'state'");
  if (p.next().t !== '{') p.fail('expecting left brace');
  const rec: Extract<LeaseFileRecord, { kind: 'failover-state' }> = { kind: 'failover-state', peer: name.text };
  while (true) {
    const t = p.next();
    if (t.t === '}') return rec;
    if (t.t === 'my' || t.t === 'partner') {
      if (p.next().t !== 'state') p.fail("expecting 'state'");
      rec[t.t === 'my' ? 'my' : 'partner'] = parseFailoverSetting(p);
    } else if (t.t === 'mclt') {
      const n = p.next();
      if (n.t !== 'NUMBER') p.fail('expecting a number.');
      rec.mclt = Number.parseInt(n.text, 10);
      parseSemi(p);
    } else {
      p.fail('expecting state setting.');
    }
  }
}

function parseFailoverSetting(p: Cursor): FailoverStateSetting {
  const s = p.next();
  if (!FAILOVER_STATES.has(s.t)) p.fail('unknown failover state');
  const t = p.next();
  if (t.t === ';') return { state: s.t };
  if (t.t !== 'at') p.fail('expecting "at"');
  return { state: s.t, at: parseLeaseDate(p) };
}

/**
 * `ia-na|ia-ta|ia-pd IAID-DUID { cltt DATE; iaaddr|iaprefix ADDR { ... } ... }`. A DHCPv4 server
 * only keeps these; the check is structural (the lexer accepts it and the braces balance).
 */
function parseIa(p: Cursor, ctx: RecordContext, kind: IaRecord['kind']): IaRecord {
  const iaidDuid = parseX(p);
  if (iaidDuid.length < 5) p.fail('corrupt lease file; iaid+ia_xx string too short');
  if (p.next().t !== '{') p.fail('expecting left brace.');
  let depth = 1;
  while (depth > 0) {
    const t = p.next();
    if (t.t === 'EOF') p.fail('unexpected end of file');
    if (t.t === '{') depth++;
    else if (t.t === '}') depth--;
  }
  return { kind, iaidDuid, text: ctx.source.slice(0, p.peekAt(0).offset).trim() };
}
