// Executable statements (ISC common/execute.c execute_statements): if/elsif/else, switch/case, set,
// define, unset, eval, log, execute, add, break, return, option statements and dhcpd parameters.
// Effects are collected into the EvalContext (logs, execute requests, added classes, options, event
// handlers); nothing is printed or run.
//
// ISC facts kept here:
// - `break` ends the statement list it is in. Inside a switch's case that is the switch; inside an
//   `if` within a case it only ends the `if` body, and the case carries on after the `if`.
// - `return` stops a function body (through nested ifs and switches) when its value is not null;
//   outside a function ISC has no result to fill, so `return` there is evaluated and ignored.
// - `on commit/release/expiry` registers its body for the event, replacing an earlier registration;
//   a body-less `on commit;` clears it.
// - Option statements (ISC set_option): supersede and send replace; default sets only an option not
//   set yet (even one whose value came out null); append and prepend concatenate with the existing
//   value (a null side makes the result null). Values are evaluated when the statement runs, where ISC
//   keeps the expression and evaluates it when the reply is built: run the statements once the lease
//   is known.

import type { Catalogue } from '../options/catalogue.js';
import { decodeOptionValue, tryEncodeOptionValue } from '../options/codec.js';
import type { OptionType, OptionValue } from '../options/types.js';
import type { Expr, OptionStatement, Statement } from './ast.js';
import { dataText, evaluateCondition, evaluateData, evaluateExpression, evaluateNumeric, exprKind } from './eval.js';
import { Bindings, concatBytes, type EvalContext, type FunctionValue, type Value } from './eval-context.js';
import type { Scope } from './scope-tree.js';

/** A function body being run: where `return` leaves its value. */
interface Frame {
  returned: boolean;
  value: Value | undefined;
}

/** Runs statements in order against the context. */
export function executeStatements(statements: readonly Statement[], ctx: EvalContext): void {
  run(statements, 0, ctx, undefined);
}

/**
 * Runs `list` from `start` until its end, a `break`, or a `return` inside a function. Returns true when
 * a `return` stopped it (the caller must stop too).
 */
function run(list: readonly Statement[], start: number, ctx: EvalContext, frame: Frame | undefined): boolean {
  for (let i = start; i < list.length; i++) {
    const st = list[i]!;
    switch (st.kind) {
      case 'if': {
        const body = evaluateCondition(st.condition, ctx) ? st.then : st.else;
        if (body !== undefined && run(body, 0, ctx, frame)) return true;
        break;
      }
      case 'switch': {
        const from = findCase(st.expr, st.body, ctx);
        if (from >= 0 && run(st.body, from, ctx, frame)) return true;
        break;
      }
      case 'break':
        return false;
      case 'return': {
        const v = evaluateExpression(st.expr, ctx);
        // ISC stops once the result is filled: a null return value lets the function run on.
        if (frame !== undefined && v !== undefined) {
          frame.returned = true;
          frame.value = v;
          return true;
        }
        break;
      }
      default:
        simpleStatement(st, ctx);
    }
  }
  return false;
}

