// Class membership (ISC server/class.c check_collection): which classes a packet belongs to.
//
// ISC facts kept here:
// - Classes are checked in declaration order. A class with `match if` and no `match`/`spawn with`
//   matches when the condition is true (null is false). With both, a false condition ends the check;
//   a true one goes on to the submatch.
// - A submatch (`match EXPR;` / `spawn with EXPR;`) is evaluated as data; null or empty data matches
//   nothing. The data selects a subclass (the packet joins the subclass, whose settings inherit the
//   class's). No subclass and a spawning class: ISC creates one keyed by the data. Here that is
//   reported as `spawned` with its key; the server keeps the spawned subclasses (and lease limits).
// - dhcpd classifies a packet before it looks for a host declaration (dhcp.c calls classify_client
//   before find_lease), so `known` is false in class expressions, whatever the host; `host-decl-name`,
//   `leased-address`, `lease-time` and `config-option` are null there (no lease, no cfg_options).
//   classifyPacket evaluates with that view unless `honourKnown` is set.
// - `vendor-class` and `user-class` declarations are never checked (ISC does not add them to the
//   collection), and dhcpd has no built-in classes: "VENDOR_CLASS_..." / "KNOWN" are Kea's, not ISC
//   DHCP's.

import type { ClassDecl } from './ast.js';
import { evaluateCondition, evaluateData } from './eval.js';
import { type EvalContext, OptionSet, withInputs } from './eval-context.js';
import { type ClassDef, hexKey, type Scope } from './scope-tree.js';

/** ISC classifies with no cfg_options: config-option is null there. */
const NO_CONFIG = new OptionSet();

export interface ClassMembership {
  /** The class's name (for a subclass, its parent's name, as `members of` and ISC's logs use). */
  readonly name: string;
  readonly def: ClassDef;
  /** Hex of the subclass selector, when the packet joined a subclass (declared or spawned). */
  readonly subclassKey?: string;
  /** A spawning class had no subclass for this key: the server creates (or finds) the spawned one. */
  readonly spawned: boolean;
  /** Settings that apply: the declared subclass's scope, else the class's. */
  readonly scope: Scope;
  readonly decl: ClassDecl;
}

export interface ClassifyOptions {
  /** Evaluate `known` and the lease fields as the context has them, not as dhcpd sees them at classification. */
  readonly honourKnown?: boolean;
}

/**
 * The classes `ctx`'s packet belongs to, in ISC's order. Their names are also appended to
 * `ctx.classes` (what `check` and `members of` look at). When building a reply dhcpd 4.4.3 runs the
 * class scopes after the subnet/pool ones, last-matched first, so the first-matched class wins.
 */
export function classifyPacket(
  classes: ReadonlyMap<string, ClassDef>,
  ctx: EvalContext,
  opts: ClassifyOptions = {},
): ClassMembership[] {
  const out: ClassMembership[] = [];
  if (classes.size === 0) return out;
  const view: EvalContext = opts.honourKnown
    ? ctx
    : withInputs(ctx, { known: ctx.known === undefined ? undefined : false, lease: undefined, config: NO_CONFIG });
  for (const def of classes.values()) {
    const decl = def.decl;
    if (decl.kind !== 'class' || decl.deleted) continue;
    if (decl.matchIf !== undefined) {
      if (!evaluateCondition(decl.matchIf, view)) continue;
      if (decl.submatch === undefined) {
        add(out, ctx, { name: def.name, def, spawned: false, scope: def.scope, decl });
        continue;
      }
    }
    if (decl.submatch === undefined) continue;
    const data = evaluateData(decl.submatch, view);
    if (data === undefined || data.length === 0) continue;
    const key = hexKey(data);
    const sub = def.subclasses.get(key);
    if (sub !== undefined) {
      add(out, ctx, { name: def.name, def, subclassKey: key, spawned: false, scope: sub.scope, decl: sub.decl });
    } else if (decl.spawn) {
      add(out, ctx, { name: def.name, def, subclassKey: key, spawned: true, scope: def.scope, decl });
    }
  }
  return out;
}

function add(out: ClassMembership[], ctx: EvalContext, m: ClassMembership): void {
  out.push(m);
  ctx.classes.push(m.name);
}
