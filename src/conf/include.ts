// `include "FILE";` — the file is read through the injected reader and parsed in the scope of
// the include statement, as ISC's read_conf_file() does. The path is used as written (relative
// paths resolve against the process's working directory, as in ISC), and errors inside the
// included file name that file.

import type { Statement } from './ast.js';
import { parseStatement, type Scope } from './parse-declarations.js';
import { Cursor } from './parser-core.js';
import type { Token } from './tokens.js';

const MAX_INCLUDE_DEPTH = 32;

export function includeFile(p: Cursor, pathTok: Token, scope: Scope): Statement[] {
  const path = pathTok.text;
  const bytes = p.state.readFile(path);
  if (bytes === undefined) {
    p.fail(`Can't open ${path}: No such file or directory`, {
      noLine: true,
      at: pathTok,
      hint: 'Relative include paths are resolved from the working directory, as ISC dhcpd does.',
    });
  }
  if (p.state.includeDepth >= MAX_INCLUDE_DEPTH) p.fail(`${path}: includes nested too deeply (an include loop?)`);
  p.state.includeDepth++;
  try {
    const inner = Cursor.fromBytes(path, bytes, p.state);
    return parseFileStatements(inner, scope);
  } finally {
    p.state.includeDepth--;
  }
}

/** conf_file_subparse(): statements until the end of the file. */
export function parseFileStatements(p: Cursor, scope: Scope): Statement[] {
  const out: Statement[] = [];
  let declaration = false;
  while (p.peek().t !== 'EOF') {
    declaration = parseStatement(p, scope, declaration, out);
  }
  return out;
}
