// Who may use the HTTP API (src/http/tokens.ts) and the flags that turn it on (--http, --http-tokens,
// --http-cert, --http-key): the tokens file's grammar and its errors naming file:line, 401 and 403, the
// listening address, the refusal to serve a non-loopback address without tokens, and the start-up checks
// (daemon-http.ts prepareHttp).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDhcpdFlags } from '../../../src/cli/dhcpd-flags.js';
import { authorize, listenRefusal, parseListen, parseTokens, type Tokens } from '../../../src/http/tokens.js';
import { prepareHttp } from '../../../src/server/daemon-http.js';

const FILE = `# operators
admin s3cret-admin

read  r3ad-only   
`;

function tokens(): Tokens {
  const t = parseTokens(FILE, '/etc/leasehold/tokens');
  assert.ok(t.ok, t.ok ? '' : t.error);
  return t.tokens;
}

test('tokens file: ROLE TOKEN lines, comments and blank lines; a bad line names file:line', () => {
  assert.equal(tokens().byDigest.size, 2);
  const bad = (text: string) => {
    const r = parseTokens(text, 'tok');
    assert.ok(!r.ok);
    return r.error;
  };
  assert.equal(bad('admin a\nwriter b\n'), 'tok:2: unknown role "writer" (read or admin)');
  assert.equal(bad('\n\nadmin\n'), 'tok:3: expected "ROLE TOKEN" (role read or admin), found 1 fields');
  assert.equal(bad('read a b\n'), 'tok:1: expected "ROLE TOKEN" (role read or admin), found 3 fields');
  assert.equal(bad('read x\nadmin x\n'), 'tok:2: this token is already given the role read');
  assert.match(bad('# nothing\n'), /^tok: no tokens/);
  assert.ok(parseTokens('read x\nread x\n', 'tok').ok); // the same line twice is harmless
});

test('authorize: no token or an unknown one is 401; read may only GET (403); admin may do anything', () => {
  const t = tokens();
  assert.deepEqual(authorize(t, 'GET', undefined), {
    ok: false,
    status: 401,
    error: 'an Authorization: Bearer TOKEN header is required',
  });
  assert.deepEqual(authorize(t, 'GET', 'Basic abc'), {
    ok: false,
    status: 401,
    error: 'an Authorization: Bearer TOKEN header is required',
  });
  assert.deepEqual(authorize(t, 'GET', 'Bearer nope'), { ok: false, status: 401, error: 'unknown token' });
  assert.deepEqual(authorize(t, 'GET', 'Bearer r3ad-only'), { ok: true, role: 'read' });
  assert.deepEqual(authorize(t, 'HEAD', 'bearer r3ad-only'), { ok: true, role: 'read' });
  for (const m of ['POST', 'PUT', 'DELETE']) {
    const r = authorize(t, m, 'Bearer r3ad-only');
    assert.ok(!r.ok && r.status === 403, m);
    assert.deepEqual(authorize(t, m, 'Bearer s3cret-admin'), { ok: true, role: 'admin' });
  }
  // without a tokens file everything is allowed (the server listens on loopback only then)
  assert.deepEqual(authorize(undefined, 'DELETE', undefined), { ok: true, role: undefined });
});

test('listen address: ADDR:PORT, [v6]:PORT; loopback only without a tokens file', () => {
  assert.deepEqual(parseListen('127.0.0.1:8067'), { host: '127.0.0.1', port: 8067 });
  assert.deepEqual(parseListen('[::1]:80'), { host: '::1', port: 80 });
  assert.deepEqual(parseListen('localhost:1'), { host: 'localhost', port: 1 });
  for (const bad of ['127.0.0.1', ':80', '127.0.0.1:0', '127.0.0.1:70000', 'example.org:80', '::1:80']) {
    assert.ok('error' in parseListen(bad), bad);
  }
  const ok = (text: string) => parseListen(text) as { host: string; port: number };
  assert.equal(listenRefusal(ok('127.0.0.1:8067'), undefined), undefined);
  assert.equal(listenRefusal(ok('127.1.2.3:8067'), undefined), undefined);
  assert.equal(listenRefusal(ok('[::1]:8067'), undefined), undefined);
  assert.equal(listenRefusal(ok('192.0.2.1:8080'), 'tokens'), undefined);
  assert.match(
    listenRefusal(ok('192.0.2.1:8080'), undefined) ?? '',
    /^refusing to serve the HTTP API on 192\.0\.2\.1:8080 without --http-tokens/,
  );
  assert.match(listenRefusal(ok('0.0.0.0:8080'), undefined) ?? '', /without --http-tokens/);
});

test('flags: --http and its companions; every dhcpd flag keeps its meaning', () => {
  const r = parseDhcpdFlags([
    '-f',
    '--http',
    '127.0.0.1:8067',
    '--http-tokens',
    '/etc/t',
    '--http-cert',
    'c.pem',
    '--http-key',
    'k.pem',
    '-p',
    '6767',
    'eth0',
  ]);
  assert.ok(r.ok);
  assert.equal(r.flags.http, '127.0.0.1:8067');
  assert.equal(r.flags.httpTokens, '/etc/t');
  assert.equal(r.flags.httpCert, 'c.pem');
  assert.equal(r.flags.httpKey, 'k.pem');
  assert.equal(r.flags.port, 6767);
  assert.equal(r.flags.foreground, true);
  assert.deepEqual(r.flags.interfaces, ['eth0']);
  const plain = parseDhcpdFlags(['-d']);
  assert.ok(plain.ok && plain.flags.http === undefined);
  const error = (args: string[]) => {
    const e = parseDhcpdFlags(args);
    assert.ok(!e.ok && 'error' in e, args.join(' '));
    return e.error;
  };
  assert.equal(error(['--http']), '--http requires ADDR:PORT');
  assert.match(error(['--http', 'nowhere']), /expected ADDR:PORT/);
  assert.equal(error(['--http-tokens', 't']), '--http-tokens needs --http ADDR:PORT');
  assert.equal(error(['--http', '127.0.0.1:1', '--http-cert', 'c']), '--http-cert and --http-key go together');
});

test('start-up checks: a bad tokens line, an unreadable file, a public address without tokens', () => {
  const files = new Map([
    ['/t/good', Buffer.from('admin a\n')],
    ['/t/bad', Buffer.from('admin a\nroot b\n')],
    ['/t/cert', Buffer.from('CERT')],
  ]);
  const read = (p: string) => {
    const b = files.get(p);
    if (b === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
    return b;
  };
  const err = (s: Parameters<typeof prepareHttp>[0]) => {
    const r = prepareHttp(s, read);
    assert.ok(!r.ok);
    return r.error;
  };
  assert.equal(err({ listen: '127.0.0.1:1', tokensFile: '/t/bad' }), '/t/bad:2: unknown role "root" (read or admin)');
  assert.match(
    err({ listen: '127.0.0.1:1', tokensFile: '/t/none' }),
    /^Can't read the HTTP tokens file \/t\/none: ENOENT/,
  );
  assert.match(err({ listen: '192.0.2.1:8080' }), /^refusing to serve the HTTP API on 192\.0\.2\.1:8080/);
  assert.match(err({ listen: '127.0.0.1:1', certFile: '/t/cert', keyFile: '/t/key' }), /certificate or key/);
  const ok = prepareHttp({ listen: '192.0.2.1:8080', tokensFile: '/t/good' }, read);
  assert.ok(ok.ok);
  assert.equal(ok.http.tokens?.byDigest.size, 1);
});
