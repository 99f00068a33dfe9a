// omshell's command language (dhcpctl/omshell.c), one line at a time, pure. A line is a command, nothing (blank
// or a `#` comment), or an error carrying the words omshell prints ("usage: set <name> = <value>").
//
// Values of `set NAME = VALUE`, as omshell's lexer reads them:
//   "text"              a string
//   123                 an integer (4 bytes on the wire)
//   192.0.2.10          a dotted quad: one byte per number (an address)
//   00:16:36:51:5d:5a   colon-separated hex bytes (also a lone hex word like `ab`: one byte)

export type ShellValue =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'int'; readonly n: number }
  | { readonly kind: 'data'; readonly bytes: Uint8Array };

export type Command =
  | { readonly cmd: 'none' }
  | { readonly cmd: 'help' }
  | { readonly cmd: 'server'; readonly host: string }
  | { readonly cmd: 'port'; readonly port: number }
  | { readonly cmd: 'key'; readonly name: string; readonly secret: string }
  | { readonly cmd: 'key-algorithm'; readonly algorithm: string }
  | { readonly cmd: 'connect' }
  | { readonly cmd: 'disconnect' }
  | { readonly cmd: 'new'; readonly type: string }
  | { readonly cmd: 'set'; readonly name: string; readonly value: ShellValue }
  | { readonly cmd: 'unset'; readonly name: string }
  | { readonly cmd: 'open' }
  | { readonly cmd: 'create' }
  | { readonly cmd: 'update' }
  | { readonly cmd: 'refresh' }
  | { readonly cmd: 'remove' }
  | { readonly cmd: 'close' };

/** A line omshell would not accept: `text` is what it prints (stdout). */
export interface ParseError {
  readonly cmd: 'error';
  readonly text: string;
}

export type ParsedLine = Command | ParseError;

/** Services omshell's `port` accepts by name (getservbyname). */
const SERVICES: Record<string, number> = { omapi: 7911 };

type Token =
  | { t: 'word'; v: string }
  | { t: 'string'; v: string }
  | { t: 'eq' }
  | { t: 'colon' }
  | { t: 'dot' }
  | { t: 'bad'; v: string };

/** Splits a line as omshell's lexer does, as far as its commands need; a `#` outside a string ends the line. */
export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '#') {
      break;
    } else if (c === '"') {
      let s = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) {
          const e = line[i + 1]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else s += line[i++];
      }
      i++; // the closing quote (or the end)
      out.push({ t: 'string', v: s });
    } else if (c === '=') {
      out.push({ t: 'eq' });
      i++;
    } else if (c === ':') {
      out.push({ t: 'colon' });
      i++;
    } else if (c === '.') {
      out.push({ t: 'dot' });
      i++;
    } else if (/[A-Za-z0-9_\-/+]/.test(c)) {
      let j = i;
      while (j < line.length && /[A-Za-z0-9_\-/+=]/.test(line[j]!)) {
        // `=` belongs to a word only as base64 padding at its end (key NAME SECRET==)
        if (line[j] === '=' && !/^=*$/.test(line.slice(j).split(/\s/)[0]!)) break;
        j++;
      }
      out.push({ t: 'word', v: line.slice(i, j) });
      i = j;
    } else {
      out.push({ t: 'bad', v: c });
      i++;
    }
  }
  return out;
}

const err = (text: string): ParseError => ({ cmd: 'error', text });

