// The evaluator of ISC's expression language (dhcp-eval(5)), following common/tree.c: boolean, data
// and numeric expressions, with ISC's null rules. `undefined` is ISC's null: an absent option, a
// substring of null, a too-short extract-int. Pure: everything comes from the EvalContext.
//
// ISC facts kept here (tree.c; the starred ones checked against a running dhcpd 4.4.3):
// - * `a = b` is never null: both sides null gives true, one side null gives false (`!=` the reverse);
//   sides of different types are unequal.
// - * `a and b` is null unless both sides are non-null, and `b` is only evaluated when `a` is true, so
//   `false and x` is null (false in a condition, but `not (false and x)` is null too).
// - * `a or b` evaluates `b` only when `a` is not true; null only when both sides are null.
// - * `~=`/`~~` are false (not null) for a regex that does not compile, null when a side is null.
// - * binary-to-ascii prints no leading zeros ("1:2:0:0:aa:bb:cc"); substring past the end is empty.
// - * A user function's result is dropped in typed contexts (see typedCall).
// - Numbers are C unsigned longs; here JS numbers (exact to 2^53), negative after an underflowing `-`.

import type { Expr } from './ast.js';
import { concatBytes, type EvalContext, type Value } from './eval-context.js';
import {
  binaryToAscii,
  cString,
  encodeInt,
  extractInt,
  mapCase,
  regexMatch,
  reverseChunks,
  textBytes,
} from './eval-data.js';
import { callFunction } from './eval-exec.js';

// The evaluator's public surface, in one place for the server and the client.
export { type ClassifyOptions, type ClassMembership, classifyPacket } from './eval-class.js';
export type { EvalContext, EvalInput, LeaseFacts, Value } from './eval-context.js';
export {
  Bindings,
  createEvalContext,
  hardwareBytes,
  messageInput,
  OptionSet,
  packetOptions,
} from './eval-context.js';
export { executeScopes, executeStatements } from './eval-exec.js';

/** The type ISC gives an expression by its operator (is_boolean/data/numeric_expression). */
export type ExprKind = 'boolean' | 'data' | 'numeric' | 'untyped';

export function exprKind(e: Expr): ExprKind {
  switch (e.op) {
    case 'check':
    case 'exists':
    case 'defined':
    case 'equal':
    case 'not-equal':
    case 'regex-match':
    case 'iregex-match':
    case 'and':
    case 'or':
    case 'not':
    case 'known':
    case 'static':
      return 'boolean';
    case 'extract-int':
    case 'const-int':
    case 'lease-time':
    case 'add':
    case 'subtract':
    case 'multiply':
    case 'divide':
    case 'remainder':
    case 'binary-and':
    case 'binary-or':
    case 'binary-xor':
    case 'client-state':
      return 'numeric';
    case 'variable':
    case 'funcall':
      return 'untyped';
    default:
      return 'data';
  }
}

/** ISC's evaluate_expression: the value of an expression of any type (variables and calls included). */
export function evaluateExpression(e: Expr, ctx: EvalContext): Value | undefined {
  if (e.op === 'variable') return ctx.bindings.get(e.name);
  if (e.op === 'funcall') return callFunction(e.name, e.args, ctx);
  switch (exprKind(e)) {
    case 'boolean':
      return evaluateBoolean(e, ctx);
    case 'numeric':
      return evaluateNumeric(e, ctx);
    default:
      return evaluateData(e, ctx);
  }
}

/** A condition (`if`, `match if`): null counts as false. */
export function evaluateCondition(e: Expr, ctx: EvalContext): boolean {
  return evaluateBoolean(e, ctx) === true;
}

function sameValue(a: Value, b: Value): boolean {
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return a === b;
}

