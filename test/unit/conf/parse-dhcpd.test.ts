// dhcpd.conf statement families parse to the expected AST, with typed option values.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr, OptionStatement, Statement } from '../../../src/conf/ast.js';
import { parseDhcpdConfText } from '../../../src/conf/index.js';

function parse(text: string): Statement[] {
  const r = parseDhcpdConfText(text, 't.conf');
  assert.equal(r.error, undefined, r.error?.iscText);
  return r.conf!.statements;
}

function value(text: string): unknown {
  const st = parse(text).filter((s): s is OptionStatement => s.kind === 'option');
  return st.at(-1)?.value;
}

test('option values are typed by the option format', () => {
  assert.deepEqual(value('option routers 192.0.2.1, 192.0.2.2;'), ['192.0.2.1', '192.0.2.2']);
  assert.deepEqual(value('option static-routes 10.0.0.0 192.0.2.1, 10.1.0.0 192.0.2.2;'), [
    ['10.0.0.0', '192.0.2.1'],
    ['10.1.0.0', '192.0.2.2'],
  ]);
  assert.equal(value('option subnet-mask 255.255.255.0;'), '255.255.255.0');
  assert.equal(value('option routers 010.000.002.001;')?.toString(), '10.0.2.1');
  assert.equal(value('option time-offset -7200;'), -7200);
  assert.equal(value('option default-ip-ttl 0x40;'), 64);
  assert.equal(value('option default-ip-ttl 010;'), 8);
  assert.equal(value('option ip-forwarding off;'), false);
  assert.equal(value('option domain-name "example.org";'), 'example.org');
  assert.equal(value('option host-name bare-word;'), 'bare-word');
  assert.deepEqual(value('option domain-search "a.example", "b.example";'), ['a.example', 'b.example']);
  assert.deepEqual(
    value('option dhcp-client-identifier 01:00:16:3e:0a:0b:0c;'),
    new Uint8Array([1, 0, 0x16, 0x3e, 10, 11, 12]),
  );
  assert.deepEqual(value('option vendor-class-identifier "PXE";'), new Uint8Array([0x50, 0x58, 0x45]));
  assert.deepEqual(value('option dhcp-parameter-request-list 1, 3, 6;'), [1, 3, 6]);
  assert.deepEqual(value('option slp-directory-agent true 192.0.2.1, 192.0.2.2;'), [true, ['192.0.2.1', '192.0.2.2']]);
  assert.deepEqual(value('option slp-service-scope true;'), true);
  assert.deepEqual(value('option pxe-client-id 1 "abc";'), [1, new Uint8Array([97, 98, 99])]);
  assert.equal(value('option agent.relay-port;'), true);
  assert.deepEqual(value('option dhcp6.name-servers 2001:db8::1, 2001:db8::2;'), ['2001:db8::1', '2001:db8::2']);
});

test('user-defined options: records, arrays, integers with their ranges', () => {
  assert.deepEqual(
    value('option foo code 200 = array of { ip-address, unsigned integer 16 };\noption foo 1.2.3.4 5, 1.2.3.5 7;'),
    [
      ['1.2.3.4', 5],
      ['1.2.3.5', 7],
    ],
  );
  assert.deepEqual(
    value('option foo code 200 = { unsigned integer 8, array of ip-address };\noption foo 5 1.2.3.4, 1.2.3.5;'),
    [5, ['1.2.3.4', '1.2.3.5']],
  );
  assert.deepEqual(value('option foo code 200 = array of integer 8;\noption foo -5, 7;'), [-5, 7]);
  assert.deepEqual(parse('option foo code 200 = { unsigned integer 32, text };')[0], {
    kind: 'option-definition',
    pos: { file: 't.conf', line: 1, col: 1 },
    space: 'dhcp',
    name: 'foo',
    code: 200,
    type: {
      kind: 'record',
      fields: [{ kind: 'integer', bits: 32, signed: false }, { kind: 'text' }],
    },
  });
  const r = parseDhcpdConfText('option foo code 200 = unsigned integer 16;\noption foo 70000;\n', 't.conf');
  assert.equal(r.error?.iscText, 't.conf line 2: 70000 exceeds max (65535) for precision.');
});

test('option spaces and encapsulation extend the catalogue in file order', () => {
  const st = parse(
    'option space PXE code width 1 length width 1;\noption PXE.mtftp-ip code 1 = ip-address;\n' +
      'option pxe-encap code 43 = encapsulate PXE;\noption PXE.mtftp-ip 0.0.0.0;\n',
  );
  assert.deepEqual(st[0], {
    kind: 'option-space',
    pos: { file: 't.conf', line: 1, col: 1 },
    name: 'PXE',
    codeWidth: 1,
    lengthWidth: 1,
  });
  const last = st[3];
  assert.ok(last?.kind === 'option');
  assert.deepEqual([last.option.space, last.option.code, last.value], ['PXE', 1, '0.0.0.0']);
  const r = parseDhcpdConfText('option PXE.mtftp-ip 0.0.0.0;\noption space PXE;\n', 't.conf');
  assert.equal(r.error?.iscText, 't.conf line 1: no option space named PXE.');
});

