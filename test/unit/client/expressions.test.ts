// dhclient.conf statements written as expressions (dhclient.conf(5)): `send NAME = expression;` evaluated as
// each message is built, and `supersede|default|prepend|append NAME = expression;` against each lease.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyReceiptRules } from '../../../src/client/lease.js';
import { buildMessage, type ClientIdentity } from '../../../src/client/messages.js';
import { configFromText, MAC } from './harness.js';

const id: ClientIdentity = { interface: 'eth0', htype: 1, chaddr: MAC, hostname: 'laptop' };
const text = (d: Uint8Array | undefined) => (d === undefined ? undefined : Buffer.from(d).toString('latin1'));

function sentOptions(conf: string): Map<number, Uint8Array> {
  const { cfg } = configFromText(conf);
  const msg = buildMessage({ type: 1, xid: 1, secs: 0, full: true }, cfg, id);
  return new Map(msg.options);
}

test('send NAME = expression: evaluated as the message is built; null sends nothing', () => {
  const opts = sentOptions(`
    send host-name = concat (gethostname (), ".", "example.org");
    send vendor-class-identifier = concat ("lh-", binary-to-ascii (16, 8, ":", substring (hardware, 1, 6)));
    send user-class = option domain-name;
  `);
  assert.equal(text(opts.get(12)), 'laptop.example.org');
  assert.equal(text(opts.get(60)), 'lh-0:16:36:51:5d:5a');
  assert.equal(opts.has(77), false);
});

test('supersede/default/prepend/append NAME = expression: computed from what the server sent', () => {
  const { cfg } = configFromText(`
    supersede domain-name = concat ("lab.", option domain-name);
    default host-name = "fallback";
    append domain-search = option domain-search;
    prepend domain-name-servers = option routers;
  `);
  const options = new Map<number, Uint8Array>([
    [15, new Uint8Array(Buffer.from('example.org'))],
    [3, new Uint8Array([192, 0, 2, 1])],
    [6, new Uint8Array([192, 0, 2, 53])],
  ]);
  applyReceiptRules(options, cfg);
  assert.equal(text(options.get(15)), 'lab.example.org');
  assert.equal(text(options.get(12)), 'fallback');
  assert.deepEqual([...options.get(6)!], [192, 0, 2, 1, 192, 0, 2, 53]);
  assert.equal(options.has(119), false, 'a null value leaves the option as it was (absent)');
});
