// The expression compiler: an Expr becomes a JS closure once, and every later evaluation is a call,
// with no walk over the AST and no switch on its operators. The closures have exactly the semantics
// of the reference interpreter (eval-interp.ts; rules at the top of eval.ts): the same nulls, the same
// short-circuits (`and`, `or`, `concat`, `pick-first-value`, `packet` without a packet), operands
// evaluated in the same order, the same primitives (eval-data.ts). A property test checks the two
// agree on random expressions and contexts (test/unit/conf/eval-compile.test.ts).
//
// What compiling buys beyond skipping the walk:
// - constant folding: a subtree that reads nothing of the context (constants, operators on
//   constants) is evaluated once, at compile time. `and`/`or`/`pick-first-value` with a constant
//   first operand fold partially, exactly where the interpreter would not look further. A fold that
//   throws is not folded (the error stays where the interpreter would raise it).
// - a constant regular expression (`~=`, `~~`) is compiled once, not looked up per packet.
// - `=` against a constant compares with that constant directly; constant offsets and lengths of
//   `substring`/`suffix` are bound into the closure.
//
// Compiled closures are cached per Expr node (WeakMaps): a configuration snapshot's expressions are
// immutable and compiled once, on first use; a new snapshot (reload) has new nodes and the old
// closures go with the old snapshot.

import type { Expr } from './ast.js';
import { exprKind } from './eval.js';
import { concatBytes, createEvalContext, type EvalContext, type Value } from './eval-context.js';
import {
  ARITHMETIC,
  type ArithmeticOp,
  binaryToAscii,
  compileRegex,
  encodeInt,
  extractInt,
  fixedField,
  ipv4Bytes,
  leaseTimeLeft,
  mapCase,
  packetSlice,
  regexMatch,
  regexTest,
  reverseChunks,
  sameBytes,
  sameValue,
  substringOf,
  suffixOf,
  textBytes,
} from './eval-data.js';
import { callFunction } from './eval-exec.js';

export type Compiled<T> = (ctx: EvalContext) => T | undefined;
export type CompiledCondition = (ctx: EvalContext) => boolean;

/** A compiled subexpression; `konst` when it reads nothing of the context (its value is `value`). */
interface Node<T> {
  readonly fn: Compiled<T>;
  readonly konst: boolean;
  readonly value: T | undefined;
}

const expressionCache = new WeakMap<Expr, Node<Value>>();
const booleanCache = new WeakMap<Expr, Node<boolean>>();
const dataCache = new WeakMap<Expr, Node<Uint8Array>>();
const numericCache = new WeakMap<Expr, Node<number>>();
const conditionCache = new WeakMap<Expr, CompiledCondition>();

/** ISC's evaluate_expression of `e`, compiled (variables and calls give their value as it is). */
export function compileExpression(e: Expr): Compiled<Value> {
  return expressionNode(e).fn;
}

export function compileBoolean(e: Expr): Compiled<boolean> {
  return booleanNode(e).fn;
}

export function compileData(e: Expr): Compiled<Uint8Array> {
  return dataNode(e).fn;
}

export function compileNumeric(e: Expr): Compiled<number> {
  return numericNode(e).fn;
}

/** A condition (`if`, `match if`): null counts as false. */
export function compileCondition(e: Expr): CompiledCondition {
  let f = conditionCache.get(e);
  if (f === undefined) {
    const n = booleanNode(e);
    if (n.konst) {
      const v = n.value === true;
      f = () => v;
    } else {
      const b = n.fn;
      f = (ctx) => b(ctx) === true;
    }
    conditionCache.set(e, f);
  }
  return f;
}

