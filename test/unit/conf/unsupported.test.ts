// Statements Leasehold parses but does not act on yet are reported once each, never dropped.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDhcpdConfText } from '../../../src/conf/index.js';

function unsupported(text: string): string[] {
  const r = parseDhcpdConfText(text);
  assert.equal(r.error, undefined, r.error?.message);
  return r.unsupported.map((d) => `${d.line}: ${d.message}`);
}

test('dynamic DNS updates are reported when a style other than none is set', () => {
  assert.deepEqual(unsupported('ddns-update-style none;\n'), []);
  const got = unsupported('ddns-update-style interim;\nddns-update-style standard;\n');
  assert.equal(got.length, 1);
  assert.match(got[0]!, /^1: dynamic DNS updates/);
});

test('each kind of unsupported statement is reported once, at its first use', () => {
  const got = unsupported(
    [
      'subnet 192.0.2.0 netmask 255.255.255.0 {',
      '  zone example.org. { primary 192.0.2.53; }',
      '  zone example.net. { primary 192.0.2.53; }',
      '}',
    ].join('\n'),
  );
  assert.equal(got.length, 1);
  assert.match(got[0]!, /^2: zone/);
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
