// The expression language of dhcp-eval(5), parsed as parse.c's parse_expression() and
// parse_non_binary() do, with ISC's operator precedences (which group `a + b * c` as
// `(a + b) * c`) and ISC's type checks ("Expecting a boolean expression.").
//
// A sub-parser returns undefined when the next token cannot start an expression; the caller
// then reports its own message, as ISC's `lose` flag arranges.

import type { BinaryOp, Expr, NullaryOp, Pos } from './ast.js';
import { parseCshl, parseIpAddrOrHostname } from './parse-basic.js';
import { parseOptionName } from './parse-options.js';
import type { Cursor } from './parser-core.js';
import { bytesOf, bytesToText } from './tokens.js';

export type Context = 'any' | 'data' | 'numeric' | 'boolean' | 'data-or-numeric';

const BOOLEAN_OPS = new Set([
  'check',
  'exists',
  'defined',
  'equal',
  'not-equal',
  'regex-match',
  'iregex-match',
  'and',
  'or',
  'not',
  'known',
  'static',
]);
const DATA_OPS = new Set([
  'substring',
  'suffix',
  'lcase',
  'ucase',
  'option',
  'hardware',
  'const-data',
  'packet',
  'concat',
  'encode-int',
  'host-lookup',
  'binary-to-ascii',
  'filename',
  'server-name',
  'reverse',
  'pick-first-value',
  'host-decl-name',
  'leased-address',
  'config-option',
  'null',
  'gethostname',
  'v6relay',
]);
const NUMERIC_OPS = new Set([
  'extract-int',
  'const-int',
  'lease-time',
  'add',
  'subtract',
  'multiply',
  'divide',
  'remainder',
  'binary-and',
  'binary-or',
  'binary-xor',
  'client-state',
]);

export const isBooleanExpr = (e: Expr) => BOOLEAN_OPS.has(e.op);
export const isDataExpr = (e: Expr) => DATA_OPS.has(e.op);
export const isNumericExpr = (e: Expr) => NUMERIC_OPS.has(e.op);
const isUntyped = (e: Expr) => e.op === 'variable' || e.op === 'funcall';

function exprContext(e: Expr): Context {
  if (isDataExpr(e)) return 'data';
  if (isNumericExpr(e)) return 'numeric';
  if (isBooleanExpr(e)) return 'boolean';
  return 'any';
}

function opPrecedence(op: BinaryOp | 'none'): number {
  switch (op) {
    case 'equal':
    case 'not-equal':
    case 'regex-match':
    case 'iregex-match':
      return 4;
    case 'and':
    case 'or':
      return 3;
    case 'add':
    case 'subtract':
      return 2;
    case 'multiply':
    case 'divide':
    case 'remainder':
      return 1;
    default:
      return 100;
  }
}

function opContext(op: BinaryOp): Context {
  switch (op) {
    case 'equal':
    case 'not-equal':
    case 'regex-match':
    case 'iregex-match':
      return 'data';
    case 'and':
    case 'or':
      return 'boolean';
    default:
      return 'numeric';
  }
}

/** parse_boolean_expression() */
export function parseBooleanExpression(p: Cursor): Expr | undefined {
  const e = parseExpression(p, 'boolean');
  if (e === undefined) return undefined;
  if (!isBooleanExpr(e) && !isUntyped(e)) p.fail('Expecting a boolean expression.');
  return e;
}

/** parse_data_expression() */
export function parseDataExpression(p: Cursor): Expr | undefined {
  const e = parseExpression(p, 'data');
  if (e === undefined) return undefined;
  if (!isDataExpr(e) && !isUntyped(e)) p.fail('Expecting a data expression.');
  return e;
}

/** parse_numeric_expression() */
export function parseNumericExpression(p: Cursor): Expr | undefined {
  const e = parseExpression(p, 'numeric');
  if (e === undefined) return undefined;
  if (!isNumericExpr(e) && !isUntyped(e)) p.fail('Expecting a numeric expression.');
  return e;
}

/** A data expression that must be there (`option foo = ...;`). */
export function requireDataExpression(p: Cursor, message = 'expecting a data expression.'): Expr {
  return parseDataExpression(p) ?? p.fail(message);
}

