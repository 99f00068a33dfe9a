// ISC's option layout (cons_options/store_options): area sizes, which field each option lands in, the
// hunks of long options, what is rolled back, option 52 and option 82.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optionAreaSize, packOptions } from '../../../src/server/reply-pack.js';

const bytes = (n: number, fill = 0x61): Uint8Array => new Uint8Array(n).fill(fill);

/** Options of one field in wire order (code, length), up to END. */
function fieldCodes(buf: Uint8Array, start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = start; i < end && buf[i] !== 255; ) {
    if (buf[i] === 0) {
      i++;
      continue;
    }
    out.push([buf[i]!, buf[i + 1]!]);
    i += 2 + buf[i + 1]!;
  }
  return out;
}

test('option area: 312 by default and below 576, mms - 264 up to 1236; BOOTP 64 or its own vendor area', () => {
  assert.equal(optionAreaSize(0, false, 300), 312);
  assert.equal(optionAreaSize(300, false, 300), 312);
  assert.equal(optionAreaSize(576, false, 300), 312);
  assert.equal(optionAreaSize(1000, false, 300), 736);
  assert.equal(optionAreaSize(1500, false, 300), 1236);
  assert.equal(optionAreaSize(9000, false, 300), 1236);
  assert.equal(optionAreaSize(0, true, 300), 64);
  assert.equal(optionAreaSize(0, true, 250), 64);
  assert.equal(optionAreaSize(0, true, 400), 164);
  assert.equal(optionAreaSize(576, true, 300), 312);
});

test('a BOOTP reply in 64 bytes (ISC reference, rich config): what does not fit goes to sname, root-path is rolled back', () => {
  const buf = new Uint8Array(1472);
  const codes = [1, 3, 6, 17, 19, 2, 119, 26, 42, 15, 250];
  const sizes = [4, 4, 4, 190, 1, 4, 38, 2, 4, 14, 4];
  const packed = packOptions(
    buf,
    codes.map((c, i) => [c, bytes(sizes[i]!)] as const),
    43,
    undefined,
    64,
    2, // a filename is set: sname only
  );
  assert.deepEqual(
    fieldCodes(buf, 240, packed.end).map(([c]) => c),
    [1, 3, 6, 19, 2, 26, 42, 15, 52],
  );
  assert.deepEqual(fieldCodes(buf, 44, 108), [
    [119, 38],
    [250, 4],
  ]);
  assert.equal(packed.overload, 2);
  assert.deepEqual(packed.dropped, [17]);
  assert.equal(buf[44 + 46], 255, 'END after the last sname option, zeros after it');
  assert.ok(buf.subarray(44 + 47, 108).every((b) => b === 0));
  assert.equal(packed.end, 236 + 4 + 53 + 3 + 1);
});

test('the last entry of the priority list may use the 3 bytes kept for option 52', () => {
  const buf = new Uint8Array(1472);
  // 312 - 4 (cookie) = 308 bytes: 300 taken, an 8-byte option needs 2+6 < 308 only when it is last.
  const big = bytes(255);
  const filler = bytes(41);
  const six = bytes(4);
  let p = packOptions(
    buf,
    [
      [200, big],
      [201, filler],
      [202, six],
    ],
    202,
    undefined,
    312,
    0,
  );
  assert.deepEqual(p.dropped, []);
  p = packOptions(
    buf,
    [
      [200, big],
      [201, filler],
      [202, six],
    ],
    203,
    undefined,
    312,
    0,
  );
  assert.deepEqual(p.dropped, [202]);
});

test('options over 255 bytes are cut into 255-byte hunks (RFC 3396)', () => {
  const buf = new Uint8Array(1472);
  const p = packOptions(buf, [[17, bytes(300)]], 17, undefined, 1236, 0);
  assert.deepEqual(fieldCodes(buf, 240, p.end), [
    [17, 255],
    [17, 45],
  ]);
});

test("option 82's room is set aside: it goes back last even when the area is full", () => {
  const buf = new Uint8Array(1472);
  const agent = bytes(20, 1);
  const many = Array.from({ length: 20 }, () => bytes(20));
  const codes = many.map((_, i) => 200 + i);
  const p = packOptions(
    buf,
    codes.map((c, i) => [c, many[i]!] as const),
    219,
    agent,
    312,
    0,
  );
  const field = fieldCodes(buf, 240, p.end);
  assert.deepEqual(field.at(-1), [82, 20]);
  assert.ok(p.dropped.length > 0 && !p.dropped.includes(82));
  assert.ok(p.end - 236 <= 312 + 22);
});

test('free file and sname fields take options in that order, with option 52 after the options', () => {
  const buf = new Uint8Array(1472).fill(0xee); // a reused buffer: every byte of the fields is rewritten
  const codes = [200, 201, 202, 203];
  const datas = [bytes(250), bytes(100), bytes(50), bytes(40)];
  const p = packOptions(
    buf,
    codes.map((c, i) => [c, datas[i]!] as const),
    203,
    undefined,
    312,
    3,
  );
  assert.equal(p.overload, 3);
  assert.deepEqual(fieldCodes(buf, 108, 236), [[201, 100]]);
  assert.deepEqual(fieldCodes(buf, 44, 108), [[203, 40]]);
  const main = fieldCodes(buf, 240, p.end);
  assert.deepEqual(
    main.map(([c]) => c),
    [200, 202, 52],
  );
  assert.ok(buf.subarray(108 + 103, 236).every((b) => b === 0));
});
