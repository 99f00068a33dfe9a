// The reference interpreter of ISC's expression language: walks the AST at every evaluation. The
// server and the client evaluate through the compiled form (eval-compile.ts, behind eval.ts's
// evaluate* functions); this walker is kept as the plain statement of the semantics that the
// compiler is tested against (test/unit/conf/eval-compile.test.ts). The rules themselves (null
// handling, ISC facts) are documented at the top of eval.ts; the primitives are in eval-data.ts.

import type { Expr } from './ast.js';
import { exprKind } from './eval.js';
import { concatBytes, type EvalContext, type Value } from './eval-context.js';
import {
  ARITHMETIC,
  binaryToAscii,
  encodeInt,
  extractInt,
  fixedField,
  ipv4Bytes,
  leaseTimeLeft,
  mapCase,
  packetSlice,
  regexMatch,
  reverseChunks,
  sameValue,
  substringOf,
  suffixOf,
  textBytes,
} from './eval-data.js';
import { callFunction } from './eval-exec.js';

/** ISC's evaluate_expression, interpreted. */
export function interpretExpression(e: Expr, ctx: EvalContext): Value | undefined {
  if (e.op === 'variable') return ctx.bindings.get(e.name);
  if (e.op === 'funcall') return callFunction(e.name, e.args, ctx);
  switch (exprKind(e)) {
    case 'boolean':
      return interpretBoolean(e, ctx);
    case 'numeric':
      return interpretNumeric(e, ctx);
    default:
      return interpretData(e, ctx);
  }
}

export function interpretBoolean(e: Expr, ctx: EvalContext): boolean | undefined {
  switch (e.op) {
    case 'equal':
    case 'not-equal': {
      const l = interpretExpression(e.left, ctx);
      const r = interpretExpression(e.right, ctx);
      const same = l === undefined || r === undefined ? l === r : sameValue(l, r);
      return e.op === 'equal' ? same : !same;
    }
    case 'regex-match':
    case 'iregex-match': {
      const l = interpretData(e.left, ctx);
      const r = interpretData(e.right, ctx);
      if (l === undefined || r === undefined) return undefined;
      return regexMatch(l, r, e.op === 'iregex-match');
    }
    case 'and': {
      const l = interpretBoolean(e.left, ctx);
      if (l !== true) return undefined;
      return interpretBoolean(e.right, ctx);
    }
    case 'or': {
      const l = interpretBoolean(e.left, ctx);
      if (l === true) return true;
      const r = interpretBoolean(e.right, ctx);
      if (l === undefined && r === undefined) return undefined;
      return r === true;
    }
    case 'not': {
      const v = interpretBoolean(e.arg, ctx);
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

export function interpretData(e: Expr, ctx: EvalContext): Uint8Array | undefined {
  switch (e.op) {
    case 'const-data':
      return e.data;
    case 'option':
      return ctx.options?.get(e.space)?.get(e.code);
    case 'config-option':
      return ctx.config.get(e.space, e.code);
    case 'substring': {
      const d = interpretData(e.expr, ctx);
      const off = interpretNumeric(e.offset, ctx);
      const len = interpretNumeric(e.length, ctx);
      if (d === undefined || off === undefined || len === undefined) return undefined;
      return substringOf(d, off, len);
    }
    case 'suffix': {
      const d = interpretData(e.expr, ctx);
      const len = interpretNumeric(e.length, ctx);
      if (d === undefined || len === undefined) return undefined;
      return suffixOf(d, len);
    }
    case 'lcase':
    case 'ucase': {
      const d = interpretData(e.expr, ctx);
      return d === undefined ? undefined : mapCase(d, e.op === 'ucase');
    }
    case 'hardware':
      return ctx.hardware;
    case 'packet': {
      const raw = ctx.raw;
      if (raw === undefined) return undefined;
      const off = interpretNumeric(e.offset, ctx);
      const len = interpretNumeric(e.length, ctx);
      return packetSlice(raw, off, len);
    }
    case 'concat': {
      const parts: Uint8Array[] = [];
      for (const a of e.args) {
        const d = interpretData(a, ctx);
        if (d === undefined) return undefined;
        parts.push(d);
      }
      return concatBytes(parts);
    }
    case 'encode-int': {
      const n = interpretNumeric(e.expr, ctx);
      return n === undefined ? undefined : encodeInt(n, e.bits);
    }
    case 'binary-to-ascii': {
      const base = interpretNumeric(e.base, ctx);
      const width = interpretNumeric(e.width, ctx);
      const sep = interpretData(e.separator, ctx);
      const buf = interpretData(e.buffer, ctx);
      if (base === undefined || width === undefined || sep === undefined || buf === undefined) return undefined;
      return binaryToAscii(base, width, sep, buf);
    }
    case 'reverse': {
      const width = interpretNumeric(e.width, ctx);
      const buf = interpretData(e.buffer, ctx);
      if (width === undefined || buf === undefined) return undefined;
      return reverseChunks(width, buf);
    }
    case 'pick-first-value':
      for (const a of e.args) {
        const d = interpretData(a, ctx);
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

export function interpretNumeric(e: Expr, ctx: EvalContext): number | undefined {
  switch (e.op) {
    case 'const-int':
      return e.value;
    case 'extract-int': {
      const d = interpretData(e.expr, ctx);
      return d === undefined ? undefined : extractInt(d, e.bits);
    }
    case 'lease-time':
      return leaseTimeLeft(ctx.lease?.ends, ctx.now);
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
      const l = interpretNumeric(e.left, ctx);
      const r = interpretNumeric(e.right, ctx);
      if (l === undefined || r === undefined) return undefined;
      return ARITHMETIC[e.op](l, r);
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

/**
 * A function call where a boolean, data or numeric value is expected. dhcpd 4.4 runs the call (its
 * effects happen) but its typed evaluators then fall out of their switch to "Bogus opcode" and yield
 * null (tree.c; checked against dhcpd 4.4.3, where `concat ("x", f ())` logs nothing). Only untyped
 * uses see the result: `set v = f ();`, either side of `=`, `return f ();`.
 */
export function typedCall(name: string, args: readonly Expr[], ctx: EvalContext): undefined {
  callFunction(name, args, ctx);
  return undefined;
}
