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

import type { ClassDecl, Expr } from './ast.js';
import { exprKind } from './eval.js';
import { type Compiled, type CompiledCondition, compileCondition, compileData, constantValue } from './eval-compile.js';
import { type EvalContext, OptionSet, type Value, withInputs } from './eval-context.js';
import { compileRegex, cString, regexTest, sameBytes, sameValue, substringEquals } from './eval-data.js';
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
 *
 * The class map is compiled once per snapshot (planOf): conditions and submatches become compiled
 * closures; what many classes look at is evaluated once per packet — the operand of the usual
 * `match if OPERAND = "constant"` (also through `substring (OPERAND, 0, n)`, and `OPERAND ~= "re"`)
 * and a submatch shared by several classes (`match hardware`) — and subclasses are found by a hash
 * of the selector bytes, with no string made for the lookup.
 */
export function classifyPacket(
  classes: ReadonlyMap<string, ClassDef>,
  ctx: EvalContext,
  opts: ClassifyOptions = {},
): ClassMembership[] {
  const out: ClassMembership[] = [];
  if (classes.size === 0) return out;
  const plan = planOf(classes);
  const view: EvalContext = opts.honourKnown
    ? ctx
    : withInputs(ctx, { known: ctx.known === undefined ? undefined : false, lease: undefined, config: NO_CONFIG });
  const slots: PacketSlots = {
    probes: plan.probes.length === 0 ? NONE : new Array(plan.probes.length),
    conds: plan.condSlots === 0 ? NONE : new Array(plan.condSlots),
    subs: plan.subSlots === 0 ? NONE : new Array(plan.subSlots),
  };
  for (const c of plan.entries) {
    const { def, decl } = c;
    if (c.test !== undefined) {
      if (!passes(c.test, plan, slots, view)) continue;
      if (c.submatch === undefined) {
        add(out, ctx, { name: def.name, def, spawned: false, scope: def.scope, decl });
        continue;
      }
    }
    if (c.submatch === undefined) continue;
    let sel: Selector | undefined;
    if (c.subSlot < 0) sel = selector(c.submatch(view));
    else {
      sel = slots.subs[c.subSlot] as Selector | undefined;
      if (sel === undefined) slots.subs[c.subSlot] = sel = selector(c.submatch(view));
    }
    if (sel === NO_SELECTOR) continue;
    const sub = findSubclass(c, sel);
    if (sub !== undefined) {
      add(out, ctx, { name: def.name, def, subclassKey: sub.key, spawned: false, scope: sub.scope, decl: sub.decl });
    } else if (decl.spawn) {
      add(out, ctx, { name: def.name, def, subclassKey: hexKey(sel.data), spawned: true, scope: def.scope, decl });
    }
  }
  return out;
}

function add(out: ClassMembership[], ctx: EvalContext, m: ClassMembership): void {
  out.push(m);
  ctx.classes.push(m.name);
}

// ---------------------------------------------------------------------------------------------
// The compiled class map

/**
 * How a class's `match if` is decided:
 * - `cond`: its compiled condition (in `slot` when classes share the same condition);
 * - `equal`: OPERAND = constant (or !=), OPERAND being probe `probe`; with `window`, the class
 *   compares substring (OPERAND, off, len), without making the substring;
 * - `regex`: OPERAND ~= / ~~ a constant pattern, compiled here.
 * OPERAND is a data expression without effects, so evaluating it once for all the classes that
 * look at it gives what evaluating it in each would.
 */
type Test =
  | { readonly kind: 'cond'; readonly fn: CompiledCondition; readonly slot: number }
  | {
      readonly kind: 'equal';
      readonly probe: number;
      readonly value: Value | undefined;
      readonly equal: boolean;
      readonly window: { readonly off: number; readonly len: number } | undefined;
    }
  | { readonly kind: 'regex'; readonly probe: number; readonly re: RegExp | null };

interface Probe {
  readonly fn: Compiled<Uint8Array>;
}

/** A probe's value for one packet; `text` its cString, made when a regex first needs it. */
interface ProbeValue {
  readonly data: Uint8Array | undefined;
  text: string | undefined;
}

interface PacketSlots {
  readonly probes: unknown[];
  readonly conds: unknown[];
  readonly subs: unknown[];
}

const NONE: unknown[] = [];