/** The value of `e` when it reads nothing of the context (it is folded); `none` otherwise. */
export function constantValue(e: Expr): { value: Value | undefined } | undefined {
  const n = expressionNode(e);
  return n.konst ? { value: n.value } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Nodes

let foldContext: EvalContext | undefined;

/** A node of `fn`; folded to its value when `pure` and every operand is constant. */
function node<T>(fn: Compiled<T>, operands: readonly Node<unknown>[], pure = true): Node<T> {
  if (pure && operands.every((o) => o.konst)) {
    try {
      // Every operand is constant, so fn reads nothing of the context: any context will do.
      foldContext ??= createEvalContext();
      return constant(fn(foldContext));
    } catch {
      // Left to fail at run time, as the interpreter would.
    }
  }
  return { fn, konst: false, value: undefined };
}

function constant<T>(value: T | undefined): Node<T> {
  return { fn: () => value, konst: true, value };
}

/** A node that reads the context (never folded). */
function dynamic<T>(fn: Compiled<T>): Node<T> {
  return { fn, konst: false, value: undefined };
}

const NULL_NODE: Node<never> = constant<never>(undefined);

function cached<T>(cache: WeakMap<Expr, Node<T>>, e: Expr, build: (e: Expr) => Node<T>): Node<T> {
  let n = cache.get(e);
  if (n === undefined) {
    n = build(e);
    cache.set(e, n);
  }
  return n;
}

function expressionNode(e: Expr): Node<Value> {
  return cached(expressionCache, e, buildExpression);
}

function booleanNode(e: Expr): Node<boolean> {
  return cached(booleanCache, e, buildBoolean);
}

function dataNode(e: Expr): Node<Uint8Array> {
  return cached(dataCache, e, buildData);
}

function numericNode(e: Expr): Node<number> {
  return cached(numericCache, e, buildNumeric);
}

function buildExpression(e: Expr): Node<Value> {
  if (e.op === 'variable') {
    const name = e.name;
    return dynamic((ctx) => ctx.bindings.get(name));
  }
  if (e.op === 'funcall') {
    const { name, args } = e;
    return dynamic((ctx) => callFunction(name, args, ctx));
  }
  switch (exprKind(e)) {
    case 'boolean':
      return booleanNode(e);
    case 'numeric':
      return numericNode(e);
    default:
      return dataNode(e);
  }
}

/** A call where a typed value is expected: it runs, and its value is dropped (see eval-interp.ts typedCall). */
function typedCall(name: string, args: readonly Expr[]): Node<never> {
  return dynamic<never>((ctx) => {
    callFunction(name, args, ctx);
    return undefined;
  });
}

// ---------------------------------------------------------------------------------------------
// Boolean

function buildBoolean(e: Expr): Node<boolean> {
  switch (e.op) {
    case 'equal':
    case 'not-equal':
      return equality(e.left, e.right, e.op === 'equal');
    case 'regex-match':
    case 'iregex-match':
      return regex(e.left, e.right, e.op === 'iregex-match');
    case 'and': {
      const l = booleanNode(e.left);
      // Null unless the left side is true; the right side is evaluated only then.
      if (l.konst) return l.value === true ? booleanNode(e.right) : NULL_NODE;
      const lf = l.fn;
      const rf = booleanNode(e.right).fn;
      return dynamic((ctx) => (lf(ctx) !== true ? undefined : rf(ctx)));
    }
    case 'or': {
      const l = booleanNode(e.left);
      if (l.konst && l.value === true) return constant(true);
      const r = booleanNode(e.right);
      const rf = r.fn;
      if (l.konst) {
        const lv = l.value;
        return node(
          (ctx) => {
            const rv = rf(ctx);
            if (lv === undefined && rv === undefined) return undefined;
            return rv === true;
          },
          [r],
        );
      }
      const lf = l.fn;
      return dynamic((ctx) => {
        const lv = lf(ctx);
        if (lv === true) return true;
        const rv = rf(ctx);
        if (lv === undefined && rv === undefined) return undefined;
        return rv === true;
      });
    }
    case 'not': {
      const a = booleanNode(e.arg);
      const af = a.fn;
      return node(
        (ctx) => {
          const v = af(ctx);
          return v === undefined ? undefined : !v;
        },
        [a],
      );
    }
    case 'exists': {
      const { space, code } = e;
      return dynamic((ctx) => ctx.options?.get(space)?.has(code) ?? false);
    }
    case 'known':
      return dynamic((ctx) => ctx.known);
    case 'static':
      return dynamic((ctx) => ctx.lease?.static === true);
    case 'defined': {
      const name = e.name;
      return dynamic((ctx) => ctx.bindings.isDefined(name));
    }
    case 'check':
      return dynamic((ctx) => ctx.classes.length > 0);
    case 'variable': {
      const name = e.name;
      return dynamic((ctx) => {
        const v = ctx.bindings.get(name);
        return typeof v === 'boolean' ? v : undefined;
      });
    }
    case 'funcall':
      return typedCall(e.name, e.args);
    default:
      // A data or numeric operator in boolean context is null, and its operands are not evaluated.
      return NULL_NODE;
  }
}

/** `=` / `!=`: never null; null equals only null; values of different types are unequal. */
function equality(left: Expr, right: Expr, equal: boolean): Node<boolean> {
  const l = expressionNode(left);
  const r = expressionNode(right);
  const lf = l.fn;
  const rf = r.fn;
  // One constant side (the usual `option x = "text"`): compare with it directly. The constant side
  // has no effects, so evaluating only the other keeps the interpreter's order of effects.
  const k = r.konst ? r : l.konst ? l : undefined;
  if (k !== undefined && !(l.konst && r.konst)) {
    const other = k === r ? lf : rf;
    const c = k.value;
    if (c === undefined) return dynamic((ctx) => (other(ctx) === undefined) === equal);
    if (c instanceof Uint8Array) {
      return dynamic((ctx) => {
        const v = other(ctx);
        const same = v instanceof Uint8Array && sameBytes(v, c);
        return same === equal;
      });
    }
    return dynamic((ctx) => {
      const v = other(ctx);
      return (v !== undefined && sameValue(v, c)) === equal;
    });
  }
  return node(
    (ctx) => {
      const lv = lf(ctx);
      const rv = rf(ctx);
      const same = lv === undefined || rv === undefined ? lv === rv : sameValue(lv, rv);
      return same === equal;
    },
    [l, r],
  );
}

/** `~=` / `~~`: null when a side is null; a constant pattern is compiled here, once. */
function regex(left: Expr, right: Expr, icase: boolean): Node<boolean> {
  const l = dataNode(left);
  const r = dataNode(right);
  const lf = l.fn;
  if (r.konst && !l.konst) {
    const pattern = r.value;
    if (pattern === undefined) {
      return dynamic<boolean>((ctx) => {
        lf(ctx);
        return undefined;
      });
    }
    // An empty pattern never matches; compileRegex is only asked about real ones.
    const re = pattern.length === 0 ? null : compileRegex(pattern, icase);
    return dynamic((ctx) => {
      const s = lf(ctx);
      return s === undefined ? undefined : regexTest(re, s);
    });
  }
  const rf = r.fn;
  return node(
    (ctx) => {
      const s = lf(ctx);
      const p = rf(ctx);
      if (s === undefined || p === undefined) return undefined;
      return regexMatch(s, p, icase);
    },
    [l, r],
  );
}

// ---------------------------------------------------------------------------------------------
// Data

function buildData(e: Expr): Node<Uint8Array> {
  switch (e.op) {
    case 'const-data':
      return constant(e.data);
    case 'option': {
      const { space, code } = e;
      return dynamic((ctx) => ctx.options?.get(space)?.get(code));
    }
    case 'config-option': {
      const { space, code } = e;
      return dynamic((ctx) => ctx.config.get(space, code));
    }
    case 'substring':
      return substring(e.expr, e.offset, e.length);
    case 'suffix': {
      const d = dataNode(e.expr);
      const n = numericNode(e.length);
      const df = d.fn;
      if (n.konst && n.value !== undefined) {
        const len = n.value;
        return node(
          (ctx) => {
            const v = df(ctx);
            return v === undefined ? undefined : suffixOf(v, len);
          },
          [d],
        );
      }
      const nf = n.fn;
      return node(
        (ctx) => {
          const v = df(ctx);
          const len = nf(ctx);
          if (v === undefined || len === undefined) return undefined;
          return suffixOf(v, len);
        },
        [d, n],
      );
    }
    case 'lcase':
    case 'ucase': {
      const d = dataNode(e.expr);
      const df = d.fn;
      const upper = e.op === 'ucase';
      return node(
        (ctx) => {
          const v = df(ctx);
          return v === undefined ? undefined : mapCase(v, upper);
        },
        [d],
      );
    }
    case 'hardware':
      return dynamic((ctx) => ctx.hardware);
    case 'packet': {
      const of = numericNode(e.offset).fn;
      const lf = numericNode(e.length).fn;
      // No packet: null, and the offset and length are not evaluated.
      return dynamic((ctx) => {
        const raw = ctx.raw;
        if (raw === undefined) return undefined;
        const off = of(ctx);
        return packetSlice(raw, off, lf(ctx));
      });
    }
    case 'concat':
      return concat(e.args);
    case 'encode-int': {
      const n = numericNode(e.expr);
      const nf = n.fn;
      const bits = e.bits;
      return node(
        (ctx) => {
          const v = nf(ctx);
          return v === undefined ? undefined : encodeInt(v, bits);
        },
        [n],
      );
    }
    case 'binary-to-ascii': {
      const base = numericNode(e.base);
      const width = numericNode(e.width);
      const sep = dataNode(e.separator);
      const buf = dataNode(e.buffer);
      const [bf, wf, sf, uf] = [base.fn, width.fn, sep.fn, buf.fn];
      return node(
        (ctx) => {
          const b = bf(ctx);
          const w = wf(ctx);
          const s = sf(ctx);
          const u = uf(ctx);
          if (b === undefined || w === undefined || s === undefined || u === undefined) return undefined;
          return binaryToAscii(b, w, s, u);
        },
        [base, width, sep, buf],
      );
    }
    case 'reverse': {
      const width = numericNode(e.width);
      const buf = dataNode(e.buffer);
      const wf = width.fn;
      const uf = buf.fn;
      return node(
        (ctx) => {
          const w = wf(ctx);
          const u = uf(ctx);
          if (w === undefined || u === undefined) return undefined;
          return reverseChunks(w, u);
        },
        [width, buf],
      );
    }
    case 'pick-first-value':
      return pickFirst(e.args);
    case 'leased-address':
      return dynamic((ctx) => ctx.lease?.address);
    case 'host-decl-name':
      return dynamic((ctx) => {
        const name = ctx.lease?.hostDeclName;
        return name === undefined ? undefined : textBytes(name);
      });
    case 'filename':
      return dynamic((ctx) => fixedField(ctx.file));
    case 'server-name':
      return dynamic((ctx) => fixedField(ctx.sname));
    case 'gethostname':
      return dynamic((ctx) => {
        const h = ctx.gethostname?.();
        return h === undefined ? undefined : textBytes(h.slice(0, 255));
      });
    case 'host-lookup': {
      const hostname = e.hostname;
      return dynamic((ctx) => {
        const a = ctx.resolveHost?.(hostname);
        return a === undefined ? undefined : ipv4Bytes(a);
      });
    }
    case 'variable': {
      const name = e.name;
      return dynamic((ctx) => {
        const v = ctx.bindings.get(name);
        return v instanceof Uint8Array ? v : undefined;
      });
    }
    case 'funcall':
      return typedCall(e.name, e.args);
    default:
      // null, v6relay (DHCPv6 only), and boolean or numeric operators in data context.
      return NULL_NODE;
  }
}

function substring(expr: Expr, offset: Expr, length: Expr): Node<Uint8Array> {
  const d = dataNode(expr);
  const o = numericNode(offset);
  const n = numericNode(length);
  const df = d.fn;
  if (o.konst && n.konst && o.value !== undefined && n.value !== undefined) {
    const off = o.value;
    const len = n.value;
    return node(
      (ctx) => {
        const v = df(ctx);
        return v === undefined ? undefined : substringOf(v, off, len);
      },
      [d],
    );
  }
  const of = o.fn;
  const nf = n.fn;
  return node(
    (ctx) => {
      const v = df(ctx);
      const off = of(ctx);
      const len = nf(ctx);
      if (v === undefined || off === undefined || len === undefined) return undefined;
      return substringOf(v, off, len);
    },
    [d, o, n],
  );
}

/** concat: null at the first null operand, whose followers are not evaluated. */
function concat(args: readonly Expr[]): Node<Uint8Array> {
  const nodes = args.map(dataNode);
  const fns = nodes.map((n) => n.fn);
  if (fns.length === 2) {
    const [af, bf] = fns as [Compiled<Uint8Array>, Compiled<Uint8Array>];
    return node((ctx) => {
      const a = af(ctx);
      if (a === undefined) return undefined;
      const b = bf(ctx);
      if (b === undefined) return undefined;
      return concatBytes([a, b]);
    }, nodes);
  }
  return node((ctx) => {
    const parts: Uint8Array[] = [];
    for (const f of fns) {
      const d = f(ctx);
      if (d === undefined) return undefined;
      parts.push(d);
    }
    return concatBytes(parts);
  }, nodes);
}

/** pick-first-value: the first non-null operand; the ones after it are not evaluated. */
function pickFirst(args: readonly Expr[]): Node<Uint8Array> {
  const nodes: Node<Uint8Array>[] = [];
  for (const a of args) {
    const n = dataNode(a);
    if (n.konst && n.value === undefined) continue; // a constant null is skipped, with no effect
    nodes.push(n);
    // Nothing after a constant non-null operand is ever evaluated.
    if (n.konst) break;
  }
  if (nodes.length === 0) return NULL_NODE;
  if (nodes.length === 1) return nodes[0]!;
  const fns = nodes.map((n) => n.fn);
  if (fns.length === 2) {
    const [af, bf] = fns as [Compiled<Uint8Array>, Compiled<Uint8Array>];
    return dynamic((ctx) => af(ctx) ?? bf(ctx));
  }
  return dynamic((ctx) => {
    for (const f of fns) {
      const d = f(ctx);
      if (d !== undefined) return d;
    }
    return undefined;
  });
}

// ---------------------------------------------------------------------------------------------
// Numeric

function buildNumeric(e: Expr): Node<number> {
  switch (e.op) {
    case 'const-int':
      return constant(e.value);
    case 'extract-int': {
      const d = dataNode(e.expr);
      const df = d.fn;
      const bits = e.bits;
      return node(
        (ctx) => {
          const v = df(ctx);
          return v === undefined ? undefined : extractInt(v, bits);
        },
        [d],
      );
    }
    case 'lease-time':
      return dynamic((ctx) => leaseTimeLeft(ctx.lease?.ends, ctx.now));
    case 'client-state':
      return dynamic((ctx) => ctx.clientState);
    case 'add':
    case 'subtract':
    case 'multiply':
    case 'divide':
    case 'remainder':
    case 'binary-and':
    case 'binary-or':
    case 'binary-xor':
      return arithmetic(e.op, e.left, e.right);
    case 'variable': {
      const name = e.name;
      return dynamic((ctx) => {
        const v = ctx.bindings.get(name);
        return typeof v === 'number' ? v : undefined;
      });
    }
    case 'funcall':
      return typedCall(e.name, e.args);
    default:
      return NULL_NODE;
  }
}

function arithmetic(op: ArithmeticOp, left: Expr, right: Expr): Node<number> {
  const l = numericNode(left);
  const r = numericNode(right);
  const lf = l.fn;
  const rf = r.fn;
  const f = ARITHMETIC[op];
  return node(
    (ctx) => {
      const a = lf(ctx);
      const b = rf(ctx);
      if (a === undefined || b === undefined) return undefined;
      return f(a, b);
    },
    [l, r],
  );
}
