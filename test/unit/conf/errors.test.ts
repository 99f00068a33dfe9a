// ISC's checks and error messages, word for word and at ISC's line. Every expected text below is
// what ISC dhcpd 4.4.3 printed first for the same input (`dhcpd -t -4 -cf t.conf`).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDhcpdConfText } from '../../../src/conf/index.js';

const ISC_FIRST_ERRORS: [config: string, iscFirstLine: string][] = [
  ['option routers 1.2.3.4\nsubnet 10.0.0.0 netmask 255.0.0.0 { }\n', 't.conf line 2: semicolon expected.'],
  [
    'subnet 10.14.8.195 netmask 255.255.255.0 { }\n',
    't.conf line 1: subnet 10.14.8.195 netmask 255.255.255.0: bad subnet number/mask combination.',
  ],
  [
    'subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.1 11.0.0.5; }\n',
    'bad range, address 11.0.0.5 not in subnet 10.0.0.0 netmask 255.0.0.0',
  ],
  [
    'subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.1 10.0.0.5; }\nsubnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.3 10.0.0.9; }\n',
    't.conf line 2: lease 10.0.0.3 is declared twice!',
  ],
  [
    'subnet 0.0.0.0 netmask 0.0.0.0 { range 1.2.3.4 5.6.7.8; }\n',
    't.conf line 1: 1.2.3.4-5.6.7.8 is an overly large address range.',
  ],
  ['host a { }\nhost a { }\n', 't.conf line 2: host a: already exists'],
  ['key k { algorithm hmac-md5; secret abc<def; }\n', 't.conf line 1: semicolon expected.'],
  ['key k { algorithm hmac-md5; secret "ab"; }\n', 't.conf line 1: partial base64 value left over: 11.'],
  ['key k { secret "YW Jj"; }\n', 't.conf line 1: invalid base64 character 32.'],
  ['zone example.com. { primary 1.2.3.4; key k; }\n', 't.conf line 1: unknown key k'],
  ['add "x";\n', 't.conf line 1: class x: not found'],
  [
    'subnet 10.0.0.0 netmask 255.0.0.0 { pool { range 10.0.0.1 10.0.0.5; allow members of "x"; } }\n',
    't.conf line 1: no such class: x',
  ],
  [
    'subnet 10.0.0.0 netmask 255.0.0.0 { pool { range 10.0.0.1 10.0.0.5; failover peer "x"; } }\n',
    't.conf line 1: failover peer x: not found',
  ],
  [
    'failover peer "x" { secondary; address 1.2.3.4; peer address 1.2.3.5; }\n',
    'ERROR: Failover peer, x, has no referring pools. You must refer to each peer in at least one pool declaration.',
  ],
  ['ddns-update-style ad-hoc;\n', 'ddns-update-style ad_hoc no longer supported'],
  ['ddns-update-style foo;\n', 't.conf line 1: unknown value'],
  ['option boot-size 100000;\n', 't.conf line 1: 100000 exceeds max (65535) for precision.'],
  ['option default-ip-ttl 0400;\n', 't.conf line 1: 400 exceeds max (255) for precision.'],
  ['option default-ip-ttl 0x1ff;\n', 't.conf line 1: 1ff exceeds max (255) for precision.'],
  ['option default-ip-ttl 1a;\n', 't.conf line 1: Bogus number 1a: digit 10 not in base 10'],
  ['option time-offset -3000000000;\n', 't.conf line 1: -3000000000 exceeds max (-2147483648) for precision.'],
  ['host a { hardware ethernet 00:11:22:33:44:5g; }\n', 't.conf line 1: expecting numeric value.'],
  ['if 1 { }\n', 't.conf line 1: Expecting a boolean expression.'],
  ['option routers 1.2.3;\n', 't.conf line 1: too few numbers.'],
  ['option dhcp.nosuch "x";\n', 't.conf line 1: unknown option dhcp.nosuch'],
  ['option nosuch.x "x";\n', 't.conf line 1: no option space named nosuch.'],
  ['option nosuch "x";\n', 't.conf line 1: unknown option dhcp.nosuch'],
  ['if exists nosuch { }\n', 't.conf line 1: no option named nosuch in space dhcp'],
  ['1\n', 't.conf line 0: expecting a parameter or declaration'],
  ['include "nonexistent.conf";\n', "Can't open nonexistent.conf: No such file or directory"],
  ['subnet6 2001:db8::/64 { }\n', 't.conf line 1: subnet6 statement is only supported in DHCPv6 mode.'],
  ['shared-network foo { }\n', 't.conf line 1: empty shared-network decl'],
  ['subnet 10.0.0.0 netmask 255.0.0.0 { pool { } }\n', 't.conf line 1: Pool declaration with no address range.'],
  ['subnet 10.0.0.0 netmask 255.0.0.0 { pool { pool { } } }\n', 't.conf line 1: pool declared within pool.'],
  [
    'subnet 10.0.0.0 netmask 255.0.0.0 { subnet 10.1.0.0 netmask 255.255.0.0 { } }\n',
    't.conf line 1: subnet declarations not allowed here.',
  ],
  ['host a { range 1.2.3.4; }\n', 't.conf line 1: range declaration not allowed here.'],
  ['host a { authoritative; }\n', 't.conf line 1: authority makes no sense here.'],
  ['hardware ethernet 00:11:22:33:44:55;\n', 't.conf line 1: hardware address parameter not allowed here.'],
  ['fixed-address 1.2.3.4;\n', 't.conf line 1: fixed-address parameter not allowed here.'],
  ['subnet 10.0.0.0 netmask 255.0.0.0 {\n', 't.conf line 1: unexpected end of file'],
  ['subnet 10.0.0.0 mask 255.0.0.0 { }\n', 't.conf line 1: Expecting netmask'],
  [
    'failover peer "x" { primary; address 1.2.3.4; peer address 1.2.3.5; split 128; }\n',
    't.conf line 1: primary failover server must have mclt.',
  ],
  [
    'failover peer "x" { primary; address 1.2.3.4; peer address 1.2.3.5; mclt 10; }\n',
    't.conf line 1: primary failover server must have hba or split.',
  ],
  ['failover peer "x" { secondary; address 1.2.3.4; mclt 10; }\n', 't.conf line 1: peer address may not be omitted'],
  [
    'failover peer "x" { secondary; address 1.2.3.4; peer address 1.2.3.5; split 10; }\n',
    't.conf line 1: secondary may not define load balance settings.',
  ],
  [
    'failover peer "x" { secondary; address 1.2.3.4; peer address 1.2.3.5; bogus 10; }\n',
    't.conf line 1: invalid statement in peer declaration',
  ],
  [
    'failover peer "x" { primary; address 1.2.3.4; peer address 1.2.3.5; mclt 10; split 128; }\nsubnet 10.0.0.0 netmask 255.0.0.0 { pool { failover peer "x"; range dynamic-bootp 10.0.0.1 10.0.0.5; } }\n',
    't.conf line 2: dynamic-bootp flag is not permitted for address',
  ],
  [
    'subnet 10.0.0.0 netmask 255.0.0.0 { pool { range 10.0.0.1 10.0.0.5; no failover peer; } }\n',
    't.conf line 1: expecting a parameter or declaration',
  ],
  [
    'class "a" { match if option host-name = "x"; match if option host-name = "y"; }\n',
    "t.conf line 1: A class may only have one 'match if' clause.",
  ],
  ['class "a" { match if option host-name; }\n', 't.conf line 1: Expecting a boolean expression.'],
  ['subclass "nope" "x";\n', 't.conf line 1: no class named nope'],
  ['class "a" { class "b" { } }\n', 't.conf line 1: class declarations not allowed here.'],
  ['switch (option host-name) { case 5: }\n', 't.conf line 1: expecting hexadecimal number.'],
  ['case "a":\n', 't.conf line 1: case statement in inappropriate scope.'],
  ['on nonsense { }\n', 't.conf line 1: expecting a lease event type'],
  ['set 5 = "a";\n', "t.conf line 1: 5 can't be a variable name"],
  ['log(info, "x")\n', 't.conf line 1: semicolon expected.'],
  ['foo bar;\n', 't.conf line 1: semicolon expected.'],
  ['option foo code 200 = array of text;\n', 't.conf line 1: arrays of text strings not yet supported.'],
  ['option foo code 200 = { text, ip-address };\n', 't.conf line 1: text must be at end of record.'],
  ['option foo code 200 = integer 12;\n', 't.conf line 1: 12 bit precision is not supported.'],
  ['option foo code 200 = encapsulate nosuch;\n', 't.conf line 1: unknown option space nosuch'],
  ['option space foo code width 3;\n', 't.conf line 1: invalid code width (3), expecting a 1, 2 or 4.'],
  [
    'subnet 10.0.0.0 netmask 255.0.0.0 { option foo code 201 = text; }\n',
    't.conf line 1: option definitions may not be scoped.',
  ],
  [
    'subnet 10.0.0.0 netmask 255.0.0.0 { option space bar; }\n',
    't.conf line 1: option space definitions may not be scoped.',
  ],
  ['option ip-forwarding maybe;\n', 't.conf line 1: expecting boolean.'],
  ['option domain-search example.com;\n', 't.conf line 1: Expecting a domain string.'],
  ['option domain-name "\\x4g";\n', 't.conf line 1: invalid hex digit: 67'],
  ['option domain-name "unterminated;\n', 't.conf line 1: eof in string constant'],
  ['option routers;\nsubnet 10.0.0.0 netmask 255.0.0.0 { }\n', 't.conf line 2: semicolon expected.'],
  ['allow nonsense;\n', 't.conf line 1: expecting allow/deny key'],
  ['not foo;\n', 't.conf line 1: expecting assertion'],
  ['ldap-server "ldap.example.com";\n', 't.conf line 1: semicolon expected.'],
];

