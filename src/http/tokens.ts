// Who may use the HTTP API. `--http-tokens FILE` holds lines `ROLE TOKEN` (roles `read` and `admin`; `#`
// comments and blank lines allowed); every request then needs `Authorization: Bearer TOKEN`: none or an unknown
// one is 401, a `read` token asking for anything but GET (or HEAD) is 403. Without a tokens file the API is open,
// so the server serves it only on a loopback address. Pure: the caller reads the file.

import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export type Role = 'read' | 'admin';

export interface Tokens {
  /** SHA-256 of each token (hex) -> its role: a lookup costs no comparison that leaks the token's bytes. */
  readonly byDigest: ReadonlyMap<string, Role>;
}

export type TokensResult = { ok: true; tokens: Tokens } | { ok: false; error: string };

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Parses a tokens file; an error names `file:line` and says what a line must look like. */
export function parseTokens(text: string, file: string): TokensResult {
  const byDigest = new Map<string, Role>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${file}:${i + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) {
      return {
        ok: false,
        error: `${where}: expected "ROLE TOKEN" (role read or admin), found ${fields.length} fields`,
      };
    }
    const [role, token] = fields as [string, string];
    if (role !== 'read' && role !== 'admin') {
      return { ok: false, error: `${where}: unknown role ${JSON.stringify(role)} (read or admin)` };
    }
    const key = digest(token).toString('hex');
    const before = byDigest.get(key);
    if (before !== undefined && before !== role) {
      return { ok: false, error: `${where}: this token is already given the role ${before}` };
    }
    byDigest.set(key, role);
  }
  if (byDigest.size === 0) return { ok: false, error: `${file}: no tokens (lines "ROLE TOKEN", role read or admin)` };
  return { ok: true, tokens: { byDigest } };
}

export type AuthResult = { ok: true; role: Role | undefined } | { ok: false; status: 401 | 403; error: string };

const READ_METHODS = new Set(['GET', 'HEAD']);

/** Decides a request: `tokens` undefined means no tokens file (everything allowed, loopback only). */
export function authorize(tokens: Tokens | undefined, method: string, header: string | undefined): AuthResult {
  if (tokens === undefined) return { ok: true, role: undefined };
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (m === null) return { ok: false, status: 401, error: 'an Authorization: Bearer TOKEN header is required' };
  const presented = digest(m[1]!);
  let role: Role | undefined;
  for (const [key, r] of tokens.byDigest) {
    if (timingSafeEqual(Buffer.from(key, 'hex'), presented)) role = r;
  }
  if (role === undefined) return { ok: false, status: 401, error: 'unknown token' };
  if (role === 'read' && !READ_METHODS.has(method.toUpperCase())) {
    return { ok: false, status: 403, error: `a read token may only GET; ${method} needs an admin token` };
  }
  return { ok: true, role };
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** `ADDR:PORT`, `[IPv6]:PORT` or `localhost:PORT`. */
export function parseListen(text: string): ListenAddress | { error: string } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const bad = { error: `--http ${text}: expected ADDR:PORT (127.0.0.1:8067, [::1]:8067)` };
  if (m === null) return bad;
  const host = m[1]!;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return bad;
  if (host !== 'localhost' && !isIPv4(host) && !isIPv6(host)) return bad;
  return { host, port };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIPv4(host) && host.startsWith('127.');
}

/** Why the API may not listen there (no tokens file on a non-loopback address), or undefined. */
export function listenRefusal(listen: ListenAddress, tokensFile: string | undefined): string | undefined {
  if (tokensFile !== undefined || isLoopback(listen.host)) return undefined;
  return (
    `refusing to serve the HTTP API on ${listen.host}:${listen.port} without --http-tokens: anyone who can reach ` +
    'it could free leases and change hosts. Give --http-tokens FILE (lines "ROLE TOKEN"), or listen on 127.0.0.1.'
  );
}
