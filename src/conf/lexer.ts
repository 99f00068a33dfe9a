// The lexer of ISC's configuration language, with conflex.c's exact semantics: the same token
// classes (NUMBER -> NUMBER_OR_NAME -> NAME promotion), string escapes (\t \r \n \b, octal \047,
// hex \x41), `#` comments, and positions counted the way ISC counts them (1-based line and
// column, a tab is one column). It works on bytes (one char per byte, Latin-1) because ISC does:
// a non-ASCII byte outside a string is a one-character token of its own.
//
// The lexer is context-free in ISC too, so the whole file is tokenised up front. Lexical errors
// ISC reports while scanning (bad escapes, unterminated strings) are attached to the token and
// raised when the parser first looks at it, which is when ISC prints them.

import { internKeyword, type Token } from './tokens.js';

/** ISC's tokbuf is 1500 bytes; longer strings and names are truncated with a warning. */
const TOKBUF = 1500;

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c);
}
function isXdigit(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Decode file bytes to the one-char-per-byte form the lexer works on. */
export function bytesToSource(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const n = src.length;
  let i = 0;
  let line = 1;
  let col = 1;

  // Advance over one character, keeping line/column as ISC's get_char() does.
  const advance = (): number => {
    const c = src.charCodeAt(i++);
    if (c === 0x0a) {
      line++;
      col = 1;
    } else {
      col++;
    }
    return c;
  };

  while (true) {
    // Skip whitespace and comments.
    while (i < n) {
      const c = src.charCodeAt(i);
      if (isSpace(c)) {
        advance();
      } else if (c === 0x23 /* # */) {
        while (i < n && src.charCodeAt(i) !== 0x0a) advance();
        if (i < n) advance();
      } else {
        break;
      }
    }
    if (i >= n) break;
    const startLine = line;
    const startCol = col;
    const start = i;
    const c = src.charCodeAt(i);
    if (c === 0x22 /* " */) {
      advance();
      const { text, error } = readString();
      tokens.push({ t: 'STRING', text, line: startLine, col: startCol, offset: start, end: i, lexError: error });
    } else if (isDigit(c) || c === 0x2d /* - */) {
      tokens.push(readNumber(startLine, startCol, start));
    } else if (isAlpha(c)) {
      tokens.push(readNumOrName(startLine, startCol, start));
    } else {
      advance();
      tokens.push({ t: src[start]!, text: src[start]!, line: startLine, col: startCol, offset: start, end: i });
    }
  }
  // ISC leaves the position of the last real token in place when it reaches the end of file.
  const last = tokens[tokens.length - 1];
  tokens.push({
    t: 'EOF',
    text: '',
    line: last ? last.line : 0,
    col: last ? last.col : 0,
    offset: n,
    end: n,
  });
  return tokens;

  function readString(): { text: string; error?: string } {
    let out = '';
    let bs = 0;
    let hex = false;
    let value = 0;
    let error: string | undefined;
    const warn = (m: string) => {
      error ??= m;
    };
    let count = 0;
    while (count < TOKBUF) {
      if (i >= n) {
        warn('eof in string constant');
        break;
      }
      const ch = advance();
      if (bs === 1) {
        switch (ch) {
          case 0x74 /* t */:
            out += '\t';
            break;
          case 0x72 /* r */:
            out += '\r';
            break;
          case 0x6e /* n */:
            out += '\n';
            break;
          case 0x62 /* b */:
            out += '\b';
            break;
          case 0x30:
          case 0x31:
          case 0x32:
          case 0x33:
            hex = false;
            value = ch - 0x30;
            bs++;
            continue;
          case 0x78 /* x */:
            hex = true;
            value = 0;
            bs++;
            continue;
          default:
            out += String.fromCharCode(ch);
        }
        bs = 0;
        count++;
      } else if (bs > 1) {
        if (hex) {
          if (!isXdigit(ch)) {
            warn(`invalid hex digit: ${ch.toString(16)}`);
            bs = 0;
            count++;
            continue;
          }
          value = value * 16 + Number.parseInt(String.fromCharCode(ch), 16);
        } else if (ch >= 0x30 && ch <= 0x37) {
          value = value * 8 + (ch - 0x30);
        } else if (value !== 0) {
          warn(`invalid octal digit ${ch.toString(16)}`);
          count++;
          continue;
        } else {
          // ISC's quirk: "\0" followed by a non-octal char drops that char and treats the
          // next one as escaped.
          bs = 1;
          continue;
        }
        if (++bs === 4) {
          out += String.fromCharCode(value & 0xff);
          bs = 0;
          count++;
        }
      } else if (ch === 0x5c /* \ */) {
        bs = 1;
      } else if (ch === 0x22 /* " */) {
        return { text: out, error };
      } else {
        out += String.fromCharCode(ch);
        count++;
      }
    }
    if (count >= TOKBUF) {
      warn('string constant larger than internal buffer');
      // Consume the rest of the string so the token stream stays sane.
      while (i < n && src.charCodeAt(i) !== 0x22) advance();
      if (i < n) advance();
    }
    return { text: out, error };
  }

  function readNumber(l: number, co: number, start: number): Token {
    let tag: 'NUMBER' | 'NUMBER_OR_NAME' | 'NAME' = 'NUMBER';
    let text = String.fromCharCode(advance());
    while (i < n) {
      const ch = src.charCodeAt(i);
      let accept = false;
      // Promote NUMBER -> NUMBER_OR_NAME -> NAME, never demote; `0x` followed by a hex digit
      // goes back to NUMBER_OR_NAME.
      if (ch < 0x80) {
        if (tag === 'NUMBER' && isDigit(ch)) accept = true;
        else if ((tag === 'NUMBER' || tag === 'NUMBER_OR_NAME') && isXdigit(ch)) {
          tag = 'NUMBER_OR_NAME';
          accept = true;
        } else if (text.length === 2 && isXdigit(ch) && text[0] === '0' && (text[1] === 'x' || text[1] === 'X')) {
          tag = 'NUMBER_OR_NAME';
          accept = true;
        } else if (ch === 0x2d || ch === 0x5f || isAlnum(ch)) {
          tag = 'NAME';
          accept = true;
        }
      }
      if (!accept) break;
      text += String.fromCharCode(advance());
    }
    // ISC's test for a lone "-" reads the terminating NUL, so "-" stays a NUMBER token.
    return { t: tag, text, line: l, col: co, offset: start, end: i };
  }

  function readNumOrName(l: number, co: number, start: number): Token {
    let tag: 'NUMBER_OR_NAME' | 'NAME' = 'NUMBER_OR_NAME';
    let text = String.fromCharCode(advance());
    while (i < n) {
      const ch = src.charCodeAt(i);
      if (!(ch === 0x2d || ch === 0x5f || isAlnum(ch))) break;
      if (!isXdigit(ch)) tag = 'NAME';
      text += String.fromCharCode(advance());
    }
    const kw = internKeyword(text.toLowerCase());
    return { t: kw ?? tag, text, line: l, col: co, offset: start, end: i };
  }
}