test('first error text and line agree with ISC dhcpd 4.4.3', () => {
  const wrong: string[] = [];
  for (const [config, want] of ISC_FIRST_ERRORS) {
    const r = parseDhcpdConfText(config, 't.conf');
    const got = r.error?.iscText ?? '(accepted)';
    if (got !== want) wrong.push(`${JSON.stringify(config)}\n    ISC: ${want}\n    we:  ${got}`);
  }
  assert.deepEqual(wrong, []);
});

test('ISC accepts these, and so do we', () => {
  for (const config of [
    'if option host-name = 5 { }\n',
    'shared-network foo { subnet 10.0.0.0 netmask 255.0.0.0 { } pool { range 10.1.0.1 10.1.0.5; } }\n',
    'option unknown-200 01:02;\n',
    'class "a" { match hardware; }\nsubclass "a" 1:00:11:22:33:44:55;\n',
    'on commit or release { execute("/bin/true", "a", leased-address); }\non expiry;\n',
  ]) {
    const r = parseDhcpdConfText(config, 't.conf');
    assert.equal(r.error, undefined, `${config}: ${r.error?.iscText}`);
  }
});

test('semantic errors say what to write instead', () => {
  const cases: [string, RegExp][] = [
    ['ddns-update-style ad-hoc;\n', /interim/],
    ['failover peer "p" { secondary; address 1.2.3.4; peer address 1.2.3.5; }\n', /failover peer "p";/],
    ['subnet 10.0.0.0 netmask 255.0.0.0 { pool { range 10.0.0.1 10.0.0.5; allow members of "c"; } }\n', /class "c"/],
    ['subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.1 11.0.0.5; }\n', /10\.0\.0\.0\/8/],
  ];
  for (const [config, hint] of cases) {
    const r = parseDhcpdConfText(config, 't.conf');
    assert.match(r.error?.hint ?? '', hint);
  }
});

