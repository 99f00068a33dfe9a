import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage, maxPayloadSize } from '../../../src/wire/encode.js';
import { type DhcpMessage, fieldText, type OutgoingMessage, textField } from '../../../src/wire/message.js';
import { loadFixture } from './fixtures.js';

function decode(bytes: Uint8Array): DhcpMessage {
  const r = decodeMessage(bytes);
  if (!r.ok) assert.fail(`${r.error.cause}: ${r.error.detail}`);
  return r.message;
}

function filled(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 255);
}

const chaddr = new Uint8Array([2, 0, 0, 0, 0, 1]);
const reply = (options: [number, Uint8Array][], extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  op: 2,
  xid: 0xabcdef01,
  chaddr,
  options: [[53, new Uint8Array([5])], ...options],
  ...extra,
});

describe('encodeMessage: basics', () => {
  it('writes the header, cookie, options and END, padded to the 300-byte BOOTP minimum', () => {
    const { bytes, dropped, overload } = encodeMessage(reply([[1, new Uint8Array([255, 255, 255, 0])]]));
    assert.equal(bytes.length, 300);
    assert.deepEqual(dropped, []);
    assert.equal(overload, 0);
    assert.deepEqual([...bytes.subarray(236, 250)], [99, 130, 83, 99, 53, 1, 5, 1, 4, 255, 255, 255, 0, 255]);
    assert.ok(bytes.subarray(250).every((b) => b === 0));
    const m = decode(bytes);
    assert.equal(m.xid, 0xabcdef01);
    assert.equal(m.hlen, 6);
    assert.equal(m.htype, 1);
  });

  it('can skip the padding', () => {
    assert.equal(encodeMessage(reply([]), { minSize: 0 }).bytes.length, 244);
  });

  it('splits values over 255 bytes into consecutive instances (RFC 3396)', () => {
    const long = filled(600, 1);
    const { bytes, dropped } = encodeMessage(reply([[121, long]]), { maxMessageSize: 1500 });
    assert.deepEqual(dropped, []);
    assert.deepEqual([bytes[243], bytes[244]], [121, 255]);
    assert.deepEqual([bytes[243 + 257], bytes[244 + 257]], [121, 255]);
    assert.deepEqual([bytes[243 + 514], bytes[244 + 514]], [121, 90]);
    assert.deepEqual(decode(bytes).options.get(121), long);
  });

  it('merges a code listed twice, ignores 52 and refuses codes 0, 255 and 256', () => {
    const m = decode(
      encodeMessage(
        reply([
          [6, new Uint8Array([1, 2, 3, 4])],
          [52, new Uint8Array([3])],
          [6, new Uint8Array([5, 6, 7, 8])],
        ]),
      ).bytes,
    );
    assert.deepEqual([...m.options.get(6)!], [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(m.overload, 0);
    for (const code of [0, 255, 256, 1.5]) {
      assert.throws(() => encodeMessage(reply([[code, new Uint8Array(1)]])), RangeError);
    }
  });

  it('refuses fields larger than the header allows', () => {
    assert.throws(() => encodeMessage({ op: 1, chaddr: new Uint8Array(17) }), RangeError);
    assert.throws(() => encodeMessage({ op: 2, sname: new Uint8Array(65) }), RangeError);
    assert.throws(() => encodeMessage({ op: 2, file: new Uint8Array(129) }), RangeError);
    assert.throws(() => textField('x'.repeat(64), 64), RangeError);
    assert.throws(() => encodeMessage({ op: 1, hlen: 17 }), RangeError);
    assert.throws(() => encodeMessage({ op: 1, secs: 0x10000 }), RangeError);
    assert.throws(() => encodeMessage({ op: 1, xid: -1 }), RangeError);
    assert.throws(() => encodeMessage({ op: 256 }), RangeError);
  });
});

describe('encodeMessage: maximum size and overload', () => {
  it('floors the maximum at 576 (548 bytes of DHCP) and honours larger ones', () => {
    assert.equal(maxPayloadSize(), 548);
    assert.equal(maxPayloadSize(300), 548);
    assert.equal(maxPayloadSize(Number.NaN), 548);
    assert.equal(maxPayloadSize(1500), 1472);
    assert.equal(maxPayloadSize(100000), 65507);
    const big = reply([[43, filled(1000, 2)]], { file: textField('pxelinux.0', 128), sname: textField('tftp', 64) });
    const small = encodeMessage(big, { maxMessageSize: 300 });
    assert.deepEqual(small.dropped, [43]);
    assert.ok(small.bytes.length <= 548);
    const large = encodeMessage(big, { maxMessageSize: 1500 });
    assert.deepEqual(large.dropped, []);
    assert.ok(large.bytes.length <= 1472);
    assert.equal(large.bytes.length, 240 + 3 + 1000 + 4 * 2 + 1);
  });

  it('overflows into file, then sname, writing option 52 and END in each used field', () => {
    // 307 bytes fit in the options field of a 548-byte message; these need 3 + 252 + 102 + 62.
    const a = filled(250, 3);
    const b = filled(100, 4);
    const c = filled(60, 5);
    const { bytes, dropped, overload } = encodeMessage(
      reply([
        [43, a],
        [77, b],
        [60, c],
      ]),
    );
    assert.deepEqual(dropped, []);
    assert.equal(overload, 3);
    assert.ok(bytes.length <= 548);
    assert.deepEqual([bytes[108], bytes[109]], [77, 100], 'b went to file');
    assert.equal(bytes[108 + 102], 255);
    assert.deepEqual([bytes[44], bytes[45]], [60, 60], 'c went to sname');
    assert.equal(bytes[44 + 62], 255);
    const at = 240 + 3 + 252;
    assert.deepEqual([...bytes.subarray(at, at + 4)], [52, 1, 3, 255], 'option 52 closes the options field');
    const m = decode(bytes);
    assert.deepEqual([...m.options.keys()], [53, 43, 77, 60]);
    assert.deepEqual(m.options.get(43), a);
    assert.deepEqual(m.options.get(77), b);
    assert.deepEqual(m.options.get(60), c);
  });

  it('splits a long option across options, file and sname in RFC 3396 order', () => {
    const long = filled(480, 6);
    const { bytes, dropped, overload } = encodeMessage(reply([[119, long]]));
    assert.deepEqual(dropped, []);
    assert.equal(overload, 3);
    assert.deepEqual(decode(bytes).options.get(119), long);
  });

  it('leaves a field that carries a boot file or server name alone', () => {
    const file = textField('pxelinux.0', 128);
    const { bytes, dropped, overload } = encodeMessage(
      reply(
        [
          [43, filled(250, 7)],
          [77, filled(60, 8)],
        ],
        { file },
      ),
    );
    assert.deepEqual(dropped, []);
    assert.equal(overload, 2);
    const m = decode(bytes);
    assert.equal(fieldText(m.file), 'pxelinux.0');
    assert.equal(m.options.get(77)?.length, 60);
  });

  it('reports what does not fit, keeping earlier options first and later small ones that still fit', () => {
    const names = { file: textField('boot.img', 128), sname: textField('tftp', 64) };
    const { bytes, dropped, overload } = encodeMessage(
      reply(
        [
          [43, filled(250, 9)],
          [77, filled(100, 10)],
          [12, filled(20, 11)],
          [119, filled(400, 12)],
        ],
        names,
      ),
    );
    assert.deepEqual(dropped, [77, 119]);
    assert.equal(overload, 0);
    assert.ok(bytes.length <= 548);
    assert.deepEqual([...decode(bytes).options.keys()], [53, 43, 12]);
  });

  it('does not overload when told not to', () => {
    const r = encodeMessage(
      reply([
        [43, filled(250, 1)],
        [77, filled(100, 2)],
      ]),
      { allowOverload: false },
    );
    assert.deepEqual(r.dropped, [77]);
    assert.equal(r.overload, 0);
  });

  it('gives the room to whichever option is listed first', () => {
    const names = { file: textField('boot.img', 128), sname: textField('tftp', 64) };
    const x = filled(200, 1);
    const y = filled(200, 2);
    assert.deepEqual(
      encodeMessage(
        reply(
          [
            [43, x],
            [77, y],
          ],
          names,
        ),
      ).dropped,
      [77],
    );
    assert.deepEqual(
      encodeMessage(
        reply(
          [
            [77, y],
            [43, x],
          ],
          names,
        ),
      ).dropped,
      [43],
    );
  });

  it('treats fields a decoded message used for options as empty', () => {
    const m = decode(loadFixture('overload-both'));
    const again = decode(encodeMessage(m).bytes);
    assert.equal(again.overload, 0, 'small enough to fit the options field now');
    assert.deepEqual([...again.options], [...m.options]);
    assert.equal(fieldText(again.sname), '');
    assert.equal(fieldText(again.file), '');
  });
});

describe('encodeMessage: BOOTP and buffers', () => {
  it('gives a BOOTP client 300 bytes with a 64-byte vendor area and never overloads', () => {
    const r = encodeMessage(
      reply([
        [1, filled(4, 1)],
        [3, filled(4, 2)],
        [43, filled(50, 3)],
      ]),
      { bootp: true },
    );
    assert.equal(r.bytes.length, 300);
    assert.deepEqual(r.dropped, [43]);
    assert.equal(r.overload, 0);
  });

  it('round-trips a raw BOOTP vendor area', () => {
    const original = loadFixture('bootp-no-cookie');
    const m = decode(original);
    assert.deepEqual(encodeMessage(m).bytes, original);
    assert.throws(() => encodeMessage({ op: 1, vendor: new Uint8Array(4), options: [[1, new Uint8Array(4)]] }));
  });

  it('encodes into a reused buffer without leftovers from the previous message', () => {
    const buffer = new Uint8Array(maxPayloadSize());
    const first = encodeMessage(reply([[43, filled(500, 1)]], { file: textField('x', 128) }), { buffer });
    assert.equal(first.bytes.buffer, buffer.buffer);
    const second = encodeMessage(reply([[1, filled(4, 2)]]), { buffer });
    const fresh = encodeMessage(reply([[1, filled(4, 2)]]));
    assert.deepEqual(second.bytes, fresh.bytes);
    assert.throws(() => encodeMessage(reply([]), { buffer: new Uint8Array(300) }), RangeError);
  });
});