/** ISC's find_matching_case: the index after the matching `case` (or `default:`), -1 for none. */
function findCase(expr: Expr, body: readonly Statement[], ctx: EvalContext): number {
  // The switch compares data when its expression is a data expression, numbers otherwise.
  if (exprKind(expr) === 'data') {
    const v = evaluateData(expr, ctx);
    if (v !== undefined) {
      for (let i = 0; i < body.length; i++) {
        const s = body[i]!;
        if (s.kind === 'case' && sameBytes(evaluateData(s.expr, ctx), v)) return i + 1;
      }
    }
  } else {
    const n = evaluateNumeric(expr, ctx);
    if (n !== undefined) {
      for (let i = 0; i < body.length; i++) {
        const s = body[i]!;
        if (s.kind === 'case' && evaluateNumeric(s.expr, ctx) === n) return i + 1;
      }
    }
  }
  for (let i = 0; i < body.length; i++) if (body[i]!.kind === 'default') return i + 1;
  return -1;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function simpleStatement(st: Statement, ctx: EvalContext): void {
  switch (st.kind) {
    case 'option':
      applyOption(st, ctx);
      return;
    case 'parameter':
      ctx.parameters.set(st.name, st.expr !== undefined ? evaluateData(st.expr, ctx) : st.value);
      return;
    case 'allow-deny':
      ctx.allowDeny.set(st.what, st.flag);
      return;
    case 'set':
    case 'define':
      // ISC gives both the same scoping: the nearest existing binding, else a new innermost one.
      ctx.bindings.set(st.name, evaluateExpression(st.expr, ctx));
      return;
    case 'define-function': {
      const fn: FunctionValue = { kind: 'function', params: st.params, body: st.body };
      ctx.bindings.set(st.name, fn);
      return;
    }
    case 'unset':
      ctx.bindings.unset(st.name);
      return;
    case 'eval':
      evaluateExpression(st.expr, ctx);
      return;
    case 'log': {
      const d = evaluateData(st.expr, ctx);
      if (d !== undefined) ctx.logs.push({ priority: st.priority, text: dataText(d) });
      return;
    }
    case 'execute': {
      // ISC runs nothing when an argument is null.
      const args: string[] = [];
      for (const a of st.args) {
        const d = evaluateData(a, ctx);
        if (d === undefined) return;
        args.push(dataText(d));
      }
      ctx.executes.push({ command: st.command, args });
      return;
    }
    case 'add':
      ctx.added.push(st.className);
      ctx.classes.push(st.className);
      return;
    case 'on':
      for (const ev of st.events) {
        // DHCPv4 has no transmission event (ISC ignores it outside DHCPv6).
        if (ev !== 'transmission') ctx.events[ev] = st.body;
      }
      return;
    case 'parse-vendor-option':
      ctx.parseVendorOption = true;
      return;
    default:
      // case/default labels do nothing when reached in sequence; declarations are not executable.
      return;
  }
}

/** Nesting of user function calls; evaluation is synchronous, so one counter serves every context. */
let callDepth = 0;
/** Deeper calls are null: ISC would recurse until its stack overflows, a packet must not crash us. */
const MAX_CALL_DEPTH = 64;

/** Calls a user function: arguments bound in a new scope whose outer scope is the caller's. */
export function callFunction(name: string, args: readonly Expr[], ctx: EvalContext): Value | undefined {
  const fn = ctx.bindings.get(name);
  if (typeof fn !== 'object' || fn instanceof Uint8Array || fn.kind !== 'function') return undefined;
  // ISC: too many or too few arguments is an error, and the call is null.
  if (fn.params.length !== args.length || callDepth >= MAX_CALL_DEPTH) return undefined;
  const scope = new Bindings(ctx.bindings);
  for (let i = 0; i < args.length; i++) scope.define(fn.params[i]!, evaluateExpression(args[i]!, ctx));
  const saved = ctx.bindings;
  ctx.bindings = scope;
  const frame: Frame = { returned: false, value: undefined };
  callDepth++;
  try {
    run(fn.body, 0, ctx, frame);
  } finally {
    callDepth--;
    ctx.bindings = saved;
  }
  return frame.value;
}

// ---------------------------------------------------------------------------------------------
// Option statements

/** Encoded constant values, per statement: a snapshot's statements are immutable, so encode once. */
const constantCache = new WeakMap<OptionStatement, Uint8Array | null>();

function applyOption(st: OptionStatement, ctx: EvalContext): void {
  const { space, code } = st.option;
  const cfg = ctx.config;
  const exists = cfg.has(space, code);
  switch (st.op) {
    case 'default':
      if (!exists) cfg.set(space, code, optionData(st, ctx));
      return;
    case 'supersede':
    case 'send':
      cfg.set(space, code, optionData(st, ctx));
      return;
    default: {
      const v = optionData(st, ctx);
      if (!exists) {
        cfg.set(space, code, v);
        return;
      }
      const old = cfg.get(space, code);
      if (old === undefined || v === undefined) {
        cfg.set(space, code, undefined);
        return;
      }
      const [first, second] = st.op === 'append' ? [old, v] : [v, old];
      cfg.set(space, code, combine(st.option.type, first, second, ctx));
    }
  }
}

/** Concatenates two option values; compressed domain lists are joined as lists (ISC concat_dclist). */
function combine(type: OptionType, a: Uint8Array, b: Uint8Array, ctx: EvalContext): Uint8Array | undefined {
  if (type.kind === 'domain-list' && type.compressed && ctx.catalogue !== undefined) {
    const cat = ctx.catalogue as unknown as Catalogue;
    const x = decodeOptionValue(type, a, cat);
    const y = decodeOptionValue(type, b, cat);
    if (!x.ok || !y.ok) return undefined;
    const joined = [...(x.value as string[]), ...(y.value as string[])];
    const r = tryEncodeOptionValue(type, joined, cat);
    return r.ok ? r.value : undefined;
  }
  return concatBytes([a, b]);
}

/** The data of an option statement: its expression's value, or its constant encoded. */
function optionData(st: OptionStatement, ctx: EvalContext): Uint8Array | undefined {
  if (st.expr !== undefined) return evaluateData(st.expr, ctx);
  if (st.value === undefined) return new Uint8Array(0);
  const cached = st.hostnames === undefined ? constantCache.get(st) : undefined;
  if (cached !== undefined) return cached ?? undefined;
  const value = st.hostnames === undefined ? st.value : resolveNames(st.option.type, st.value, ctx);
  let data: Uint8Array | null = null;
  // The encoder needs the catalogue only for encapsulated spaces (space and byCode lookups).
  if (value !== undefined && ctx.catalogue !== undefined) {
    const r = tryEncodeOptionValue(st.option.type, value, ctx.catalogue as unknown as Catalogue);
    data = r.ok ? r.value : null;
  }
  if (st.hostnames === undefined && ctx.catalogue !== undefined) constantCache.set(st, data);
  return data ?? undefined;
}

const DOTTED = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Replaces host names in ip-address fields by addresses (ISC looks them up when the reply is built). */
function resolveNames(type: OptionType, value: OptionValue, ctx: EvalContext): OptionValue | undefined {
  if (type.kind === 'ip-address') {
    if (typeof value !== 'string' || DOTTED.test(value)) return value;
    return ctx.resolveHost?.(value);
  }
  if (!Array.isArray(value)) return value;
  const out: OptionValue[] = [];
  for (let i = 0; i < value.length; i++) {
    const t = type.kind === 'array' ? type.of : type.kind === 'record' ? type.fields[i] : undefined;
    const el = value[i] as OptionValue;
    const v = t === undefined ? el : resolveNames(t, el, ctx);
    // An array element that does not resolve is left out; a record field cannot be.
    if (v === undefined) {
      if (type.kind === 'record') return undefined;
      continue;
    }
    out.push(v);
  }
  return out as OptionValue;
}

/**
 * Runs the statements of a chain of scopes, outermost first, so inner settings win (ISC's
 * execute_statements_in_scope). Each scope's parameters, allow/deny and option statements run before
 * its conditional ones: the scope tree keeps them apart, so their order inside one scope is lost.
 */
export function executeScopes(scopesOuterFirst: readonly Scope[], ctx: EvalContext): void {
  for (const s of scopesOuterFirst) {
    for (const p of s.parameters.values()) simpleStatement(p, ctx);
    for (const [what, flag] of s.allowDeny) ctx.allowDeny.set(what, flag);
    for (const o of s.options.values()) applyOption(o, ctx);
    run(s.statements, 0, ctx, undefined);
  }
}
