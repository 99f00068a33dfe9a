// Shared helpers of the evaluator tests: parse small configurations and build hand-made packets.
import assert from 'node:assert/strict';
import type { Expr, Statement } from '../../../src/conf/ast.js';
import type { CatalogueLike } from '../../../src/conf/catalogue.js';
import {
  createEvalContext,
  type EvalContext,
  type EvalInput,
  hardwareBytes,
  packetOptions,
} from '../../../src/conf/eval-context.js';
import { parseDhcpdConfText } from '../../../src/conf/index.js';
import { buildScopeTree, type ScopeTree } from '../../../src/conf/scope-tree.js';
import { encodeRelayAgentInfo } from '../../../src/wire/relay-agent.js';

export interface Parsed {
  statements: Statement[];
  catalogue: CatalogueLike;
  tree: ScopeTree;
}

export function conf(text: string): Parsed {
  const r = parseDhcpdConfText(text);
  assert.equal(r.error, undefined, r.error?.message);
  assert.ok(r.conf);
  return { statements: r.conf.statements, catalogue: r.catalogue, tree: buildScopeTree(r.conf, r.catalogue) };
}

/** The expression of `set v = TEXT;` after the prelude (option definitions and the like). */
export function expr(text: string, prelude = ''): Expr {
  const { statements } = conf(`${prelude}\nset v = ${text};`);
  const last = statements[statements.length - 1];
  assert.ok(last && last.kind === 'set', 'expected a set statement');
  return last.expr;
}

export const bytes = (...b: number[]) => Uint8Array.from(b);
export const text = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
export const hex = (s: string) => Uint8Array.from(s.split(':').map((x) => Number.parseInt(x, 16)));

export interface PacketSpec {
  /** DHCP options by code; strings are latin1 text. */
  options?: [number, Uint8Array | string][];
  /** Relay agent sub-options, carried in option 82. */
  agent?: [number, Uint8Array | string][];
  htype?: number;
  chaddr?: string;
  file?: string;
  sname?: string;
  raw?: Uint8Array;
  known?: boolean;
}

const asBytes = (v: Uint8Array | string) => (typeof v === 'string' ? text(v) : v);

/** A context for a hand-built packet. */
export function packetCtx(p: PacketSpec, extra: EvalInput = {}): EvalContext {
  const options = new Map<number, Uint8Array>();
  for (const [c, v] of p.options ?? []) options.set(c, asBytes(v));
  if (p.agent) options.set(82, encodeRelayAgentInfo(p.agent.map(([code, v]) => ({ code, data: asBytes(v) }))));
  const chaddr = hex(p.chaddr ?? '00:07:e9:01:02:03');
  const padded = new Uint8Array(16);
  padded.set(chaddr);
  const field = (s: string | undefined, n: number) => {
    const f = new Uint8Array(n);
    if (s) f.set(text(s));
    return f;
  };
  return createEvalContext({
    options: packetOptions(options),
    hardware: hardwareBytes({ htype: p.htype ?? 1, hlen: chaddr.length, chaddr: padded }),
    file: field(p.file, 128),
    sname: field(p.sname, 64),
    known: p.known ?? false,
    ...(p.raw ? { raw: p.raw } : {}),
    ...extra,
  });
}
