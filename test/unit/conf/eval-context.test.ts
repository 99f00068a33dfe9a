import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateData } from '../../../src/conf/eval.js';
import { classifyPacket } from '../../../src/conf/eval-class.js';
import { Bindings, createEvalContext, messageInput, packetOptions } from '../../../src/conf/eval-context.js';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage } from '../../../src/wire/encode.js';
import { bytes, conf, expr, hex, text } from './eval-helpers.js';

test('messageInput: a decoded message evaluates as ISC sees the packet', () => {
  const { bytes: wire } = encodeMessage({
    op: 1,
    htype: 1,
    xid: 0x1234,
    chaddr: hex('00:07:e9:01:02:03'),
    file: text('pxelinux.0'),
    options: [
      [53, bytes(1)],
      [60, text('PXEClient:Arch:00000')],
      [82, bytes(1, 3, 0x61, 0x62, 0x63, 2, 2, 0xaa, 0xbb)],
    ],
  });
  const decoded = decodeMessage(wire);
  assert.ok(decoded.ok);
  const ctx = createEvalContext(messageInput(decoded.message, wire));
  const s = (t: string) => Buffer.from(evaluateData(expr(t), ctx) ?? []).toString('latin1');
  assert.equal(s('binary-to-ascii (16, 8, ":", hardware)'), '1:0:7:e9:1:2:3');
  assert.equal(s('option agent.circuit-id'), 'abc');
  assert.equal(s('binary-to-ascii (16, 8, ":", option agent.remote-id)'), 'aa:bb');
  assert.equal(s('filename'), 'pxelinux.0');
  // op, htype, hlen, hops at the start of the message; the xid after them.
  assert.deepEqual(evaluateData(expr('packet (0, 4)'), ctx), bytes(1, 1, 6, 0));
  assert.deepEqual(evaluateData(expr('packet (4, 4)'), ctx), bytes(0, 0, 0x12, 0x34));
  const { tree } = conf('class "pxe" { match if substring (option vendor-class-identifier, 0, 9) = "PXEClient"; }');
  assert.deepEqual(
    classifyPacket(tree.classes, ctx).map((m) => m.name),
    ['pxe'],
  );
});

test('packetOptions: repeated agent sub-options concatenate; malformed option 82 gives no agent space', () => {
  const ok = packetOptions(new Map([[82, bytes(1, 1, 0x61, 1, 1, 0x62)]]));
  assert.deepEqual(ok.get('agent')?.get(1), text('ab'));
  const bad = packetOptions(new Map([[82, bytes(1, 9, 0x61)]]));
  assert.equal(bad.get('agent'), undefined);
  assert.ok(bad.get('dhcp')?.has(82));
});

test('Bindings: set reaches the nearest scope holding the name; define shadows; unset keeps the name', () => {
  const outer = new Bindings();
  const inner = new Bindings(outer);
  outer.set('a', 1);
  inner.set('a', 2);
  assert.equal(outer.get('a'), 2);
  inner.define('a', 3);
  assert.equal(inner.get('a'), 3);
  assert.equal(outer.get('a'), 2);
  inner.set('b', 4);
  assert.equal(outer.get('b'), undefined);
  inner.unset('a');
  assert.equal(inner.isDefined('a'), false);
  inner.set('a', 5);
  assert.equal(inner.get('a'), 5);
  assert.equal(outer.get('a'), 2, 'the unset binding in the inner scope still holds the name');
  assert.deepEqual(
    [...inner.entries()],
    [
      ['a', 5],
      ['b', 4],
    ],
  );
});
