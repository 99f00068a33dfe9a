// Executable statements (parse.c parse_executable_statement): conditionals, events, switch,
// variables, log/execute, option statements, dhcpd parameters, allow/deny, and the key and
// zone declarations ISC parses here too.

import type { Executable, Expr, KeyDecl, LogPriority, Pos, Statement, ZoneDecl } from './ast.js';
import { parseBase64, parseHostName, parseIp6Addr, parseSemi } from './parse-basic.js';
import {
  type Context,
  isDataExpr,
  parseAddressExpr,
  parseBooleanExpression,
  parseDataExpression,
  parseExpression,
  requireDataExpression,
} from './parse-expressions.js';
import { optionRef, parseOptionName, parseOptionStatementTail } from './parse-options.js';
import type { Cursor, ResolvedOption } from './parser-core.js';
import { SUPPORTED_PARAMETERS, serverParam } from './server-params.js';
import { bytesToText, isIdentifier } from './tokens.js';

/** What a `case` label must be, given the enclosing switch (ISC's case_context). */
export type CaseContext = 'any' | 'data' | 'numeric';

/** parse_executable_statements(): statements until one does not parse. */
export function parseExecutableStatements(p: Cursor, caseContext: CaseContext): Statement[] {
  const out: Statement[] = [];
  while (true) {
    const s = parseExecutableStatement(p, caseContext);
    if (s === undefined) return out;
    if (s !== null) out.push(s);
  }
}

const ALLOW_DENY_KEYS: Record<string, import('./ast.js').AllowDenyKey> = {
  bootp: 'bootp',
  booting: 'booting',
  'dynamic-bootp': 'dynamic-bootp',
  'unknown-clients': 'unknown-clients',
  duplicates: 'duplicates',
  declines: 'declines',
  'client-updates': 'client-updates',
  leasequery: 'leasequery',
};

/**
 * One executable statement. Returns undefined when the next token cannot start one (the caller
 * decides what that means), null for a statement with no node of its own.
 */