export function evaluateBoolean(e: Expr, ctx: EvalContext): boolean | undefined {
  switch (e.op) {
    case 'equal':
    case 'not-equal': {
      const l = evaluateExpression(e.left, ctx);
      const r = evaluateExpression(e.right, ctx);
      const same = l === undefined || r === undefined ? l === r : sameValue(l, r);
      return e.op === 'equal' ? same : !same;
    }
    case 'regex-match':
    case 'iregex-match': {
      const l = evaluateData(e.left, ctx);
      const r = evaluateData(e.right, ctx);
      if (l === undefined || r === undefined) return undefined;
      return regexMatch(l, r, e.op === 'iregex-match');
    }
    case 'and': {
      const l = evaluateBoolean(e.left, ctx);
      if (l !== true) return undefined;
      return evaluateBoolean(e.right, ctx);
    }
    case 'or': {
      const l = evaluateBoolean(e.left, ctx);
      if (l === true) return true;
      const r = evaluateBoolean(e.right, ctx);
      if (l === undefined && r === undefined) return undefined;
      return r === true;
    }
    case 'not': {
      const v = evaluateBoolean(e.arg, ctx);
      return v === undefined ? undefined : !v;
    }
    case 'exists':
      return ctx.options?.get(e.space)?.has(e.code) ?? false;
    case 'known':
      return ctx.known;
    case 'static':
      return ctx.lease?.static === true;
    case 'defined':
      return ctx.bindings.isDefined(e.name);
    case 'check':
      // ISC's check_collection: did the packet match any class of the collection ("default").
      return ctx.classes.length > 0;
    case 'variable': {
      const v = ctx.bindings.get(e.name);
      return typeof v === 'boolean' ? v : undefined;
    }
    case 'funcall':
      return typedCall(e.name, e.args, ctx);
    default:
      // A data or numeric operator in boolean context: ISC logs "Data opcode in ..." and yields null.
      return undefined;
  }
}

export function evaluateData(e: Expr, ctx: EvalContext): Uint8Array | undefined {
  switch (e.op) {
    case 'const-data':
      return e.data;
    case 'option':
      return ctx.options?.get(e.space)?.get(e.code);
    case 'config-option':
      return ctx.config.get(e.space, e.code);
    case 'substring': {
      const d = evaluateData(e.expr, ctx);
      const off = evaluateNumeric(e.offset, ctx);
      const len = evaluateNumeric(e.length, ctx);
      if (d === undefined || off === undefined || len === undefined) return undefined;
      // Unsigned in ISC: a negative offset or length is huge.
      if (off < 0 || off >= d.length) return d.subarray(0, 0);
      return len < 0 ? d.subarray(off) : d.subarray(off, off + len);
    }
    case 'suffix': {
      const d = evaluateData(e.expr, ctx);
      const len = evaluateNumeric(e.length, ctx);
      if (d === undefined || len === undefined) return undefined;
      return len < 0 || len >= d.length ? d : d.subarray(d.length - len);
    }
    case 'lcase':
    case 'ucase': {
      const d = evaluateData(e.expr, ctx);
      return d === undefined ? undefined : mapCase(d, e.op === 'ucase');
    }
    case 'hardware':
      return ctx.hardware;
    case 'packet': {
      const raw = ctx.raw;
      if (raw === undefined) return undefined;
      const off = evaluateNumeric(e.offset, ctx);
      const len = evaluateNumeric(e.length, ctx);
      // Unlike substring, an offset past the end is null (tree.c expr_packet).
      if (off === undefined || len === undefined || off < 0 || off >= raw.length) return undefined;
      return len < 0 ? raw.subarray(off) : raw.subarray(off, off + len);
    }
    case 'concat': {
      const parts: Uint8Array[] = [];
      for (const a of e.args) {
        const d = evaluateData(a, ctx);
        if (d === undefined) return undefined;
        parts.push(d);
      }
      return concatBytes(parts);
    }
    case 'encode-int': {
      const n = evaluateNumeric(e.expr, ctx);
      return n === undefined ? undefined : encodeInt(n, e.bits);
    }
    case 'binary-to-ascii': {
      const base = evaluateNumeric(e.base, ctx);
      const width = evaluateNumeric(e.width, ctx);
      const sep = evaluateData(e.separator, ctx);
      const buf = evaluateData(e.buffer, ctx);
      if (base === undefined || width === undefined || sep === undefined || buf === undefined) return undefined;
      return binaryToAscii(base, width, sep, buf);
    }
    case 'reverse': {
      const width = evaluateNumeric(e.width, ctx);
      const buf = evaluateData(e.buffer, ctx);
      if (width === undefined || buf === undefined) return undefined;
      return reverseChunks(width, buf);
    }
    case 'pick-first-value':
      for (const a of e.args) {
        const d = evaluateData(a, ctx);
        if (d !== undefined) return d;
      }
      return undefined;
    case 'leased-address':
      return ctx.lease?.address;
    case 'host-decl-name': {
      const name = ctx.lease?.hostDeclName;
      return name === undefined ? undefined : textBytes(name);
    }
    case 'filename':
      return fixedField(ctx.file);
    case 'server-name':
      return fixedField(ctx.sname);
    case 'gethostname': {
      const h = ctx.gethostname?.();
      return h === undefined ? undefined : textBytes(h.slice(0, 255));
    }
    case 'host-lookup': {
      const a = ctx.resolveHost?.(e.hostname);
      return a === undefined ? undefined : ipv4Bytes(a);
    }
    case 'variable': {
      const v = ctx.bindings.get(e.name);
      return v instanceof Uint8Array ? v : undefined;
    }
    case 'funcall':
      return typedCall(e.name, e.args, ctx);
    default:
      // null, v6relay (DHCPv6 only), and boolean or numeric operators in data context.
      return undefined;
  }
}

