// Finding where each top-level record of a lease file starts and ends, in one pass over the
// text and without building tokens, so a million-lease file is split in well under a second.
//
// A record ends at the first `;` outside braces or at the `}` that closes its first `{`. To
// agree with the shared lexer (src/conf/lexer.ts, ISC's conflex.c) on where strings and
// comments are, skipString() follows the lexer's string state machine exactly (escapes, the
// `\0` quirk, the 1500-byte token buffer); a test checks the two against each other.

/** Where one record lies in the text. `terminated` is false when the text ends inside it. */
export interface RecordSpan {
  start: number;
  end: number;
  line: number;
  col: number;
  /** Line number just after the record (for the next one). */
  endLine: number;
  terminated: boolean;
}

const TOKBUF = 1500;

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}
function isXdigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Scanner position shared by the helpers (one per scan, no allocation per character). */
export interface ScanPos {
  i: number;
  line: number;
}

/**
 * Skip a string whose opening quote is at pos.i - 1. Leaves pos.i after the closing quote (or at
 * the end of the text). Returns false when the text ends inside the string.
 */
export function skipString(src: string, pos: ScanPos): boolean {
  const n = src.length;
  let i = pos.i;
  let line = pos.line;
  let bs = 0;
  let hex = false;
  let value = 0;
  let count = 0;
  let closed = false;
  while (count < TOKBUF) {
    if (i >= n) break;
    const ch = src.charCodeAt(i++);
    if (ch === 0x0a) line++;
    if (bs === 1) {
      if (ch >= 0x30 && ch <= 0x33) {
        hex = false;
        value = ch - 0x30;
        bs++;
        continue;
      }
      if (ch === 0x78 /* x */) {
        hex = true;
        value = 0;
        bs++;
        continue;
      }
      bs = 0;
      count++;
    } else if (bs > 1) {
      if (hex) {
        if (!isXdigit(ch)) {
          bs = 0;
          count++;
          continue;
        }
      } else if (isOctal(ch)) {
        value = value * 8 + (ch - 0x30);
      } else if (value !== 0) {
        count++;
        continue;
      } else {
        bs = 1;
        continue;
      }
      if (++bs === 4) {
        bs = 0;
        count++;
      }
    } else if (ch === 0x5c /* \ */) {
      bs = 1;
    } else if (ch === 0x22 /* " */) {
      closed = true;
      break;
    } else {
      count++;
    }
  }
  if (!closed && count >= TOKBUF) {
    // The lexer gives up on escapes and runs to the next quote.
    while (i < n && src.charCodeAt(i) !== 0x22) {
      if (src.charCodeAt(i) === 0x0a) line++;
      i++;
    }
    if (i < n) {
      i++;
      closed = true;
    }
  }
  pos.i = i;
  pos.line = line;
  return closed;
}

/** Skip whitespace and `#` comments; pos ends at the next token or the end of the text. */
export function skipSpace(src: string, pos: ScanPos): void {
  const n = src.length;
  let i = pos.i;
  let line = pos.line;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      i++;
    } else if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      i++;
    } else if (c === 0x23 /* # */) {
      const eol = src.indexOf('\n', i);
      if (eol < 0) {
        i = n;
      } else {
        i = eol + 1;
        line++;
      }
    } else {
      break;
    }
  }
  pos.i = i;
  pos.line = line;
}

/** Column (1-based, a tab is one column as in ISC) of offset i. */
export function columnOf(src: string, i: number): number {
  return i - (src.lastIndexOf('\n', i - 1) + 1) + 1;
}

/**
 * The record starting at pos (after skipSpace); undefined at the end of the text. Leaves pos
 * just after the record.
 */
export function nextRecord(src: string, pos: ScanPos): RecordSpan | undefined {
  skipSpace(src, pos);
  const n = src.length;
  if (pos.i >= n) return undefined;
  const start = pos.i;
  const line = pos.line;
  let depth = 0;
  let terminated = false;
  while (pos.i < n) {
    const c = src.charCodeAt(pos.i);
    if (c === 0x22) {
      pos.i++;
      if (!skipString(src, pos)) break;
      continue;
    }
    if (c === 0x23 || c === 0x0a || c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      skipSpace(src, pos);
      continue;
    }
    pos.i++;
    if (c === 0x7b /* { */) {
      depth++;
    } else if (c === 0x7d /* } */) {
      if (depth <= 1) {
        terminated = true;
        break;
      }
      depth--;
    } else if (c === 0x3b /* ; */ && depth === 0) {
      terminated = true;
      break;
    }
  }
  return { start, end: pos.i, line, col: columnOf(src, start), endLine: pos.line, terminated };
}