export function parseExecutableStatement(p: Cursor, caseContext: CaseContext): Statement | null | undefined {
  const tok = p.peek();
  const pos = p.pos(tok);
  switch (tok.t) {
    case 'db-time-format': {
      p.next();
      const t = p.next();
      if (t.t !== 'default' && t.t !== 'local') p.fail("Expecting 'local' or 'default'.");
      if (p.next().t !== ';') p.fail('Expecting a semicolon.');
      return { kind: 'db-time-format', pos, format: t.t };
    }
    case 'if':
      p.next();
      return parseIfStatement(p, pos);
    case 'add': {
      p.next();
      const t = p.next();
      if (t.t !== 'STRING') p.fail('expecting class name.');
      if (!p.state.classes.has(t.text)) p.fail(`class ${t.text}: not found`);
      parseSemi(p);
      return { kind: 'add', pos, className: t.text };
    }
    case 'break':
      p.next();
      parseSemi(p);
      return { kind: 'break', pos };
    case 'send':
    case 'supersede':
    case 'option':
    case 'prepend':
    case 'append': {
      p.next();
      const r = parseOptionName(p, false);
      const op = tok.t === 'option' ? 'supersede' : tok.t;
      return parseOptionStatementTail(p, pos, r.resolved!, op, requireData);
    }
    case 'allow':
    case 'deny':
    case 'ignore': {
      p.next();
      const t = p.next();
      const what = ALLOW_DENY_KEYS[t.t];
      if (what === undefined) p.fail('expecting allow/deny key');
      parseSemi(p);
      return { kind: 'allow-deny', pos, flag: tok.t, what };
    }
    case 'default': {
      p.next();
      if (p.peek().t === ':') {
        p.next();
        if (caseContext === 'any') p.fail('switch default statement in inappropriate scope.');
        return { kind: 'default', pos };
      }
      const r = parseOptionName(p, false);
      return parseOptionStatementTail(p, pos, r.resolved!, 'default', requireData);
    }
    case 'on':
      p.next();
      return parseOnStatement(p, pos);
    case 'switch':
      p.next();
      return parseSwitchStatement(p, pos);
    case 'case': {
      p.next();
      if (caseContext === 'any') p.fail('case statement in inappropriate scope.');
      const expr =
        parseExpression(p, caseContext) ??
        p.fail(`expecting ${caseContext === 'data' ? 'data' : 'numeric'} expression.`);
      if (p.next().t !== ':') p.fail('colon expected.');
      return { kind: 'case', pos, expr };
    }
    case 'define':
    case 'set':
      p.next();
      return parseSetStatement(p, pos, tok.t, caseContext);
    case 'unset': {
      p.next();
      const t = p.next();
      if (t.t !== 'NAME' && t.t !== 'NUMBER_OR_NAME') p.fail(`${t.text} can't be a variable name`);
      parseSemi(p);
      return { kind: 'unset', pos, name: t.text };
    }
    case 'eval': {
      p.next();
      const expr = parseExpression(p, 'data') ?? p.fail('expecting data expression.');
      parseSemi(p);
      return { kind: 'eval', pos, expr };
    }
    case 'execute': {
      p.next();
      if (p.next().t !== '(') p.fail('left parenthesis expected.');
      const cmd = p.next();
      if (cmd.t !== 'STRING') p.fail('Expecting a quoted string.');
      const args: Expr[] = [];
      let t = p.next();
      while (t.t === ',') {
        args.push(parseDataExpression(p) ?? p.fail('expecting expression.'));
        t = p.next();
      }
      if (t.t !== ')') p.fail('right parenthesis expected.');
      parseSemi(p);
      return { kind: 'execute', pos, command: bytesToText(cmd.text), args };
    }
    case 'return': {
      p.next();
      const expr = parseExpression(p, 'data') ?? p.fail('expecting data expression.');
      parseSemi(p);
      return { kind: 'return', pos, expr };
    }
    case 'log': {
      p.next();
      if (p.next().t !== '(') p.fail('left parenthesis expected.');
      const pr = p.peek().t;
      let priority: LogPriority = 'debug';
      if (pr === 'fatal' || pr === 'error' || pr === 'debug' || pr === 'info') {
        priority = pr;
        p.next();
        if (p.next().t !== ',') p.fail('comma expected.');
      }
      const expr = parseDataExpression(p) ?? p.fail('expecting data expression.');
      if (p.next().t !== ')') p.fail('right parenthesis expected.');
      if (p.next().t !== ';') p.fail('semicolon expected.');
      return { kind: 'log', pos, priority, expr };
    }
    case 'parse-vendor-option':
      p.next();
      parseSemi(p);
      return { kind: 'parse-vendor-option', pos };
    case 'zone':
      p.next();
      return parseZone(p, pos);
    case 'key':
      p.next();
      return parseKey(p, pos);
  }
  if (p.state.dialect === 'dhcpd' && isIdentifier(tok)) {
    const param = serverParam(p, tok.text);
    if (param !== undefined) {
      p.next();
      return parseParameter(p, pos, param);
    }
  }
  if (tok.t === 'NUMBER_OR_NAME' || tok.t === 'NAME') {
    // ISC treats a bare name as a function call evaluated for its effect.
    const expr = parseExpression(p, 'data') ?? p.fail('expecting function call.');
    parseSemi(p);
    return { kind: 'eval', pos, expr };
  }
  return undefined;
}

function requireData(p: Cursor): Expr {
  return requireDataExpression(p);
}

/** A dhcpd parameter (ISC's server option space) and its value. */
export function parseParameter(p: Cursor, pos: Pos, param: ResolvedOption): Executable {
  const stmt = parseOptionStatementTail(p, pos, param, 'supersede', requireData);
  const name = param.def.name;
  const node: Executable = { kind: 'parameter', pos, name };
  if (stmt.expr !== undefined) node.expr = stmt.expr;
  if (stmt.hostnames !== undefined) node.hostnames = stmt.hostnames;
  const v = stmt.value;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') node.value = v;
  else if (v instanceof Uint8Array) node.value = bytesToText(Buffer.from(v).toString('latin1'));
  if (!SUPPORTED_PARAMETERS.has(name)) p.unsupported(name, pos);
  return node;
}

