// dhclient.conf statements parse to the expected AST.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Statement } from '../../../src/conf/ast.js';
import { parseDhclientConfText } from '../../../src/conf/index.js';

function parse(text: string): Statement[] {
  const r = parseDhclientConfText(text, 'dhclient.conf');
  assert.equal(r.error, undefined, r.error?.iscText);
  return r.conf!.statements;
}

test('request, require, also request, with dhcp6 options and user definitions', () => {
  const st = parse(`option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
request subnet-mask, routers, rfc3442-classless-static-routes, dhcp6.name-servers;
require subnet-mask;
also request ntp-servers;
request;
`);
  const [, req, reqd, also, empty] = st;
  assert.ok(req?.kind === 'request' && !req.also);
  assert.deepEqual(
    req.options.map((o) => `${o.space}.${o.name}:${o.code}`),
    ['dhcp.subnet-mask:1', 'dhcp.routers:3', 'dhcp.rfc3442-classless-static-routes:121', 'dhcp6.name-servers:23'],
  );
  assert.ok(reqd?.kind === 'require' && reqd.options[0]?.code === 1);
  assert.ok(also?.kind === 'request' && also.also && also.options[0]?.name === 'ntp-servers');
  assert.ok(empty?.kind === 'request' && empty.options.length === 0);
});

test('send, supersede, prepend, append, default; send host-name = gethostname()', () => {
  const st = parse(`send host-name = gethostname();
send dhcp-client-identifier 1:0:16:3e:0:0:1;
send user-class "\\047FSVDSL_livebox.Internet.softathome.Livebox3";
supersede domain-name "example.org";
prepend domain-name-servers 127.0.0.1;
append domain-search "example.net";
default routers 192.0.2.1;
`);
  const ops = st.map((s) => (s.kind === 'option' ? `${s.op} ${s.option.name}` : s.kind));
  assert.deepEqual(ops, [
    'send host-name',
    'send dhcp-client-identifier',
    'send user-class',
    'supersede domain-name',
    'prepend domain-name-servers',
    'append domain-search',
    'default routers',
  ]);
  const [hn, cid, uc] = st;
  assert.ok(hn?.kind === 'option' && hn.expr?.op === 'gethostname');
  assert.ok(cid?.kind === 'option');
  assert.deepEqual(cid.value, new Uint8Array([1, 0, 0x16, 0x3e, 0, 0, 1]));
  assert.ok(uc?.kind === 'option' && typeof uc.value === 'string' && uc.value.startsWith("'FSVDSL"));
});

test('timers, script, media, omapi port, reject', () => {
  const st = parse(`timeout 60; retry 60; select-timeout 5; reboot 10; backoff-cutoff 2; initial-interval 1;
script "/sbin/dhclient-script";
media "media 10baseT/UTP", "media 10base2/BNC";
omapi port 7979;
reject 192.0.2.1, 198.51.100.0/24;
`);
  assert.deepEqual(
    st.slice(0, 6).map((s) => ('seconds' in s ? [s.kind, s.seconds] : s.kind)),
    [
      ['timeout', 60],
      ['retry', 60],
      ['select-timeout', 5],
      ['reboot', 10],
      ['backoff-cutoff', 2],
      ['initial-interval', 1],
    ],
  );
  const [script, media, omapi, reject] = st.slice(6);
  assert.ok(script?.kind === 'script' && script.path === '/sbin/dhclient-script');
  assert.ok(media?.kind === 'media' && media.media.length === 2);
  assert.ok(omapi?.kind === 'omapi-port' && omapi.port === 7979);
  assert.ok(reject?.kind === 'reject');
  assert.deepEqual(reject.addresses, [
    { address: '192.0.2.1', prefix: 32 },
    { address: '198.51.100.0', prefix: 24 },
  ]);
});

test('interface, pseudo, alias and static lease blocks', () => {
  const st = parse(`interface "eth0" {
  send host-name "h";
  request subnet-mask;
}
pseudo "secondary" "eth0" { send dhcp-client-identifier "x"; }
alias { interface "eth0"; fixed-address 192.0.2.7; option subnet-mask 255.255.255.255; }
lease {
  interface "eth0";
  fixed-address 192.0.2.8;
  option routers 192.0.2.1;
  renew 2 2030/01/01 00:00:00;
  rebind 2 2030/01/01 00:00:00;
  expire never;
}
`);
  const [iface, pseudo, alias, lease] = st;
  assert.ok(iface?.kind === 'interface-decl' && iface.name === 'eth0' && iface.body.length === 2);
  assert.ok(pseudo?.kind === 'interface-decl' && pseudo.pseudo === 'secondary' && pseudo.name === 'eth0');
  assert.ok(alias?.kind === 'client-lease' && alias.alias);
  assert.ok(lease?.kind === 'client-lease' && !lease.alias);
  assert.deepEqual(
    lease.body.map((i) => i.kind),
    ['interface', 'fixed-address', 'option', 'renew', 'rebind', 'expire'],
  );
  const renew = lease.body[3];
  assert.ok(renew?.kind === 'renew');
  assert.equal(renew.time, Date.UTC(2030, 0, 1) / 1000);
});

test('dhclient errors use clparse.c wording', () => {
  const cases: [string, string][] = [
    ['option foo 1.2.3.4;\n', 'dhclient.conf line 1: expecting "code" keyword.'],
    [
      'interface "eth0" { option foo code 200 = text; }\n',
      'dhclient.conf line 1: option definitions may only appear in the outermost scope.',
    ],
    ['interface eth0 { }\n', 'dhclient.conf line 1: expecting interface name (in quotes).'],
    ['request subnet-mask routers;\n', 'dhclient.conf line 1: expecting semicolon.'],
    ['retry 15\n', 'dhclient.conf line 1: semicolon expected.'],
    ['hardware ethernet 00:11:22:33:44:55;\n', 'dhclient.conf line 1: hardware address parameter not allowed here.'],
  ];
  for (const [text, want] of cases) {
    const r = parseDhclientConfText(text, 'dhclient.conf');
    assert.equal(r.error?.iscText, want, text);
  }
});
