// Configuration diagnostics: every error and warning names a file, line and column, and prints
// like a compiler's: `FILE:LINE:COL: message`, the source line, and a caret under the spot.
//
// Some of ISC's checks happen after parsing and name no line (`bad range, address ...`); those
// carry the position of the statement that caused them, but `iscText` reproduces ISC's exact
// first line so tools can compare with `dhcpd -t`.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  file: string;
  line: number;
  col: number;
  message: string;
  /** Extra advice printed after the caret: what to write instead. */
  hint?: string;
  /**
   * The line ISC's `dhcpd -t` prints for this problem: `FILE line N: message` for parse errors,
   * the bare message for the checks ISC makes without a line number.
   */
  iscText: string;
}

/** Thrown by the parser on the first error; ISC's first error is the one that matters. */
export class ConfError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.name = 'ConfError';
    this.diagnostic = diagnostic;
  }
}

export interface DiagnosticInit {
  file: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
  /** True for ISC messages printed without `FILE line N:`. */
  noLine?: boolean;
  /** Line number ISC reports, when it differs from `line` (ISC blames the last token it read). */
  iscLine?: number;
}

export function makeDiagnostic(init: DiagnosticInit, severity: Severity = 'error'): Diagnostic {
  const iscText = init.noLine ? init.message : `${init.file} line ${init.iscLine ?? init.line}: ${init.message}`;
  const d: Diagnostic = { severity, file: init.file, line: init.line, col: init.col, message: init.message, iscText };
  if (init.hint !== undefined) d.hint = init.hint;
  return d;
}

/**
 * Render a diagnostic: `FILE:LINE:COL: message`, then (when the source is known) the source
 * line and a caret under the column, tabs kept so the caret lines up in a terminal.
 */
export function formatDiagnostic(d: Diagnostic, source?: string): string {
  const label = d.severity === 'warning' ? 'warning: ' : '';
  const out = [`${d.file}:${d.line}:${d.col}: ${label}${d.message}`];
  if (source !== undefined && d.line >= 1) {
    const lines = source.split('\n');
    const text = (lines[d.line - 1] ?? '').replace(/\r$/, '');
    out.push(text);
    let pad = '';
    for (let k = 0; k < d.col - 1 && k < text.length; k++) pad += text[k] === '\t' ? '\t' : ' ';
    out.push(`${pad}^`);
  }
  if (d.hint !== undefined) out.push(d.hint);
  return `${out.join('\n')}\n`;
}