test('a failover pool that does not deny dynamic BOOTP draws a warning saying what to write', () => {
  const r = parseDhcpdConfText(
    'failover peer "p" { secondary; address 1.2.3.4; peer address 1.2.3.5; }\n' +
      'subnet 10.0.0.0 netmask 255.0.0.0 { pool { failover peer "p"; range 10.0.0.1 10.0.0.5; } }\n',
    't.conf',
  );
  assert.equal(r.error, undefined);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0]?.message, 'pools with failover peers may not permit dynamic bootp');
  assert.match(r.warnings[0]?.hint ?? '', /deny dynamic bootp clients;/);
});

test('missing includes: relative to the working directory, ISC wording, no line', () => {
  const r = parseDhcpdConfText('subnet 10.0.0.0 netmask 255.0.0.0 {\n  include "pools.conf";\n}\n', 't.conf');
  assert.equal(r.error?.iscText, "Can't open pools.conf: No such file or directory");
  assert.deepEqual([r.error?.line, r.error?.col], [2, 11]);
});

test('errors inside an included file name that file', () => {
  const files: Record<string, string> = { 'inc.conf': 'range 10.0.0.1 10.0.0.5\n' };
  const r = parseDhcpdConfText('subnet 10.0.0.0 netmask 255.0.0.0 { include "inc.conf"; }\n', 't.conf', {
    readFile: (p) => (files[p] === undefined ? undefined : new Uint8Array(Buffer.from(files[p]))),
  });
  assert.equal(r.error?.iscText, 'inc.conf line 1: semicolon expected.');
  assert.equal(r.error?.file, 'inc.conf');
});

test('statements Leasehold does not act on yet are reported once per kind', () => {
  const r = parseDhcpdConfText(
    'ddns-other-guard-is-dynamic on;\nddns-other-guard-is-dynamic off;\nddns-dual-stack-mixed-mode on;\nddns-dual-stack-mixed-mode off;\n',
    't.conf',
  );
  assert.equal(r.error, undefined);
  assert.deepEqual(
    r.unsupported.map((u) => u.message.split(':')[0]),
    ['ddns-other-guard-is-dynamic', 'ddns-dual-stack-mixed-mode'],
  );
});
