// Statements Leasehold parses but does not act on yet are reported once each, never dropped.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDhcpdConfText } from '../../../src/conf/index.js';

function unsupported(text: string): string[] {
  const r = parseDhcpdConfText(text);
  assert.equal(r.error, undefined, r.error?.message);
  return r.unsupported.map((d) => `${d.line}: ${d.message}`);
}

test('dynamic DNS is acted on: its statements are not reported', () => {
  const text = [
    'ddns-update-style interim;',
    'ddns-updates on; ddns-domainname "example.org"; ddns-rev-domainname "in-addr.arpa."; ddns-ttl 300;',
    'ignore client-updates; update-optimization off; update-conflict-detection on; do-forward-updates on;',
    'key k { algorithm hmac-md5; secret "c2VjcmV0"; }',
    'zone example.org. { primary 192.0.2.53; key k; }',
  ].join('\n');
  assert.deepEqual(unsupported(text), []);
});

test('each kind of unsupported statement is reported once, at its first use', () => {
  const got = unsupported(
    [
      'subnet 192.0.2.0 netmask 255.255.255.0 {',
      '  ddns-dual-stack-mixed-mode on;',
      '  ddns-dual-stack-mixed-mode off;',
      '}',
    ].join('\n'),
  );
  assert.equal(got.length, 1);
  assert.match(got[0]!, /^2: ddns-dual-stack-mixed-mode/);
});

test('events and execute() are acted on: not reported', () => {
  const text = [
    'subnet 192.0.2.0 netmask 255.255.255.0 {',
    '  on commit { execute ("/bin/true", "a"); }',
    '  on release or expiry { log (info, "b"); }',
    '}',
  ].join('\n');
  assert.deepEqual(unsupported(text), []);
});
