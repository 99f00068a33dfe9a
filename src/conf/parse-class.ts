// `class`, `subclass`, `vendor-class` and `user-class` declarations (confpars.c
// parse_class_declaration): `match if`, `match`/`spawn with`, `lease limit`, and ordinary
// statements in the class's scope. A class becomes known (for `add`, `members of`) only once
// its declaration is complete, as in ISC.

import type { ClassDecl, Pos, Statement } from './ast.js';
import { parseCshl, parseSemi } from './parse-basic.js';
import type { Scope } from './parse-declarations.js';
import { parseBooleanExpression, parseDataExpression } from './parse-expressions.js';
import type { Cursor } from './parser-core.js';
import { bytesOf } from './tokens.js';

type StatementParser = (p: Cursor, scope: Scope, declaration: boolean, out: Statement[]) => boolean;

export function parseClassDeclaration(
  p: Cursor,
  pos: Pos,
  kind: ClassDecl['kind'],
  scope: Scope,
  parseStatement: StatementParser,
): ClassDecl {
  const nameTok = p.next();
  if (nameTok.t !== 'STRING') p.fail('Expecting class name');
  const name = nameTok.text;
  const exists = p.state.classes.has(name);
  if (!exists && kind !== 'class') p.fail(`no class named ${name}`);
  const decl: ClassDecl = { kind, pos, name, hasBody: true, body: [] };
  if (kind === 'subclass') {
    const t = p.peek();
    if (t.t === 'STRING') {
      p.next();
      decl.selector = bytesOf(t.text);
    } else if (t.t === 'NUMBER_OR_NAME' || t.t === 'NUMBER') {
      decl.selector = parseCshl(p);
    } else {
      p.fail('Expecting string or hex list.');
    }
  }
  // A subclass (or vendor/user class) may end right here: it has no settings of its own.
  if (kind !== 'class' && p.peek().t === ';') {
    p.next();
    decl.hasBody = false;
    return decl;
  }
  if (p.next().t !== '{') p.fail('expecting left brace.');
  const isSub = kind !== 'class';
  const inner: Scope = { ...scope, type: 'class' };
  let declaration = false;
  let matched = false;
  let submatched = false;
  while (true) {
    const t = p.peek();
    if (t.t === '}') {
      p.next();
      break;
    }
    if (t.t === 'EOF') {
      p.next();
      p.fail('unexpected end of file');
    }
    if (t.t === 'dynamic' || t.t === 'deleted') {
      p.next();
      parseSemi(p);
      decl[t.t] = true;
      continue;
    }
    if (t.t === 'match') {
      if (isSub) p.fail('invalid match in subclass.');
      p.next();
      if (p.peek().t === 'if') {
        p.next();
        if (matched) p.fail("A class may only have one 'match if' clause.");
        matched = true;
        decl.matchIf = parseBooleanExpression(p) ?? p.fail('expecting boolean expr.');
        parseSemi(p);
        continue;
      }
      submatched = parseSubmatch(p, decl, submatched);
      continue;
    }
    if (t.t === 'spawn') {
      p.next();
      if (isSub) p.fail('invalid spawn in subclass.');
      decl.spawn = true;
      if (p.next().t !== 'with') p.fail('expecting with after spawn');
      submatched = parseSubmatch(p, decl, submatched);
      continue;
    }
    if (t.t === 'lease') {
      p.next();
      if (p.next().t !== 'limit') p.fail('expecting "limit"');
      const n = p.next();
      if (n.t !== 'NUMBER') p.fail('expecting a number');
      decl.leaseLimit = Number.parseInt(n.text, 10);
      parseSemi(p);
      continue;
    }
    declaration = parseStatement(p, inner, declaration, decl.body);
  }
  if (kind === 'class' && !decl.deleted) p.state.classes.add(name);
  if (kind === 'class' && decl.deleted) p.state.classes.delete(name);
  return decl;
}

function parseSubmatch(p: Cursor, decl: ClassDecl, already: boolean): boolean {
  if (already) p.fail("can't override existing submatch/spawn.");
  decl.submatch = parseDataExpression(p) ?? p.fail('expecting data expr.');
  parseSemi(p);
  return true;
}
