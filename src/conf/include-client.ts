// `include "FILE";` in dhclient.conf: the included file's statements are parsed in the scope of
// the include (top level or an interface block), as clparse.c's read_client_conf_file() does.

import type { Statement } from './ast.js';
import { parseClientFile } from './parse-dhclient.js';
import { Cursor } from './parser-core.js';
import type { Token } from './tokens.js';

export function includeClientFile(p: Cursor, pathTok: Token, iface: string | undefined): Statement[] {
  const bytes = p.state.readFile(pathTok.text);
  // dhclient reports a missing include as a bad parse of the including file.
  if (bytes === undefined) p.fail(`${pathTok.text}: bad parse.`, { at: pathTok });
  if (p.state.includeDepth >= 32) p.fail(`${pathTok.text}: includes nested too deeply (an include loop?)`);
  p.state.includeDepth++;
  try {
    return parseClientFile(Cursor.fromBytes(pathTok.text, bytes, p.state), iface);
  } finally {
    p.state.includeDepth--;
  }
}