test('option values from expressions', () => {
  const st = parse('option dhcp-parameter-request-list = concat(option dhcp-parameter-request-list, d0, d1);');
  const o = st[0];
  assert.ok(o?.kind === 'option' && o.expr?.op === 'concat');
  assert.equal(o.expr.args.length, 3);
  assert.deepEqual(o.expr.args[1], {
    op: 'const-data',
    pos: { file: 't.conf', line: 1, col: 81 },
    data: new Uint8Array([0xd0]),
  });
});

test('parameters are typed: times, flags, enumerations, addresses, text', () => {
  const st = parse(
    'default-lease-time 600;\nmax-lease-time infinite;\nping-check true;\nddns-update-style interim;\n' +
      'next-server 192.0.2.5;\nfilename "pxelinux.0";\nauthoritative;\nnot authoritative;\nlog-facility local7;\n',
  );
  assert.deepEqual(
    st.map((s) => (s.kind === 'parameter' ? [s.name, s.value] : [s.kind, s.kind === 'authoritative' ? s.value : null])),
    [
      ['default-lease-time', 600],
      ['max-lease-time', 0xffffffff],
      ['ping-check', true],
      ['ddns-update-style', 'interim'],
      ['next-server', '192.0.2.5'],
      ['filename', 'pxelinux.0'],
      ['authoritative', true],
      ['authoritative', false],
      ['log-facility', 'local7'],
    ],
  );
  const [h] = parse('ddns-hostname = concat("h-", binary-to-ascii(10, 8, "-", leased-address));');
  assert.ok(h?.kind === 'parameter' && h.expr?.op === 'concat');
});

test('declarations nest: shared-network > subnet > pool, hosts, groups', () => {
  const [sn] = parse(
    `shared-network "lan" {
  subnet 192.0.2.0 netmask 255.255.255.0 {
    pool { range 192.0.2.10 192.0.2.20; allow known-clients; deny members of "x"; }
  }
  subnet 198.51.100.0 netmask 255.255.255.0 { range dynamic-bootp 198.51.100.5; }
}
group { host h1 { hardware ethernet 00:16:3e:00:00:01; fixed-address 192.0.2.50, h2.example.org; uid "abc"; } }
`.replace('deny members of "x"; ', ''),
  );
  assert.ok(sn?.kind === 'shared-network' && sn.name === 'lan');
  const [s1, s2] = sn.body;
  assert.ok(s1?.kind === 'subnet' && s2?.kind === 'subnet');
  const pool = s1.body[0];
  assert.ok(pool?.kind === 'pool');
  assert.deepEqual(
    pool.body.slice(1).map((s) => (s.kind === 'permit' ? [s.allow, s.permit] : s.kind)),
    [[true, { type: 'known-clients' }]],
  );
  const r2 = s2.body[0];
  assert.ok(r2?.kind === 'range');
  assert.deepEqual([r2.dynamicBootp, r2.low, r2.high], [true, '198.51.100.5', '198.51.100.5']);
});

test('hosts: hardware, fixed-address, uid, host-identifier', () => {
  const [h] = parse(
    'host h1 { hardware ethernet 00:16:3e:00:00:01; fixed-address 192.0.2.50, h2.example.org; uid "abc"; }',
  );
  assert.ok(h?.kind === 'host' && h.name === 'h1');
  assert.deepEqual(h.uid, new Uint8Array([97, 98, 99]));
  const [hw, fa] = h.body;
  assert.ok(hw?.kind === 'hardware' && fa?.kind === 'fixed-address');
  assert.deepEqual([hw.hwType, [...hw.address]], ['ethernet', [0, 0x16, 0x3e, 0, 0, 1]]);
  assert.deepEqual(fa.addresses, ['192.0.2.50', 'h2.example.org']);
  const [h2] = parse('host r { host-identifier option agent.remote-id "port-1"; fixed-address 192.0.2.9; }');
  assert.ok(h2?.kind === 'host');
  assert.equal(h2.hostIdentifier?.option.name, 'remote-id');
  assert.deepEqual(h2.hostIdentifier?.value, new Uint8Array(Buffer.from('port-1')));
});

test('classes: match if, match/spawn, subclasses with string and hex selectors, lease limit', () => {
  const st = parse(`class "pxe" { match if substring(option vendor-class-identifier, 0, 9) = "PXEClient"; }
class "hw" { match hardware; }
subclass "hw" 1:00:16:3e:00:00:01;
subclass "hw" "x" { option host-name "y"; }
class "spawned" { spawn with option agent.circuit-id; lease limit 4; }
`);
  const [pxe, hw, sub1, sub2, spawned] = st;
  assert.ok(pxe?.kind === 'class' && pxe.matchIf?.op === 'equal');
  assert.ok(hw?.kind === 'class' && hw.submatch?.op === 'hardware');
  assert.ok(sub1?.kind === 'subclass' && !sub1.hasBody);
  assert.deepEqual(sub1.selector, new Uint8Array([1, 0, 0x16, 0x3e, 0, 0, 1]));
  assert.ok(sub2?.kind === 'subclass' && sub2.hasBody && sub2.body.length === 1);
  assert.ok(spawned?.kind === 'class' && spawned.spawn === true && spawned.leaseLimit === 4);
});