/** Parses one line of omshell's language. */
export function parseLine(line: string): ParsedLine {
  const toks = tokenize(line);
  if (toks.length === 0) return { cmd: 'none' };
  const first = toks[0]!;
  if (first.t !== 'word') return err(`unknown token: ${tokenText(first)}`);
  const rest = toks.slice(1);
  const word = (tk: Token | undefined): string | undefined =>
    tk?.t === 'word' || tk?.t === 'string' ? tk.v : undefined;
  const bare = (cmd: Command, usage: string): ParsedLine => (rest.length === 0 ? cmd : err(`usage: ${usage}`));
  switch (first.v.toLowerCase()) {
    case 'help':
    case '?':
      return { cmd: 'help' };
    case 'server': {
      // a name, or an address written with dots
      const host = rest.map(tokenText).join('');
      if (!host || rest.some((tk) => tk.t === 'eq' || tk.t === 'bad' || tk.t === 'string'))
        return err('usage: server <server>');
      return { cmd: 'server', host };
    }
    case 'port': {
      const v = word(rest[0]);
      if (v === undefined || rest.length !== 1) return err('usage: port <port>');
      if (/^\d+$/.test(v)) {
        const port = Number(v);
        if (port < 1 || port > 65535) return err('usage: port <port>');
        return { cmd: 'port', port };
      }
      const named = SERVICES[v.toLowerCase()];
      return named === undefined ? err(`unknown service name: ${v}`) : { cmd: 'port', port: named };
    }
    case 'key': {
      const name = word(rest[0]);
      const secret = word(rest[1]);
      if (name === undefined || secret === undefined || rest.length !== 2) return err('usage: key <name> <value>');
      return { cmd: 'key', name, secret };
    }
    case 'key-algorithm': {
      const algorithm = rest.map(tokenText).join('');
      if (!algorithm || rest.some((tk) => tk.t === 'eq' || tk.t === 'bad')) {
        return err('missing or invalid algorithm name\nusage: key-algorithm <algorithm name>');
      }
      return { cmd: 'key-algorithm', algorithm };
    }
    case 'connect':
      return bare({ cmd: 'connect' }, 'connect');
    case 'disconnect':
      return bare({ cmd: 'disconnect' }, 'disconnect');
    case 'new': {
      const type = word(rest[0]);
      if (type === undefined || rest.length !== 1) return err('usage: new <object-type>');
      return { cmd: 'new', type };
    }
    case 'set': {
      const name = word(rest[0]);
      if (name === undefined || rest[1]?.t !== 'eq') return err('usage: set <name> = <value>');
      const value = parseValue(rest.slice(2));
      if (typeof value === 'string') return err(value);
      return { cmd: 'set', name, value };
    }
    case 'unset': {
      const name = word(rest[0]);
      if (name === undefined || rest.length !== 1) return err('usage: unset <name>');
      return { cmd: 'unset', name };
    }
    case 'open':
    case 'create':
    case 'update':
    case 'refresh':
    case 'remove':
    case 'close': {
      const cmd = first.v.toLowerCase() as 'open' | 'create' | 'update' | 'refresh' | 'remove' | 'close';
      return bare({ cmd }, cmd);
    }
    default:
      return err(`unknown token: ${first.v}`);
  }
}

function tokenText(tk: Token): string {
  switch (tk.t) {
    case 'word':
    case 'bad':
      return tk.v;
    case 'string':
      return `"${tk.v}"`;
    case 'eq':
      return '=';
    case 'colon':
      return ':';
    case 'dot':
      return '.';
  }
}

/** A `set` value from its tokens, or the words omshell prints when it is not one. */
export function parseValue(toks: readonly Token[]): ShellValue | string {
  const usage = 'usage: set <name> = <value>';
  const first = toks[0];
  if (!first) return 'invalid value.';
  if (first.t === 'string') return toks.length === 1 ? { kind: 'string', text: first.v } : usage;
  if (first.t !== 'word') return 'invalid value.';
  const second = toks[1];
  if (second?.t === 'dot') {
    // a dotted quad (any count of numbers: omshell packs one byte per number)
    const bytes: number[] = [];
    for (let i = 0; i < toks.length; i += 2) {
      const tk = toks[i]!;
      if (tk.t !== 'word' || !/^\d+$/.test(tk.v)) return usage;
      const n = Number(tk.v);
      if (n > 255) return `dotted octet > 255: ${tk.v}`;
      bytes.push(n);
      const sep = toks[i + 1];
      if (sep !== undefined && sep.t !== 'dot') return usage;
    }
    if (toks[toks.length - 1]!.t === 'dot') return usage;
    return { kind: 'data', bytes: Uint8Array.from(bytes) };
  }
  if (second?.t === 'colon' || (toks.length === 1 && !/^\d+$/.test(first.v))) {
    const bytes: number[] = [];
    for (let i = 0; i < toks.length; i += 2) {
      const tk = toks[i]!;
      if (tk.t !== 'word' || !/^[0-9a-fA-F]{1,2}$/.test(tk.v)) return i === 0 ? 'invalid value.' : usage;
      bytes.push(Number.parseInt(tk.v, 16));
      const sep = toks[i + 1];
      if (sep !== undefined && sep.t !== 'colon') return usage;
    }
    if (toks[toks.length - 1]!.t === 'colon') return usage;
    return { kind: 'data', bytes: Uint8Array.from(bytes) };
  }
  if (/^\d+$/.test(first.v) && toks.length === 1) {
    const n = Number(first.v);
    if (n > 0xffffffff) return 'invalid value.';
    return { kind: 'int', n };
  }
  return toks.length === 1 ? 'invalid value.' : usage;
}