/** parse_if_statement(): after `if` (or `elsif`). */
function parseIfStatement(p: Cursor, pos: Pos): Executable {
  const paren = p.peek().t === '(';
  if (paren) p.next();
  const condition = parseBooleanExpression(p) ?? p.fail('boolean expression expected.');
  if (paren && p.next().t !== ')') p.fail('expecting right paren.');
  if (p.next().t !== '{') p.fail('left brace expected.');
  const then = parseExecutableStatements(p, 'any');
  if (p.next().t !== '}') p.fail('right brace expected.');
  const node: Executable = { kind: 'if', pos, condition, then };
  const t = p.peek();
  if (t.t === 'else') {
    p.next();
    const t2 = p.peek();
    if (t2.t === 'if') {
      const ipos = p.pos(t2);
      p.next();
      node.else = [parseIfStatement(p, ipos)];
    } else if (t2.t !== '{') {
      p.fail('left brace or if expected.');
    } else {
      p.next();
      node.else = parseExecutableStatements(p, 'any');
      if (p.next().t !== '}') p.fail('right brace expected.');
    }
  } else if (t.t === 'elsif') {
    const ipos = p.pos(t);
    p.next();
    node.else = [parseIfStatement(p, ipos)];
  }
  return node;
}

/** parse_on_statement(): `on commit [or release ...] { ... }` or bodiless `on expiry;`. */
function parseOnStatement(p: Cursor, pos: Pos): Executable {
  const events: ('commit' | 'release' | 'expiry' | 'transmission')[] = [];
  let t = p.next();
  while (true) {
    if (t.t !== 'expiry' && t.t !== 'commit' && t.t !== 'release' && t.t !== 'transmission') {
      p.fail('expecting a lease event type');
    }
    events.push(t.t);
    t = p.next();
    if (t.t !== 'or') break;
    t = p.next();
  }
  if (t.t === ';') return { kind: 'on', pos, events };
  if (t.t !== '{') p.fail('left brace expected.');
  const body = parseExecutableStatements(p, 'any');
  if (p.next().t !== '}') p.fail('right brace expected.');
  return { kind: 'on', pos, events, body };
}

/** parse_switch_statement(): `switch (expr) { case ...: ... default: ... }`. */
function parseSwitchStatement(p: Cursor, pos: Pos): Executable {
  if (p.next().t !== '(') p.fail('expecting left brace.');
  const expr = parseExpression(p, 'data-or-numeric' as Context) ?? p.fail('expecting data or numeric expression.');
  if (p.next().t !== ')') p.fail('right paren expected.');
  if (p.next().t !== '{') p.fail('left brace expected.');
  const body = parseExecutableStatements(p, isDataExpr(expr) ? 'data' : 'numeric');
  if (p.next().t !== '}') p.fail('right brace expected.');
  return { kind: 'switch', pos, expr, body };
}

/** `set NAME = expr;`, `define NAME = expr;`, `define NAME (args) { ... }`. */
function parseSetStatement(p: Cursor, pos: Pos, which: 'set' | 'define', caseContext: CaseContext): Executable {
  const nameTok = p.next();
  if (nameTok.t !== 'NAME' && nameTok.t !== 'NUMBER_OR_NAME') p.fail(`${nameTok.text} can't be a variable name`);
  const t = p.next();
  if (t.t === '(') {
    const params: string[] = [];
    let a = p.next();
    while (a.t !== ')') {
      if (a.t !== 'NAME' && a.t !== 'NUMBER_OR_NAME') p.fail('expecting argument name');
      params.push(a.text);
      a = p.next();
      if (a.t === ',') a = p.next();
      else if (a.t !== ')') p.fail('expecting right paren.');
    }
    if (p.next().t !== '{') p.fail('expecting left brace.');
    const body = parseExecutableStatements(p, caseContext);
    if (p.next().t !== '}') p.fail('expecting rigt brace.');
    return { kind: 'define-function', pos, name: nameTok.text, params, body };
  }
  if (t.t !== '=') p.fail(`expecting '=' in ${which} statement.`);
  const expr = parseExpression(p, 'any') ?? p.fail('expecting expression.');
  parseSemi(p);
  return { kind: which, pos, name: nameTok.text, expr };
}