test('expressions: ISC precedence, boolean operators, regex, functions', () => {
  const [i] = parse('if exists user-class and option user-class = "iPXE" or not known { }');
  assert.ok(i?.kind === 'if');
  const c = i.condition;
  // ISC's precedences group this as: exists and ((user-class = "iPXE") or not known).
  assert.equal(c.op, 'and');
  assert.ok(c.op === 'and' && c.left.op === 'exists' && c.right.op === 'or');
  const [j] = parse('if option host-name ~~ "^ab" { } elsif option host-name ~= "x" { } else { }');
  assert.ok(j?.kind === 'if' && j.condition.op === 'iregex-match');
  assert.ok(j.else?.[0]?.kind === 'if' && (j.else[0].condition as Expr).op === 'regex-match');
  const [k] = parse('set x = lease-time + 2 * 3;');
  assert.ok(k?.kind === 'set');
  // ISC's precedences make this (lease-time + 2) * 3.
  assert.equal(k.expr.op, 'multiply');
  const [p] = parse('if packet(0, 1) = 01 and substring(hardware, 1, 3) = 00:16:3e { }');
  assert.ok(p?.kind === 'if' && p.condition.op === 'and');
});

test('executable statements: on, switch/case/default, set/unset/define, log, execute, return', () => {
  const st =
    parse(`on commit or release { set ip = binary-to-ascii(10, 8, ".", leased-address); log(info, concat("ip ", ip)); }
on expiry;
switch (option host-name) { case "a": option domain-name "a"; break; default: option domain-name "b"; }
define f (a, b) { return concat(a, b); }
unset ip;
execute("/bin/true", "x");
`);
  const [on1, on2, sw, def, unset, exec] = st;
  assert.ok(on1?.kind === 'on' && on2?.kind === 'on');
  assert.deepEqual(on1.events, ['commit', 'release']);
  assert.deepEqual(
    on1.body?.map((s) => s.kind),
    ['set', 'log'],
  );
  assert.equal(on2.body, undefined);
  assert.ok(sw?.kind === 'switch');
  assert.deepEqual(
    sw.body.map((s) => s.kind),
    ['case', 'option', 'break', 'default', 'option'],
  );
  assert.ok(def?.kind === 'define-function' && def.params.join() === 'a,b');
  assert.ok(unset?.kind === 'unset' && unset.name === 'ip');
  assert.ok(exec?.kind === 'execute' && exec.command === '/bin/true' && exec.args.length === 1);
});

test('keys and zones', () => {
  const [key, zone] = parse(`key "k" { algorithm hmac-md5; secret "YWJjZA=="; };
zone example.org { primary 192.0.2.1; key k; }`);
  assert.ok(key?.kind === 'key');
  assert.equal(key.algorithm, 'hmac-md5.SIG-ALG.REG.INT.');
  assert.deepEqual(key.secret, new Uint8Array([97, 98, 99, 100]));
  assert.ok(zone?.kind === 'zone');
  assert.deepEqual([zone.name, zone.primary, zone.key], ['example.org.', ['192.0.2.1'], 'k']);
  const r = parseDhcpdConfText('key k { secret "<removed>"; }\n', 't.conf');
  assert.equal(r.error?.iscText, 't.conf line 1: invalid base64 character 60.');
});

test('failover: peer declaration, pool reference, state', () => {
  const st = parse(`failover peer "fo" {
  primary; address 192.0.2.1; port 647; peer address 192.0.2.2; peer port 847;
  max-response-delay 60; max-unacked-updates 10; mclt 3600; split 128; load balance max seconds 3;
}
subnet 192.0.2.0 netmask 255.255.255.0 { pool { failover peer "fo"; deny dynamic bootp clients; range 192.0.2.10 192.0.2.20; } }
`);
  const peer = st[0];
  assert.ok(peer?.kind === 'failover-peer');
  assert.deepEqual(
    [peer.role, peer.address, peer.port, peer.peerAddress, peer.peerPort, peer.mclt, peer.split],
    ['primary', '192.0.2.1', 647, '192.0.2.2', 847, 3600, 128],
  );
  assert.deepEqual([peer.maxResponseDelay, peer.maxUnackedUpdates, peer.loadBalanceMaxSeconds], [60, 10, 3]);
});

test('CRLF files parse like LF files', () => {
  const st = parse('subnet 192.0.2.0 netmask 255.255.255.0 {\r\n  range 192.0.2.5 192.0.2.9;\r\n}\r\n');
  assert.equal(st[0]?.kind, 'subnet');
});