function passes(t: Test, plan: Plan, slots: PacketSlots, view: EvalContext): boolean {
  if (t.kind === 'cond') {
    if (t.slot < 0) return t.fn(view);
    let ok = slots.conds[t.slot] as boolean | undefined;
    if (ok === undefined) slots.conds[t.slot] = ok = t.fn(view);
    return ok;
  }
  let p = slots.probes[t.probe] as ProbeValue | undefined;
  if (p === undefined) slots.probes[t.probe] = p = { data: plan.probes[t.probe]!.fn(view), text: undefined };
  const d = p.data;
  if (t.kind === 'regex') {
    // Null when the subject is null: false as a condition.
    if (d === undefined || t.re === null || d.length === 0) return false;
    p.text ??= cString(d);
    return regexTest(t.re, d, p.text);
  }
  const c = t.value;
  let same: boolean;
  if (d === undefined || c === undefined) same = d === c;
  else if (t.window === undefined) same = sameValue(d, c);
  else same = c instanceof Uint8Array && substringEquals(d, t.window.off, t.window.len, c);
  return same === t.equal;
}

/** A submatch's data with its hash; NO_SELECTOR for null or empty data (which matches nothing). */
interface Selector {
  readonly data: Uint8Array;
  readonly hash: number;
}

const NO_SELECTOR: Selector = { data: new Uint8Array(0), hash: 0 };

function selector(data: Uint8Array | undefined): Selector {
  return data === undefined || data.length === 0 ? NO_SELECTOR : { data, hash: bytesHash(data) };
}

/** FNV-1a over the bytes, 31 bits (a small integer, the cheapest Map key). */
function bytesHash(b: Uint8Array): number {
  let h = 0x811c9dc5 ^ b.length;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 1;
}

interface Subclass {
  readonly bytes: Uint8Array;
  /** Its key in ClassDef.subclasses (hex): the membership's subclassKey. */
  readonly key: string;
  readonly scope: Scope;
  readonly decl: ClassDecl;
}

interface PlannedClass {
  readonly def: ClassDef;
  readonly decl: ClassDecl;
  /** The `match if`, when there is one. */
  readonly test: Test | undefined;
  readonly submatch: Compiled<Uint8Array> | undefined;
  /** Index of the per-packet slot shared with classes of the same submatch; -1 when not shared. */
  readonly subSlot: number;
  /** Subclasses by selector hash, built from def.subclasses (rebuilt if that map changes size). */
  index: Map<number, Subclass[]> | undefined;
  indexedSize: number;
}

interface Plan {
  readonly size: number;
  readonly entries: readonly PlannedClass[];
  readonly probes: readonly Probe[];
  readonly condSlots: number;
  readonly subSlots: number;
}

const plans = new WeakMap<ReadonlyMap<string, ClassDef>, Plan>();

/** The compiled form of a class map: built on first use, once per configuration snapshot. */
function planOf(classes: ReadonlyMap<string, ClassDef>): Plan {
  let plan = plans.get(classes);
  if (plan === undefined || plan.size !== classes.size) {
    plan = buildPlan(classes);
    plans.set(classes, plan);
  }
  return plan;
}

function buildPlan(classes: ReadonlyMap<string, ClassDef>): Plan {
  const probes = new Map<string, number>();
  const probeList: Probe[] = [];
  const probeOf = (e: Expr): number | undefined => {
    // Only data expressions: the operators below evaluate their operand as data.
    if (exprKind(e) !== 'data' || constantValue(e) !== undefined) return undefined;
    const shape = shapeOf(e);
    if (shape === undefined) return undefined;
    let i = probes.get(shape);
    if (i === undefined) {
      i = probeList.length;
      probes.set(shape, i);
      probeList.push({ fn: compileData(e) });
    }
    return i;
  };
  const condShapes = sharedShapes();
  const subShapes = sharedShapes();
  const drafts: { def: ClassDef; decl: ClassDecl; test: Test | undefined; subSlot: number }[] = [];
  for (const def of classes.values()) {
    const decl = def.decl;
    // vendor-class and user-class declarations are never checked; a deleted class matches nothing.
    if (decl.kind !== 'class' || decl.deleted) continue;
    if (decl.matchIf === undefined && decl.submatch === undefined) continue;
    const m = decl.matchIf;
    const test: Test | undefined =
      m === undefined
        ? undefined
        : (probeTest(m, probeOf) ?? { kind: 'cond', fn: compileCondition(m), slot: condShapes.slot(m) });
    drafts.push({ def, decl, test, subSlot: decl.submatch === undefined ? -1 : subShapes.slot(decl.submatch) });
  }
  const entries = drafts.map(
    ({ def, decl, test, subSlot }): PlannedClass => ({
      def,
      decl,
      // A shape only one class uses needs no slot.
      test: test?.kind === 'cond' ? { ...test, slot: condShapes.final(test.slot) } : test,
      submatch: decl.submatch === undefined ? undefined : compileData(decl.submatch),
      subSlot: subShapes.final(subSlot),
      index: undefined,
      indexedSize: -1,
    }),
  );
  return {
    size: classes.size,
    entries,
    probes: probeList,
    condSlots: condShapes.count(),
    subSlots: subShapes.count(),
  };
}