/** A BOOTP name field up to its first NUL; null when it is empty (tree.c expr_filename). */
function fixedField(f: Uint8Array | undefined): Uint8Array | undefined {
  if (f === undefined || f.length === 0 || f[0] === 0) return undefined;
  const nul = f.indexOf(0);
  return nul < 0 ? f : f.subarray(0, nul);
}

function ipv4Bytes(dotted: string): Uint8Array | undefined {
  const parts = dotted.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(parts[i]);
    if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

export function evaluateNumeric(e: Expr, ctx: EvalContext): number | undefined {
  switch (e.op) {
    case 'const-int':
      return e.value;
    case 'extract-int': {
      const d = evaluateData(e.expr, ctx);
      return d === undefined ? undefined : extractInt(d, e.bits);
    }
    case 'lease-time': {
      const ends = ctx.lease?.ends;
      const now = ctx.now;
      // ISC: null without a lease, and for a lease that has already ended.
      if (ends === undefined || now === undefined || ends < now) return undefined;
      return ends - now;
    }
    case 'client-state':
      return ctx.clientState;
    case 'add':
    case 'subtract':
    case 'multiply':
    case 'divide':
    case 'remainder':
    case 'binary-and':
    case 'binary-or':
    case 'binary-xor': {
      const l = evaluateNumeric(e.left, ctx);
      const r = evaluateNumeric(e.right, ctx);
      if (l === undefined || r === undefined) return undefined;
      return arithmetic(e.op, l, r);
    }
    case 'variable': {
      const v = ctx.bindings.get(e.name);
      return typeof v === 'number' ? v : undefined;
    }
    case 'funcall':
      return typedCall(e.name, e.args, ctx);
    default:
      return undefined;
  }
}

function arithmetic(op: string, l: number, r: number): number | undefined {
  switch (op) {
    case 'add':
      return l + r;
    case 'subtract':
      return l - r;
    case 'multiply':
      return l * r;
    case 'divide':
      // Division by zero is null in ISC.
      return r === 0 ? undefined : Math.trunc(l / r);
    case 'remainder':
      return r === 0 ? undefined : l % r;
    default:
      return bitwise(op, l, r);
  }
}

/** Bitwise operators on unsigned values: 32-bit fast path, BigInt beyond it. */
function bitwise(op: string, l: number, r: number): number {
  const small = l >= 0 && r >= 0 && l <= 0xffffffff && r <= 0xffffffff;
  if (small) {
    if (op === 'binary-and') return (l & r) >>> 0;
    if (op === 'binary-or') return (l | r) >>> 0;
    return (l ^ r) >>> 0;
  }
  const a = BigInt.asUintN(64, BigInt(Math.trunc(l)));
  const b = BigInt.asUintN(64, BigInt(Math.trunc(r)));
  const v = op === 'binary-and' ? a & b : op === 'binary-or' ? a | b : a ^ b;
  return Number(v);
}

/**
 * A function call where a boolean, data or numeric value is expected. dhcpd 4.4 runs the call (its
 * effects happen) but its typed evaluators then fall out of their switch to "Bogus opcode" and yield
 * null (tree.c; checked against dhcpd 4.4.3, where `concat ("x", f ())` logs nothing). Only untyped
 * uses see the result: `set v = f ();`, either side of `=`, `return f ();`.
 */
function typedCall(name: string, args: readonly Expr[], ctx: EvalContext): undefined {
  callFunction(name, args, ctx);
  return undefined;
}

/** A data value as text (logs, execute arguments): latin1, cut at the first NUL. */
export function dataText(d: Uint8Array): string {
  return cString(d);
}