/** parse_zone(): after `zone`. */
function parseZone(p: Cursor, pos: Pos): ZoneDecl {
  let name = parseHostName(p);
  if (name === undefined) p.fail('expecting hostname.');
  if (!name.endsWith('.')) name += '.';
  const zone: ZoneDecl = { kind: 'zone', pos, name };
  if (p.next().t !== '{') p.fail('expecting left brace');
  while (true) {
    const t = p.peek();
    if (t.t === 'primary' || t.t === 'secondary') {
      if (zone[t.t] !== undefined) p.fail(`more than one ${t.t}.`);
      p.next();
      const list: string[] = [];
      let n: string;
      do {
        list.push(parseAddressExpr(p));
        n = p.next().t;
      } while (n === ',');
      if (n !== ';') p.fail('expecting semicolon.');
      zone[t.t] = list;
    } else if (t.t === 'primary6' || t.t === 'secondary6') {
      if (zone[t.t] !== undefined) p.fail(`more than one ${t.t}.`);
      p.next();
      const list: string[] = [];
      let n: string;
      do {
        list.push(parseIp6Addr(p));
        n = p.next().t;
      } while (n === ',');
      if (n !== ';') p.fail('expecting semicolon.');
      zone[t.t] = list;
    } else if (t.t === 'key') {
      p.next();
      let keyName: string;
      if (p.peek().t === 'STRING') keyName = p.next().text;
      else keyName = parseHostName(p) ?? p.fail('expecting key name.');
      if (zone.key !== undefined) {
        p.fail(`Multiple key definitions for zone ${zone.name}.`, { noLine: true });
      }
      if (!p.state.keys.has(keyName)) p.fail(`unknown key ${keyName}`);
      zone.key = keyName;
      parseSemi(p);
    } else {
      break;
    }
  }
  if (p.next().t !== '}') p.fail('expecting right brace.');
  return zone;
}

/** parse_key(): after `key`. */
function parseKey(p: Cursor, pos: Pos): KeyDecl {
  let name: string;
  if (p.peek().t === 'STRING') name = p.next().text;
  else name = parseHostName(p) ?? p.fail('expecting key name.');
  if (p.next().t !== '{') p.fail('expecting left brace');
  const key: KeyDecl = { kind: 'key', pos, name };
  let t = p.next();
  while (true) {
    if (t.t === 'algorithm') {
      if (key.algorithm !== undefined) p.fail(`key ${name}: too many algorithms`);
      let alg = parseHostName(p) ?? p.fail('expecting key algorithm name.');
      parseSemi(p);
      // Unqualified names get ISC's .SIG-ALG.REG.INT. suffix; qualified ones a trailing dot.
      if (!alg.includes('.')) alg += '.SIG-ALG.REG.INT.';
      else if (!alg.endsWith('.')) alg += '.';
      key.algorithm = alg;
    } else if (t.t === 'secret') {
      if (key.secret !== undefined) p.fail(`key ${name}: too many secrets`);
      key.secret = parseBase64(p);
      parseSemi(p);
    } else {
      break;
    }
    t = p.next();
  }
  if (t.t !== '}') p.fail('expecting right brace.');
  if (p.peek().t === ';') p.next();
  // A later key of the same name replaces the earlier one, as in ISC.
  p.state.keys.add(name);
  return key;
}

export { optionRef };