/** The Test of a `match if` written as OPERAND = constant, substring (...) = constant, OPERAND ~= "re". */
function probeTest(m: Expr, probeOf: (e: Expr) => number | undefined): Test | undefined {
  if (m.op === 'equal' || m.op === 'not-equal') {
    let k = constantValue(m.right);
    let operand = m.left;
    if (k === undefined) {
      k = constantValue(m.left);
      operand = m.right;
    }
    if (k === undefined) return undefined;
    const equal = m.op === 'equal';
    if (operand.op === 'substring') {
      const off = constantValue(operand.offset)?.value;
      const len = constantValue(operand.length)?.value;
      if (typeof off === 'number' && typeof len === 'number') {
        const probe = probeOf(operand.expr);
        if (probe !== undefined) return { kind: 'equal', probe, value: k.value, equal, window: { off, len } };
      }
    }
    const probe = probeOf(operand);
    return probe === undefined ? undefined : { kind: 'equal', probe, value: k.value, equal, window: undefined };
  }
  if (m.op === 'regex-match' || m.op === 'iregex-match') {
    const pattern = constantValue(m.right)?.value;
    if (!(pattern instanceof Uint8Array)) return undefined;
    const probe = probeOf(m.left);
    if (probe === undefined) return undefined;
    return { kind: 'regex', probe, re: pattern.length === 0 ? null : compileRegex(pattern, m.op === 'iregex-match') };
  }
  return undefined;
}
function findSubclass(c: PlannedClass, sel: Selector): Subclass | undefined {
  const subclasses = c.def.subclasses;
  if (subclasses.size === 0) return undefined;
  if (c.index === undefined || c.indexedSize !== subclasses.size) {
    c.index = new Map();
    for (const [key, sub] of subclasses) {
      const bytes = Uint8Array.from(Buffer.from(key, 'hex'));
      const h = bytesHash(bytes);
      const list = c.index.get(h);
      const entry: Subclass = { bytes, key, scope: sub.scope, decl: sub.decl };
      if (list === undefined) c.index.set(h, [entry]);
      else list.push(entry);
    }
    c.indexedSize = subclasses.size;
  }
  const list = c.index.get(sel.hash);
  if (list === undefined) return undefined;
  for (const s of list) if (sameBytes(s.bytes, sel.data)) return s;
  return undefined;
}

/**
 * Per-packet slots for expressions several classes share. Only an expression without effects and
 * without inputs that classification itself changes may share: no function call (it may `set`
 * variables), no variable or `defined` (a call may change them), no `check` (the class list grows
 * as classes match), no gethostname/host-lookup (they call out).
 */
function sharedShapes() {
  const byShape = new Map<string, number>();
  const uses: number[] = [];
  let finalIndex: number[] | undefined;
  return {
    /** A provisional slot for `e`, -1 when it may not be shared. */
    slot(e: Expr): number {
      const shape = shapeOf(e);
      if (shape === undefined) return -1;
      let i = byShape.get(shape);
      if (i === undefined) {
        i = uses.length;
        byShape.set(shape, i);
        uses.push(0);
      }
      uses[i]!++;
      return i;
    },
    /** The slot a provisional one ends up as: -1 when only one class uses it. */
    final(i: number): number {
      if (finalIndex === undefined) {
        finalIndex = [];
        let n = 0;
        for (const u of uses) finalIndex.push(u > 1 ? n++ : -1);
      }
      return i < 0 ? -1 : finalIndex[i]!;
    },
    count(): number {
      return uses.filter((u) => u > 1).length;
    },
  };
}

const UNSHAREABLE: ReadonlySet<string> = new Set([
  'funcall',
  'variable',
  'defined',
  'check',
  'gethostname',
  'host-lookup',
]);

/** A canonical text of `e` without source positions; undefined when `e` may not be shared. */
function shapeOf(e: Expr): string | undefined {
  let shareable = true;
  const text = JSON.stringify(e, (key, value: unknown) => {
    if (key === 'pos' || key === 'text') return undefined;
    if (value instanceof Uint8Array) return `bytes:${hexKey(value)}`;
    if (typeof value === 'object' && value !== null && 'op' in value && UNSHAREABLE.has(String(value.op))) {
      shareable = false;
    }
    return value;
  });
  return shareable ? text : undefined;
}
