import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeIntro,
  decodeMessage,
  dedupeValues,
  encodeIntro,
  encodeMessage,
  findValue,
  type NameValue,
  OMAPI_HEADER_SIZE,
  OP,
  opName,
  readU32,
  stringValue,
  u32Value,
} from '../../../src/omapi/wire.js';
import { OMSHELL_INTRO, OMSHELL_OPEN_AUTHENTICATOR } from './isc-capture.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

test('intro: version 100 and header size 24, as omshell sends it', () => {
  assert.equal(Buffer.from(encodeIntro()).toString('hex'), OMSHELL_INTRO);
  const r = decodeIntro(hex(OMSHELL_INTRO));
  assert.equal(r.kind, 'intro');
  if (r.kind === 'intro') assert.deepEqual(r.intro, { version: 100, headerSize: 24 });
});

test('intro: incomplete, wrong version, header too small or too large', () => {
  assert.deepEqual(decodeIntro(hex('00000064')), { kind: 'incomplete', need: 8 });
  const bad = (h: string) => {
    const r = decodeIntro(hex(h));
    return r.kind === 'error' ? r.error.cause : r.kind;
  };
  assert.equal(bad('0000006500000018'), 'bad-version');
  assert.equal(bad('0000006400000017'), 'bad-header-size');
  assert.equal(bad('0000006400100000'), 'bad-header-size');
  assert.equal(bad('0000006400000020'), 'intro'); // a larger header is allowed, its extra bytes are skipped
});

test("omshell's authenticator open decodes to ISC's fields", () => {
  const r = decodeMessage(hex(OMSHELL_OPEN_AUTHENTICATOR), 0);
  assert.equal(r.kind, 'message');
  if (r.kind !== 'message') return;
  const m = r.message;
  assert.equal(m.authid, 0);
  assert.equal(m.op, OP.open);
  assert.equal(m.handle, 0);
  assert.equal(m.rid, 0);
  assert.deepEqual(
    m.message.map((v) => v.name),
    ['type'],
  );
  assert.equal(Buffer.from(findValue(m.message, 'type')!.value!).toString(), 'authenticator');
  assert.equal(Buffer.from(findValue(m.object, 'algorithm')!.value!).toString(), 'hmac-md5.SIG-ALG.REG.INT.');
  assert.equal(r.end, OMSHELL_OPEN_AUTHENTICATOR.length / 2);
  // and encodes back to the same bytes
  const again = encodeMessage({ op: m.op, id: m.id, message: m.message, object: m.object });
  assert.equal(Buffer.from(again).toString('hex'), OMSHELL_OPEN_AUTHENTICATOR);
});

const nameArb = fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x'));
const valueArb = fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: null });
const nvArb = fc.array(
  fc.record({ name: nameArb, value: valueArb }).map((v) => ({ name: v.name, value: v.value })),
  { maxLength: 6 },
);

test('round trip: any message encodes and decodes to itself', () => {
  fc.assert(
    fc.property(
      fc.record({
        authid: fc.nat(),
        op: fc.integer({ min: 1, max: 6 }),
        handle: fc.nat(),
        id: fc.nat(),
        rid: fc.nat(),
        message: nvArb,
        object: nvArb,
      }),
      (rec) => {
        const m = { ...rec };
        const bytes = encodeMessage(m);
        const r = decodeMessage(bytes, 0);
        assert.equal(r.kind, 'message');
        if (r.kind !== 'message') return;
        assert.equal(r.end, bytes.length);
        assert.deepEqual(
          { ...r.message, message: [...r.message.message], object: [...r.message.object] },
          { ...m, signature: new Uint8Array(0) },
        );
      },
    ),
  );
});

test('round trip: a signed message carries authlen and the signature', () => {
  const signer = { length: 4, sign: (d: Uint8Array) => u32Value(d.length) };
  const bytes = encodeMessage({ authid: 7, op: OP.refresh, handle: 3, id: 9 }, signer);
  const r = decodeMessage(bytes, 0);
  assert.equal(r.kind, 'message');
  if (r.kind !== 'message') return;
  assert.equal(r.message.authid, 7);
  assert.equal(readU32(r.message.signature), bytes.length - 4 - 4); // everything after authid, before the signature
  assert.equal(r.signed.length, bytes.length - 8);
});

test('every prefix of a message is incomplete, never an error, and says how much it needs', () => {
  const bytes = encodeMessage({
    op: OP.open,
    id: 1,
    message: [{ name: 'type', value: stringValue('host') }],
    object: [
      { name: 'name', value: stringValue('h') },
      { name: 'x', value: null },
    ],
  });
  for (let n = 0; n < bytes.length; n++) {
    const r = decodeMessage(bytes.subarray(0, n), 0);
    assert.equal(r.kind, 'incomplete', `prefix ${n}`);
    if (r.kind === 'incomplete') assert.ok(r.need > n && r.need <= bytes.length, `need ${r.need} at ${n}`);
  }
});

