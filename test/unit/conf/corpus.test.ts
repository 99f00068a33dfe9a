// Agreement with ISC dhcpd 4.4.3 on the real-world corpus (../shared/corpus): every dhcpd.conf
// gets ISC's verdict (accept/reject), and every reject ISC's first error line, word for word.
// The working directory is the corpus folder, as when the verdicts were recorded, and /etc/dhcp
// and /etc/bind are empty (the verdicts were made in a namespace where they were).
// Also: the dhclient.conf corpus parses, and the seed configurations parse to the expected AST.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { OptionStatement, Statement } from '../../../src/conf/ast.js';
import { type FileReader, parseDhclientConf, parseDhcpdConf } from '../../../src/conf/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'conf');

/** Reads files relative to `dir` (ISC's cwd); /etc/dhcp and /etc/bind are empty. */
function readerIn(dir: string): FileReader {
  return (p) => {
    const abs = path.resolve(dir, p);
    if (abs.startsWith('/etc/dhcp/') || abs.startsWith('/etc/bind/')) return undefined;
    try {
      return new Uint8Array(readFileSync(abs));
    } catch {
      return undefined;
    }
  };
}

const skipCorpus = existsSync(corpus) ? false : `corpus not found at ${corpus}`;

test('dhcpd.conf corpus: same verdict and first error as ISC dhcpd 4.4.3', { skip: skipCorpus }, () => {
  const dir = path.join(corpus, 'dhcpd-conf');
  const rows = readFileSync(path.join(dir, 'VERDICTS.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  assert.equal(rows.length, 149);
  const reader = readerIn(dir);
  const disagreements: string[] = [];
  for (const [file, code, message = ''] of rows) {
    assert.ok(file !== undefined && code !== undefined);
    const r = parseDhcpdConf(file, { readFile: reader });
    const iscAccepts = code === '0';
    // File 016 makes dhcpd crash after printing its first error: that error is the verdict.
    const want = message.replace(/ \[dhcpd then crashed: SIGSEGV\]$/, '');
    if (iscAccepts && r.error !== undefined) {
      disagreements.push(`${file}: ISC accepts, we reject: ${r.error.iscText}`);
    } else if (!iscAccepts && r.error === undefined) {
      disagreements.push(`${file}: ISC rejects (${want}), we accept`);
    } else if (!iscAccepts && r.error?.iscText !== want) {
      disagreements.push(`${file}:\n    ISC: ${want}\n    we:  ${r.error?.iscText}`);
    }
  }
  assert.deepEqual(disagreements, [], `${disagreements.length} disagreement(s):\n${disagreements.join('\n')}`);
});

/**
 * dhclient.conf files that are genuinely invalid (ISC's parser rejects them too): a missing ';'
 * at the end of the file, a missing comma in an address list, and redacted placeholders (`xx`)
 * where hexadecimal octets belong.
 */
const INVALID_DHCLIENT: Record<string, string> = {
  '004-wlanpi.conf': 'semicolon expected.',
  '006-rdsconf.conf': 'semicolon expected.',
  '010-edgemax-orange-fr.conf': 'expecting hexadecimal number.',
  '011-omnia-orange-fr.conf': 'expecting hexadecimal number.',
};

test('dhclient.conf corpus parses (except the genuinely invalid files)', { skip: skipCorpus }, () => {
  const dir = path.join(corpus, 'dhclient-conf');
  const files = readdirSync(dir).filter((f) => f.endsWith('.conf'));
  assert.equal(files.length, 26);
  const reader = readerIn(dir);
  const problems: string[] = [];
  for (const f of files.sort()) {
    const r = parseDhclientConf(f, { readFile: reader });
    const expected = INVALID_DHCLIENT[f];
    if (expected === undefined && r.error !== undefined) problems.push(`${f}: ${r.error.iscText}`);
    if (expected !== undefined && r.error?.message !== expected) problems.push(`${f}: expected "${expected}"`);
  }
  assert.deepEqual(problems, []);
});

function options(stmts: Statement[]): OptionStatement[] {
  return stmts.filter((s): s is OptionStatement => s.kind === 'option');
}

test('seed: the basic my_dhcpd.conf', () => {
  const r = parseDhcpdConf('my_dhcpd.conf', { readFile: readerIn(fixtures) });
  assert.equal(r.error, undefined);
  const st = r.conf!.statements;
  const opts = options(st);
  assert.deepEqual(
    opts.map((o) => [o.option.name, o.value]),
    [
      ['domain-name', 'diablotin.fr'],
      ['domain-name-servers', ['192.168.1.1']],
      ['ntp-servers', ['time.euro.apple.com']],
    ],
  );
  assert.deepEqual(opts[2]!.hostnames, ['time.euro.apple.com']);
  const params = st.filter((s) => s.kind === 'parameter').map((s) => [s.name, s.value]);
  assert.deepEqual(params, [
    ['default-lease-time', 86400],
    ['max-lease-time', 172800],
    ['ddns-update-style', 'none'],
    ['omapi-port', 7911],
  ]);
  assert.ok(st.some((s) => s.kind === 'authoritative' && s.value));
  const subnet = st.find((s) => s.kind === 'subnet');
  assert.ok(subnet?.kind === 'subnet');
  assert.equal(subnet.network, '192.168.1.0');
  assert.equal(subnet.netmask, '255.255.255.0');
  assert.deepEqual(subnet.pos, { file: 'my_dhcpd.conf', line: 17, col: 1 });
  assert.deepEqual(
    subnet.body.map((s) => s.kind),
    ['option', 'range'],
  );
  const range = subnet.body[1];
  assert.ok(range?.kind === 'range');
  assert.equal(range.low, '192.168.1.100');
  assert.equal(range.high, '192.168.1.199');
});

test('seed: a user-defined option (xgrid-controller code 250 = ip-address)', () => {
  const r = parseDhcpdConf('xgrid_dhcpd.conf', { readFile: readerIn(fixtures) });
  assert.equal(r.error, undefined);
  const st = r.conf!.statements;
  const def = st[0];
  assert.ok(def?.kind === 'option-definition');
  assert.deepEqual(
    [def.space, def.name, def.code, def.type],
    ['dhcp', 'xgrid-controller', 250, { kind: 'ip-address' }],
  );
  const xgrid = options(st).find((o) => o.option.name === 'xgrid-controller');
  assert.ok(xgrid);
  assert.equal(xgrid.value, '192.168.1.89');
  assert.deepEqual(xgrid.option.type, { kind: 'ip-address' });
  assert.equal(xgrid.option.code, 250);
  // The definition extends the returned catalogue.
  assert.equal(r.catalogue.byName('dhcp', 'xgrid-controller')?.code, 250);
});

for (const role of ['primary', 'secondary'] as const) {
  test(`seed: the failover ${role} with its included my_dhcpd.conf`, () => {
    const r = parseDhcpdConf(`${role}_failover.conf`, { readFile: readerIn(path.join(fixtures, 'failover')) });
    assert.equal(r.error, undefined);
    const st = r.conf!.statements;
    const peer = st[0];
    assert.ok(peer?.kind === 'failover-peer');
    assert.equal(peer.name, 'mysoho');
    assert.equal(peer.role, role);
    assert.equal(peer.loadBalanceMaxSeconds, 3);
    assert.equal(peer.maxResponseDelay, 180);
    if (role === 'primary') {
      assert.deepEqual(
        [peer.address, peer.port, peer.peerAddress, peer.peerPort],
        ['192.168.1.35', 847, '192.168.1.2', 647],
      );
      assert.equal(peer.mclt, 1800);
      assert.equal(peer.split, 128);
    } else {
      assert.deepEqual(
        [peer.address, peer.port, peer.peerAddress, peer.peerPort],
        ['192.168.1.2', 647, '192.168.1.35', 847],
      );
    }
    const inc = st[1];
    assert.ok(inc?.kind === 'include');
    assert.equal(inc.path, 'my_dhcpd.conf');
    const subnet = inc.body.find((s) => s.kind === 'subnet');
    assert.ok(subnet?.kind === 'subnet');
    const pool = subnet.body.find((s) => s.kind === 'pool');
    assert.ok(pool?.kind === 'pool');
    assert.deepEqual(
      pool.body.map((s) => s.kind),
      ['failover-ref', 'permit', 'range'],
    );
    assert.deepEqual(pool.body[1], {
      kind: 'permit',
      pos: { file: 'my_dhcpd.conf', line: 22, col: 9 },
      allow: false,
      permit: { type: 'dynamic-bootp-clients' },
    });
    // Statements from the include carry the included file's name.
    assert.equal(pool.pos.file, 'my_dhcpd.conf');
    assert.deepEqual(r.warnings, []);
  });
}

test('seed: dhclient.conf requesting the user-defined option', () => {
  const r = parseDhclientConf('dhclient.conf', { readFile: readerIn(fixtures) });
  assert.equal(r.error, undefined);
  const st = r.conf!.statements;
  assert.equal(st[0]?.kind, 'option-definition');
  const iface = st[1];
  assert.ok(iface?.kind === 'interface-decl');
  assert.equal(iface.name, 'ep0');
  const [request, require] = iface.body;
  assert.ok(request?.kind === 'request' && require?.kind === 'require');
  assert.deepEqual(
    request.options.map((o) => o.name),
    [
      'subnet-mask',
      'broadcast-address',
      'time-offset',
      'routers',
      'domain-name',
      'domain-name-servers',
      'host-name',
      'ntp-servers',
      'xgrid-controller',
    ],
  );
  assert.deepEqual(request.options.at(-1), {
    space: 'dhcp',
    name: 'xgrid-controller',
    code: 250,
    type: { kind: 'ip-address' },
  });
  assert.deepEqual(
    require.options.map((o) => o.code),
    [1, 6],
  );
  assert.deepEqual(st[2], { kind: 'omapi-port', pos: { file: 'dhclient.conf', line: 9, col: 1 }, port: 7979 });
});
