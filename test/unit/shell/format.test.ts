import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatObject, formatTime, formatValue, hexOrString } from '../../../src/shell/format.js';

const data = (...b: number[]) => ({ kind: 'data' as const, bytes: Uint8Array.from(b) });

test('raw: omshell print_hex_or_string, %d integers, quoted strings, <null>', () => {
  assert.equal(hexOrString(Uint8Array.of(0xc0, 0, 2, 10)), 'c0:00:02:0a');
  assert.equal(hexOrString(Uint8Array.from(Buffer.from('pc1'))), '"pc1"');
  assert.equal(formatValue('lease', 'state', data(0, 0, 0, 2), true), '00:00:00:02');
  assert.equal(formatValue('lease', 'ip-address', data(192, 0, 2, 10), true), 'c0:00:02:0a');
  assert.equal(formatValue('host', 'x', { kind: 'int', n: 0xffffffff }, true), '-1');
  assert.equal(formatValue('host', 'name', { kind: 'string', text: 'a' }, true), '"a"');
  assert.equal(formatValue('host', 'name', null, true), '<null>');
});

test('readable: dotted quads, dates, state names, integers; other bytes as omshell', () => {
  assert.equal(formatValue('lease', 'ip-address', data(192, 0, 2, 10), false), '192.0.2.10');
  assert.equal(formatValue('lease', 'state', data(0, 0, 0, 2), false), 'active');
  assert.equal(formatValue('lease', 'state', data(0, 0, 0, 5), false), 'abandoned');
  assert.equal(formatValue('control', 'state', data(0, 0, 0, 2), false), '2');
  assert.equal(formatValue('lease', 'hardware-type', data(0, 0, 0, 1), false), '1');
  assert.equal(formatValue('lease', 'ends', data(0x65, 0x53, 0xf1, 0x00), false), '2023-11-14 22:13:20 UTC');
  assert.equal(formatTime(0xffffffff), 'never');
  assert.equal(
    formatValue('lease', 'hardware-address', data(0x52, 0x54, 0, 0x12, 0x34, 0x56), false),
    '52:54:00:12:34:56',
  );
  assert.equal(formatValue('host', 'name', data(0x70, 0x63), false), '"pc"');
});

test('objects print as omshell prints them', () => {
  assert.equal(formatObject(undefined, undefined, false), 'obj: <null>\n');
  assert.equal(
    formatObject(
      'host',
      [
        { name: 'name', value: { kind: 'string', text: 'pc1' } },
        { name: 'ip-address', value: data(192, 0, 2, 20) },
      ],
      true,
    ),
    'obj: host\nname = "pc1"\nip-address = c0:00:02:14\n',
  );
});
