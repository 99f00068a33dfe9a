// The parser's cursor over one file's tokens and the state shared across a whole parse
// (the main file and everything it includes).
//
// Positions follow ISC: an error is reported at the line of the last token ISC *consumed*
// (its `lexline`), which after a missing semicolon is the next statement's first token, and
// before anything is consumed is line 0. `fail()` reproduces that in `iscText` while the
// diagnostic's own line/column point at the same token for the caret.

import type { OptionDef } from '../options/types.js';
import type { FailoverPeerDecl, ParameterStatement, Pos } from './ast.js';
import type { CatalogueLike } from './catalogue.js';
import { ConfError, type Diagnostic, type DiagnosticInit, makeDiagnostic } from './diagnostics.js';
import { bytesToSource, tokenize } from './lexer.js';
import type { Token } from './tokens.js';

export type Dialect = 'dhcpd' | 'dhclient';

/** Reads an included (or the main) file; `undefined` means it cannot be opened. */
export type FileReader = (path: string) => Uint8Array | undefined;

/** An IPv4 address range already declared, for ISC's "lease X is declared twice!". */
export interface DeclaredRange {
  low: number;
  high: number;
}

export interface FailoverPeerInfo {
  decl: FailoverPeerDecl;
  poolCount: number;
}

/** State that spans the whole parse, like ISC's global hash tables. */
export interface ParseState {
  dialect: Dialect;
  catalogue: CatalogueLike;
  readFile: FileReader;
  /** Source text of every file read, for printing diagnostics with their source line. */
  sources: Map<string, string>;
  classes: Set<string>;
  keys: Set<string>;
  hosts: Set<string>;
  groups: Set<string>;
  failoverPeers: Map<string, FailoverPeerInfo>;
  ranges: DeclaredRange[];
  warnings: Diagnostic[];
  /** Statements that parse but whose behaviour Leasehold does not implement yet (one per kind). */
  unsupported: Map<string, Diagnostic>;
  /** The last `ddns-update-style` at the outer scope (ISC checks it after parsing). */
  ddnsStyle?: { value: string; pos: Pos };
  /** The outer scope's parameters, last one wins (dhcpd reads some of them after parsing). */
  rootParams: Map<string, ParameterStatement>;
  /** Nesting depth of includes, to stop include loops. */
  includeDepth: number;
  warnedGlobalHosts?: boolean;
}

export function newState(dialect: Dialect, catalogue: CatalogueLike, readFile: FileReader): ParseState {
  return {
    dialect,
    catalogue,
    readFile,
    sources: new Map(),
    classes: new Set(),
    keys: new Set(),
    hosts: new Set(),
    groups: new Set(),
    failoverPeers: new Map(),
    ranges: [],
    warnings: [],
    unsupported: new Map(),
    rootParams: new Map(),
    includeDepth: 0,
  };
}

export interface FailOptions {
  hint?: string;
  /** ISC prints this message without `FILE line N:` (log_fatal / log_error). */
  noLine?: boolean;
  /** Blame this token (for the caret) instead of the last one consumed. */
  at?: Token;
  /** Point the caret here (the statement a late check is about); ISC's line is unchanged. */
  atPos?: Pos;
}

export class Cursor {
  readonly file: string;
  readonly state: ParseState;
  private readonly tokens: Token[];
  private i = 0;
  /** Line and column of the last consumed token (ISC's lexline/lexchar); 0 before any. */
  lastLine = 0;
  lastCol = 0;
  private lastTok: Token | undefined;

  constructor(file: string, source: string, state: ParseState) {
    this.file = file;
    this.state = state;
    this.tokens = tokenize(source);
  }

  static fromBytes(file: string, bytes: Uint8Array, state: ParseState): Cursor {
    const src = bytesToSource(bytes);
    state.sources.set(file, src);
    return new Cursor(file, src, state);
  }

  /** Look at the next token without consuming it. */
  peek(): Token {
    const tok = this.tokens[this.i]!;
    if (tok.lexError !== undefined) this.lexFail(tok);
    return tok;
  }

  /** The token after the next one (ISC's save/restore lookahead). */
  peekAt(k: number): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }

  next(): Token {
    const tok = this.peek();
    if (tok.t !== 'EOF') {
      this.i++;
      this.lastLine = tok.line;
      this.lastCol = tok.col;
      this.lastTok = tok;
    }
    return tok;
  }

  /** True when the next token starts right where the previous one ended (no space between). */
  adjacent(): boolean {
    const prev = this.tokens[this.i - 1];
    const tok = this.tokens[this.i];
    return prev !== undefined && tok !== undefined && prev.end === tok.offset;
  }

  pos(tok?: Token): Pos {
    const t = tok ?? this.lastTok;
    return t ? { file: this.file, line: t.line, col: t.col } : { file: this.file, line: 0, col: 0 };
  }

  /** Raise ISC's parse_warn(): the message at the line of the last consumed token. */
  fail(message: string, opts: FailOptions = {}): never {
    throw new ConfError(this.diagnostic(message, opts));
  }

  diagnostic(message: string, opts: FailOptions = {}, severity: 'error' | 'warning' = 'error'): Diagnostic {
    const at = opts.at ?? this.lastTok ?? this.tokens[this.i];
    const init: DiagnosticInit = {
      file: opts.atPos?.file ?? this.file,
      line: opts.atPos?.line ?? at?.line ?? 0,
      col: opts.atPos?.col ?? at?.col ?? 0,
      message,
      iscLine: opts.at === undefined ? this.lastLine : (opts.at.line ?? 0),
    };
    if (opts.hint !== undefined) init.hint = opts.hint;
    if (opts.noLine) init.noLine = true;
    return makeDiagnostic(init, severity);
  }

  warn(message: string, opts: FailOptions = {}): void {
    this.state.warnings.push(this.diagnostic(message, opts, 'warning'));
  }

  /** Record that a statement parsed but its behaviour is not implemented yet (once per kind). */
  unsupported(what: string, at?: Token | Pos): void {
    if (this.state.unsupported.has(what)) return;
    const opts: FailOptions = at === undefined ? {} : 't' in at ? { at } : { atPos: at };
    const d = this.diagnostic(`${what}: not yet supported by Leasehold (parsed and ignored)`, opts);
    d.severity = 'warning';
    this.state.unsupported.set(what, d);
  }

  private lexFail(tok: Token): never {
    throw new ConfError(
      makeDiagnostic({ file: this.file, line: tok.line, col: tok.col, message: tok.lexError ?? 'lexical error' }),
    );
  }
}

/** Options the parser resolved: catalogue entry plus the ISC format that drives value parsing. */
export interface ResolvedOption {
  def: OptionDef;
  format: string;
}