/** parse_expression(): operands joined by binary operators, with ISC's precedence rules. */
export function parseExpression(
  p: Cursor,
  context: Context,
  lhsIn?: Expr,
  binopIn: BinaryOp | 'none' = 'none',
): Expr | undefined {
  let lhs = lhsIn;
  let binop = binopIn;
  while (true) {
    let rhs = parseNonBinary(p, context);
    if (rhs === undefined) {
      if (lhs !== undefined) p.fail('expecting right-hand side.');
      return undefined;
    }
    let nextOp: BinaryOp | 'none' = 'none';
    const tok = p.peek();
    switch (tok.t) {
      case '!':
        p.next();
        if (p.peek().t !== '=') p.fail('! in boolean context without =');
        nextOp = 'not-equal';
        break;
      case '=':
        nextOp = 'equal';
        break;
      case '~': {
        p.next();
        const t2 = p.peek();
        if (t2.t === '~') nextOp = 'iregex-match';
        else if (t2.t === '=') nextOp = 'regex-match';
        else p.fail('expecting ~= or ~~ operator');
        break;
      }
      case 'and':
        nextOp = 'and';
        break;
      case 'or':
        nextOp = 'or';
        break;
      case '+':
        nextOp = 'add';
        break;
      case '-':
        nextOp = 'subtract';
        break;
      case '/':
        nextOp = 'divide';
        break;
      case '*':
        nextOp = 'multiply';
        break;
      case '%':
        nextOp = 'remainder';
        break;
      case '&':
        nextOp = 'binary-and';
        break;
      case '|':
        nextOp = 'binary-or';
        break;
      case '^':
        nextOp = 'binary-xor';
        break;
    }
    if (nextOp !== 'none') context = exprContext(rhs);

    if (lhs === undefined) {
      if (nextOp === 'none') return rhs;
      lhs = rhs;
      binop = nextOp;
      p.next();
      continue;
    }

    if (binop !== 'none' && nextOp !== 'none' && opPrecedence(binop) - opPrecedence(nextOp) < 0) {
      p.next();
      const sub = parseExpression(p, opContext(nextOp), rhs, nextOp);
      if (sub === undefined) p.fail('expecting a subexpression');
      rhs = sub;
      nextOp = 'none';
    }

    if (binop !== 'none') {
      const rc = exprContext(rhs);
      const lc = exprContext(lhs);
      if (rc !== 'any' && lc !== 'any' && rc !== lc) p.fail('illegal expression relating different types');
      switch (binop) {
        case 'equal':
        case 'not-equal':
          if (rc === 'boolean') p.fail('expecting data/numeric expression');
          break;
        case 'regex-match':
          if (rc !== 'data') p.fail('expecting data expression');
          break;
        case 'and':
        case 'or':
          if (rc !== 'boolean' && rc !== 'any') p.fail('expecting boolean expressions');
          break;
        case 'iregex-match':
          break;
        default:
          if (rc !== 'numeric' && rc !== 'any') p.fail('expecting numeric expressions');
      }
    }

    const combined: Expr = { op: binop as BinaryOp, pos: lhs.pos, left: lhs, right: rhs };
    if (nextOp === 'none') return combined;
    p.next();
    lhs = combined;
    binop = nextOp;
  }
}

const NULLARY: Record<string, NullaryOp> = {
  hardware: 'hardware',
  'leased-address': 'leased-address',
  'client-state': 'client-state',
  filename: 'filename',
  'server-name': 'server-name',
  'lease-time': 'lease-time',
  null: 'null',
  'host-decl-name': 'host-decl-name',
  static: 'static',
  known: 'known',
};

/** DNS result codes and client states that read as numbers. */
const NAMED_CONSTANTS: Record<string, number> = {
  formerr: 1,
  noerror: 0,
  notauth: 9,
  notimp: 4,
  notzone: 10,
  nxdomain: 3,
  nxrrset: 8,
  refused: 5,
  servfail: 2,
  yxdomain: 6,
  yxrrset: 7,
  booting: 0,
  reboot: 1,
  select: 2,
  request: 3,
  bound: 4,
  renew: 5,
  rebind: 6,
};

