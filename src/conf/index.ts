// Public entry points of the configuration layer: parse a dhcpd.conf or dhclient.conf into an
// AST with ISC's checks applied. Pure: files are read through the injected reader (the CLI
// passes one backed by the file system; tests pass an in-memory one).

import type { ConfFile } from './ast.js';
import { type CatalogueLike, standardCatalogue } from './catalogue.js';
import { postParseChecks } from './checks.js';
import { ConfError, type Diagnostic, makeDiagnostic } from './diagnostics.js';
import { parseFileStatements } from './include.js';
import { parseClientFile } from './parse-dhclient.js';
import { Cursor, type Dialect, type FileReader, newState } from './parser-core.js';

export type { ConfFile } from './ast.js';
export { type Diagnostic, formatDiagnostic } from './diagnostics.js';
export type { FileReader } from './parser-core.js';

export interface ParseOptions {
  /** Reads the main file and every include; undefined means "cannot open". */
  readFile: FileReader;
  /** The option catalogue to start from (cloned; the configuration's definitions extend the clone). */
  catalogue?: CatalogueLike;
}

export interface ParseResult {
  /** The parsed file; present when there is no error. */
  conf?: ConfFile;
  /** The first error (ISC stops being meaningful after its first error, and so do we). */
  error?: Diagnostic;
  warnings: Diagnostic[];
  /** One warning per kind of statement that parses but that Leasehold does not act on yet. */
  unsupported: Diagnostic[];
  /** The catalogue extended by the file's option definitions and spaces. */
  catalogue: CatalogueLike;
  /** Source text of every file read, by the name used for it (for printing diagnostics). */
  sources: Map<string, string>;
}

function defaultCatalogue(): CatalogueLike {
  return standardCatalogue();
}

function parse(path: string, dialect: Dialect, opts: ParseOptions): ParseResult {
  const catalogue = (opts.catalogue ?? defaultCatalogue()).clone();
  const state = newState(dialect, catalogue, opts.readFile);
  const result = (extra: Partial<ParseResult>): ParseResult => ({
    warnings: state.warnings,
    unsupported: [...state.unsupported.values()],
    catalogue,
    sources: state.sources,
    ...extra,
  });
  const bytes = opts.readFile(path);
  if (bytes === undefined) {
    return result({
      error: makeDiagnostic({
        file: path,
        line: 0,
        col: 0,
        message: `Can't open ${path}: No such file or directory`,
        noLine: true,
      }),
    });
  }
  try {
    const cursor = Cursor.fromBytes(path, bytes, state);
    const statements =
      dialect === 'dhcpd' ? parseFileStatements(cursor, { type: 'root' }) : parseClientFile(cursor, undefined);
    if (dialect === 'dhcpd') {
      const post = postParseChecks(state);
      if (post !== undefined) return result({ error: post });
    }
    return result({ conf: { file: path, statements } });
  } catch (e) {
    if (e instanceof ConfError) return result({ error: e.diagnostic });
    throw e;
  }
}

/** Parse and check a dhcpd.conf as `dhcpd -t` does. */
export function parseDhcpdConf(path: string, opts: ParseOptions): ParseResult {
  return parse(path, 'dhcpd', opts);
}

/** Parse a dhclient.conf. */
export function parseDhclientConf(path: string, opts: ParseOptions): ParseResult {
  return parse(path, 'dhclient', opts);
}

/** Parse text held in memory (tests, tools): `name` is the file name used in diagnostics. */
export function parseDhcpdConfText(text: string, name = 'dhcpd.conf', opts: Partial<ParseOptions> = {}): ParseResult {
  return parse(name, 'dhcpd', { ...opts, readFile: memoryReader(name, text, opts.readFile) });
}

export function parseDhclientConfText(
  text: string,
  name = 'dhclient.conf',
  opts: Partial<ParseOptions> = {},
): ParseResult {
  return parse(name, 'dhclient', { ...opts, readFile: memoryReader(name, text, opts.readFile) });
}

function memoryReader(name: string, text: string, fallback?: FileReader): FileReader {
  const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
  return (p) => (p === name ? bytes : fallback ? fallback(p) : undefined);
}