test('a larger announced header: the extra bytes are skipped and not signed', () => {
  const base = encodeMessage({ op: OP.refresh, id: 5, handle: 2 });
  const padded = new Uint8Array(base.length + 8);
  padded.set(base.subarray(0, OMAPI_HEADER_SIZE), 0);
  padded.set([1, 2, 3, 4, 5, 6, 7, 8], OMAPI_HEADER_SIZE);
  padded.set(base.subarray(OMAPI_HEADER_SIZE), OMAPI_HEADER_SIZE + 8);
  const r = decodeMessage(padded, 0, OMAPI_HEADER_SIZE + 8);
  assert.equal(r.kind, 'message');
  if (r.kind !== 'message') return;
  assert.equal(r.message.handle, 2);
  assert.deepEqual(r.signed, base.subarray(4));
});

test('bad lengths are errors with a cause, found before the bytes arrive', () => {
  const cause = (b: Uint8Array, limits = {}) => {
    const r = decodeMessage(b, 0, OMAPI_HEADER_SIZE, limits);
    return r.kind === 'error' ? r.error.cause : r.kind;
  };
  // authlen beyond any algorithm
  assert.equal(cause(encodeMessage({ op: 1, id: 1 }, undefined, 65)), 'bad-authlen');
  assert.equal(cause(encodeMessage({ op: 1, id: 1 }, undefined, 0xffffffff)), 'bad-authlen');
  // a value length of 4 GiB - 1, with only the header of it sent
  const huge = new Uint8Array(Buffer.from(`${'00'.repeat(24)}0001610fffffff`, 'hex'));
  assert.equal(cause(huge), 'value-too-long');
  // a value that fits no message under the cap
  const big = new Uint8Array(Buffer.from(`${'00'.repeat(24)}000161000003e8`, 'hex'));
  assert.equal(cause(big, { maxMessageBytes: 1024 }), 'message-too-large');
  // a name that runs past the cap
  const longName = new Uint8Array(Buffer.from(`${'00'.repeat(24)}ffff`, 'hex'));
  assert.equal(cause(longName, { maxMessageBytes: 1024 }), 'message-too-large');
  // a header bigger than the cap
  assert.equal(decodeMessage(new Uint8Array(10), 0, 2048, { maxMessageBytes: 1024 }).kind, 'error');
  // a header size under 24
  assert.equal(decodeMessage(new Uint8Array(30), 0, 20).kind, 'error');
  // too many values
  const many: NameValue[] = Array.from({ length: 11 }, (_, i) => ({ name: `n${i}`, value: null }));
  assert.equal(cause(encodeMessage({ op: 1, id: 1, object: many }), { maxValues: 10 }), 'too-many-values');
  // a signature running past the cap
  const sig = encodeMessage({ op: 1, id: 1 }, undefined, 64);
  assert.equal(cause(sig, { maxMessageBytes: 40 }), 'message-too-large');
});

test('zero-length values are null; later duplicates replace earlier ones', () => {
  const bytes = encodeMessage({
    op: OP.update,
    id: 1,
    object: [
      { name: 'a', value: u32Value(1) },
      { name: 'b', value: null },
      { name: 'a', value: u32Value(2) },
    ],
  });
  const r = decodeMessage(bytes, 0);
  assert.equal(r.kind, 'message');
  if (r.kind !== 'message') return;
  assert.equal(r.message.object[1]!.value, null);
  assert.deepEqual(
    dedupeValues(r.message.object).map((v) => [v.name, readU32(v.value) ?? null]),
    [
      ['a', 2],
      ['b', null],
    ],
  );
  assert.equal(readU32(u32Value(0xdeadbeef)), 0xdeadbeef);
  assert.equal(readU32(Uint8Array.of(1, 2, 3)), undefined);
});

test('opcodes are ISC 4.4.3 ones', () => {
  assert.deepEqual(OP, { open: 1, refresh: 2, update: 3, notify: 4, status: 5, delete: 6 });
  assert.equal(opName(5), 'status');
  assert.equal(opName(7), undefined);
});

test('property: decoding random bytes never throws', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.integer({ min: 0, max: 64 }),
      fc.integer({ min: 0, max: 100 }),
      (bytes, hsExtra, cap) => {
        decodeIntro(bytes);
        const r = decodeMessage(bytes, 0, 24 + hsExtra, { maxMessageBytes: 24 + cap * 4 });
        if (r.kind === 'incomplete') assert.ok(r.need > bytes.length);
      },
    ),
    { numRuns: 2000 },
  );
});

test('property: random bytes after a valid message prefix never throw', () => {
  const prefix = encodeMessage({ op: OP.open, id: 1, message: [{ name: 'type', value: stringValue('host') }] });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: prefix.length }), fc.uint8Array({ maxLength: 200 }), (cut, tail) => {
      const b = new Uint8Array(cut + tail.length);
      b.set(prefix.subarray(0, cut), 0);
      b.set(tail, cut);
      decodeMessage(b, 0);
    }),
    { numRuns: 2000 },
  );
});