/** parse_non_binary(): one operand (literal, function, option reference, parenthesised...). */
export function parseNonBinary(p: Cursor, context: Context): Expr | undefined {
  const tok = p.peek();
  const pos: Pos = p.pos(tok);
  const lparen = () => {
    if (p.next().t !== '(') p.fail('left parenthesis expected.');
  };
  const rparen = () => {
    if (p.next().t !== ')') p.fail('right parenthesis expected.');
  };
  const comma = () => {
    if (p.next().t !== ',') p.fail('comma expected.');
  };
  const data = (): Expr => parseDataExpression(p) ?? p.fail('expecting data expression.');
  const numeric = (): Expr => parseNumericExpression(p) ?? p.fail('expecting numeric expression.');
  // ISC reports some missing numeric operands with the data message (binary-to-ascii, reverse).
  const numericAsData = (): Expr => parseNumericExpression(p) ?? p.fail('expecting data expression.');

  const nullary = NULLARY[tok.t];
  if (nullary !== undefined) {
    p.next();
    return { op: nullary, pos };
  }
  const named = NAMED_CONSTANTS[tok.t];
  if (named !== undefined) {
    p.next();
    return { op: 'const-int', pos, value: named, name: tok.t };
  }

  switch (tok.t) {
    case 'check': {
      p.next();
      const s = p.next();
      if (s.t !== 'STRING') p.fail('string expected.');
      // ISC has no collection other than "default"; any other name is unknown.
      if (s.text !== 'default') p.fail('unknown collection.');
      return { op: 'check', pos, collection: s.text };
    }
    case 'not': {
      p.next();
      const arg = parseNonBinary(p, 'boolean') ?? p.fail('expression expected');
      if (!isBooleanExpr(arg)) p.fail('boolean expression expected');
      return { op: 'not', pos, arg };
    }
    case '(': {
      p.next();
      const e = parseExpression(p, context) ?? p.fail('expression expected');
      if (p.next().t !== ')') p.fail('right paren expected');
      return e;
    }
    case 'exists':
    case 'option':
    case 'config-option': {
      p.next();
      const r = parseOptionName(p, false);
      const def = r.resolved!.def;
      return { op: tok.t, pos, space: def.space, name: def.name, code: def.code };
    }
    case 'substring': {
      p.next();
      lparen();
      const expr = data();
      comma();
      const offset = numeric();
      comma();
      const length = numeric();
      rparen();
      return { op: 'substring', pos, expr, offset, length };
    }
    case 'suffix': {
      p.next();
      lparen();
      const expr = data();
      comma();
      const length = numeric();
      rparen();
      return { op: 'suffix', pos, expr, length };
    }
    case 'lcase':
    case 'ucase': {
      p.next();
      lparen();
      const expr = data();
      rparen();
      return { op: tok.t, pos, expr };
    }
    case 'concat': {
      p.next();
      lparen();
      const args = [data()];
      comma();
      args.push(data());
      while (true) {
        const t = p.next();
        if (t.t === ',') {
          args.push(data());
          continue;
        }
        if (t.t !== ')') p.fail('right parenthesis expected.');
        break;
      }
      return { op: 'concat', pos, args };
    }
    case 'binary-to-ascii': {
      p.next();
      lparen();
      const base = numericAsData();
      comma();
      const width = numericAsData();
      comma();
      const separator = data();
      comma();
      const buffer = data();
      rparen();
      return { op: 'binary-to-ascii', pos, base, width, separator, buffer };
    }
    case 'reverse': {
      p.next();
      lparen();
      const width = numericAsData();
      comma();
      const buffer = data();
      rparen();
      return { op: 'reverse', pos, width, buffer };
    }
    case 'pick-first-value': {
      p.next();
      lparen();
      const args: Expr[] = [];
      while (true) {
        args.push(data());
        const t = p.next();
        if (t.t === ',') continue;
        if (t.t !== ')') p.fail('right parenthesis expected.');
        break;
      }
      return { op: 'pick-first-value', pos, args };
    }
    case 'packet': {
      p.next();
      lparen();
      const offset = numeric();
      comma();
      const length = numeric();
      rparen();
      return { op: 'packet', pos, offset, length };
    }
    case 'STRING':
      p.next();
      return { op: 'const-data', pos, data: bytesOf(tok.text), text: bytesToText(tok.text) };
    case 'extract-int':
    case 'encode-int': {
      p.next();
      lparen();
      const expr =
        tok.t === 'extract-int' ? data() : (parseNumericExpression(p) ?? p.fail('expecting numeric expression.'));
      comma();
      const n = p.next();
      if (n.t !== 'NUMBER') p.fail('number expected.');
      const bits = Number.parseInt(n.text, 10);
      if (bits !== 8 && bits !== 16 && bits !== 32) p.fail(`unsupported integer size ${bits}`);
      rparen();
      return { op: tok.t, pos, expr, bits };
    }
    case 'NUMBER':
      if (context === 'numeric' || context === 'data-or-numeric') {
        p.next();
        return { op: 'const-int', pos, value: Number.parseInt(tok.text, 10) || 0 };
      }
      return { op: 'const-data', pos, data: parseCshl(p) };
    case 'NUMBER_OR_NAME':
      return { op: 'const-data', pos, data: parseCshl(p) };
    case 'defined': {
      p.next();
      lparen();
      const v = p.next();
      if (v.t !== 'NAME' && v.t !== 'NUMBER_OR_NAME') p.fail(`${v.text} can't be a variable name`);
      if (p.next().t !== ')') p.fail('right parenthesis expected.');
      return { op: 'defined', pos, name: v.text };
    }
    case 'gethostname':
      p.next();
      lparen();
      rparen();
      return { op: 'gethostname', pos };
    case 'gethostbyname': {
      p.next();
      lparen();
      const s = p.next();
      if (s.t !== 'STRING') p.fail('Expecting quoted literal: "foo.example.com"');
      rparen();
      return { op: 'host-lookup', pos, hostname: s.text };
    }
    case 'v6relay': {
      p.next();
      lparen();
      const relay = numericAsData();
      comma();
      const option = data();
      rparen();
      return { op: 'v6relay', pos, relay, option };
    }
  }
  if (tok.t !== 'NAME' && tok.t !== 'NUMBER_OR_NAME') return undefined;
  p.next();
  if (p.peek().t !== '(') return { op: 'variable', pos, name: tok.text };
  p.next();
  const args: Expr[] = [];
  while (true) {
    args.push(parseExpression(p, 'any') ?? p.fail('expecting expression.'));
    const t = p.next();
    if (t.t === ',') continue;
    if (t.t !== ')') p.fail('Right parenthesis expected.');
    break;
  }
  return { op: 'funcall', pos, name: tok.text, args };
}

/** An IP address or host name as an expression (zone primaries, failover addresses). */
export function parseAddressExpr(p: Cursor): string {
  const r = parseIpAddrOrHostname(p);
  return r.address ?? r.hostname!;
}
