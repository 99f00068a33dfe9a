// The evaluator of ISC's expression language (dhcp-eval(5)), following common/tree.c: boolean, data
// and numeric expressions, with ISC's null rules. `undefined` is ISC's null: an absent option, a
// substring of null, a too-short extract-int. Pure: everything comes from the EvalContext.
//
// Expressions are compiled to closures once per configuration snapshot (eval-compile.ts, cached per
// AST node) and the evaluate* functions here call the compiled form; eval-interp.ts holds the plain
// AST walker the compiler is tested against. The primitives both use are in eval-data.ts.
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
import { compileBoolean, compileCondition, compileData, compileExpression, compileNumeric } from './eval-compile.js';
import type { EvalContext, Value } from './eval-context.js';
import { cString } from './eval-data.js';

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
  return compileExpression(e)(ctx);
}

/** A condition (`if`, `match if`): null counts as false. */
export function evaluateCondition(e: Expr, ctx: EvalContext): boolean {
  return compileCondition(e)(ctx);
}

export function evaluateBoolean(e: Expr, ctx: EvalContext): boolean | undefined {
  return compileBoolean(e)(ctx);
}

export function evaluateData(e: Expr, ctx: EvalContext): Uint8Array | undefined {
  return compileData(e)(ctx);
}

export function evaluateNumeric(e: Expr, ctx: EvalContext): number | undefined {
  return compileNumeric(e)(ctx);
}

/** A data value as text (logs, execute arguments): latin1, cut at the first NUL. */
export function dataText(d: Uint8Array): string {
  return cString(d);
}
