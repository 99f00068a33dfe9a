import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalogue } from '../../../src/options/catalogue.js';
import { decodeOptionValue, encodeOptionValue, OptionValueError } from '../../../src/options/codec.js';
import type { OptionType } from '../../../src/options/types.js';
import { ascii, assertCodec, assertDecodeError, hex } from './helpers.js';

const cat = Catalogue.standard();
const search: OptionType = { kind: 'domain-list', compressed: true };
const plainList: OptionType = { kind: 'domain-list', compressed: false };

describe('domain names', () => {
  it('domain-name is one RFC 1035 name', () => {
    assertCodec({ kind: 'domain-name' }, 'example.com', hex('076578616d706c6503636f6d00'), cat);
    assertCodec({ kind: 'domain-name' }, '', hex('00'), cat);
    assert.deepEqual(
      encodeOptionValue({ kind: 'domain-name' }, 'example.com.', cat),
      hex('076578616d706c6503636f6d00'),
    );
  });

  it('option 119 compresses with pointers from the start of the option (RFC 3397 example)', () => {
    const octets = hex('03 656e67 05 6170706c65 03 636f6d 00  09 6d61726b6574696e67 c004');
    assertCodec(search, ['eng.apple.com', 'marketing.apple.com'], octets, cat);
    assertCodec(
      plainList,
      ['eng.apple.com', 'marketing.apple.com'],
      hex('03656e67056170706c6503636f6d00 096d61726b6574696e67056170706c6503636f6d00'),
      cat,
    );
    // An uncompressed type still follows pointers when decoding (dhcp-options(5)).
    assert.deepEqual(decodeOptionValue(plainList, octets, cat), {
      ok: true,
      value: ['eng.apple.com', 'marketing.apple.com'],
    });
  });

  it('compresses a whole repeated name to a single pointer', () => {
    assertCodec(search, ['a.com', 'a.com'], hex('0161 03636f6d 00 c000'), cat);
  });

  it('escapes label octets that would be ambiguous in text', () => {
    assertCodec({ kind: 'domain-name' }, 'a\\.b.c\\032d', hex('03612e62 03632064 00'), cat);
  });

  it('refuses pointer loops and pointers that do not go back', () => {
    assertDecodeError(search, hex('c000'), cat, /backwards/);
    assertDecodeError(search, hex('0161c000'), cat, /backwards/);
    assertDecodeError(search, hex('0161 00 0162 c004'), cat, /backwards/);
    assertDecodeError(search, hex('0161 00 0162 c005'), cat, /backwards/);
    assertDecodeError(search, hex('0161 00 0162 c0'), cat, /truncated/);
    assertDecodeError(search, hex('0561'), cat, /past the end/);
    assertDecodeError(search, hex('0161'), cat, /past the end/);
    assertDecodeError(search, hex('4161'), cat, /label length/);
    assertDecodeError({ kind: 'domain-name' }, hex('0161c000'), cat, /uncompressed/);
  });

  it('follows chains of pointers that each go further back', () => {
    // "a.com" at 0, "b" + ptr->0 at 7, "c" + ptr->7 at 11
    assertCodec(search, ['a.com', 'b.a.com', 'c.b.a.com'], hex('0161 03636f6d 00 0162 c000 0163 c007'), cat);
  });

  it('rejects names over 255 octets and labels over 63', () => {
    assert.throws(() => encodeOptionValue({ kind: 'domain-name' }, 'a'.repeat(64), cat), /63/);
    const long = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
    assert.throws(() => encodeOptionValue({ kind: 'domain-name' }, long, cat), /255/);
  });
});

describe('classless static routes (RFC 3442)', () => {
  const routes: OptionType = { kind: 'array', of: { kind: 'classless-route' } };

  it('encodes the RFC destination descriptors', () => {
    const r = (destination: string, prefixLength: number) => ({ destination, prefixLength, router: '10.0.0.1' });
    assertCodec(
      routes,
      [
        r('0.0.0.0', 0),
        r('10.0.0.0', 8),
        r('10.17.0.0', 16),
        r('10.27.129.0', 24),
        r('10.229.0.128', 25),
        r('10.198.122.47', 32),
      ],
      hex(
        '00 0a000001  08 0a 0a000001  10 0a11 0a000001  18 0a1b81 0a000001  19 0ae50080 0a000001  20 0ac67a2f 0a000001',
      ),
      cat,
    );
  });

  it('clears destination bits past the prefix', () => {
    const v = [{ destination: '10.1.2.3', prefixLength: 12, router: '192.0.2.1' }];
    assert.deepEqual(encodeOptionValue(routes, v, cat), hex('0c 0a00 c0000201'));
    assert.deepEqual(decodeOptionValue(routes, hex('0c 0a0f c0000201'), cat), {
      ok: true,
      value: [{ destination: '10.0.0.0', prefixLength: 12, router: '192.0.2.1' }],
    });
  });

  it('rejects bad widths and short data', () => {
    assertDecodeError(routes, hex('21 0a000000 00 0a000001'), cat, /over 32/);
    assertDecodeError(routes, hex('18 0a0b0c 0a0000'), cat, /past the end/);
    assert.throws(() =>
      encodeOptionValue(routes, [{ destination: '10.0.0.0', prefixLength: 33, router: '1.1.1.1' }], cat),
    );
  });
});

describe('records and arrays', () => {
  it('records: option contrived-001 code 201 = { boolean, integer 32, text } (dhcp-options(5))', () => {
    const t: OptionType = {
      kind: 'record',
      fields: [{ kind: 'boolean' }, { kind: 'integer', bits: 32, signed: true }, { kind: 'text' }],
    };
    assertCodec(t, [true, 1772, 'contrivance'], hex(`01 000006ec ${Buffer.from('contrivance').toString('hex')}`), cat);
    assert.deepEqual(encodeOptionValue(t, [true, 1772], cat), hex('01 000006ec'), 'a trailing text may be left out');
    assert.throws(() => encodeOptionValue(t, [true], cat), /missing field 2/);
    assert.throws(() => encodeOptionValue(t, [true, 1, 'x', 'y'], cat), /3 fields/);
  });

  it('arrays of records: option new-static-routes = array of { ip-address, ip-address, ip-address, integer 8 }', () => {
    const t: OptionType = {
      kind: 'array',
      of: {
        kind: 'record',
        fields: [
          { kind: 'ip-address' },
          { kind: 'ip-address' },
          { kind: 'ip-address' },
          { kind: 'integer', bits: 8, signed: false },
        ],
      },
    };
    assertCodec(
      t,
      [
        ['10.0.0.0', '255.255.255.0', '10.0.0.1', 1],
        ['10.2.0.0', '255.255.224.0', '10.2.0.1', 3],
      ],
      hex('0a000000 ffffff00 0a000001 01  0a020000 ffffe000 0a020001 03'),
      cat,
    );
    assertDecodeError(t, hex('0a000000 ffffff00 0a000001'), cat, /needs 1 octets/);
  });

  it('a record whose last field is an array: slp-directory-agent (fIa)', () => {
    const t = cat.byName('dhcp', 'slp-directory-agent')?.type as OptionType;
    assertCodec(t, [true, ['192.0.2.1', '192.0.2.2']], hex('01 c0000201 c0000202'), cat);
  });

  it('an array of addresses must hold whole addresses', () => {
    const t = cat.byName('dhcp', 'routers')?.type as OptionType;
    assertCodec(t, ['192.0.2.1', '192.0.2.2'], hex('c0000201c0000202'), cat);
    assertCodec(t, [], hex(''), cat);
    assertDecodeError(t, hex('c0000201c00002'), cat, /needs 4 octets/);
  });
});

describe('encapsulated spaces', () => {
  it('decodes the dhcp-options(5) SUNW vendor-encapsulated-options example', () => {
    const c = Catalogue.standard();
    c.defineSpace({ name: 'SUNW', codeWidth: 1, lengthWidth: 1 });
    c.define({ space: 'SUNW', name: 'server-address', code: 2, type: { kind: 'ip-address' } });
    c.define({ space: 'SUNW', name: 'server-name', code: 3, type: { kind: 'text' } });
    c.define({ space: 'SUNW', name: 'root-path', code: 4, type: { kind: 'text' } });
    const octets = hex(
      '2:4:AC:11:41:1:3:12:73:75:6e:64:68:63:70:2d:73:65:72:76:65:72:31:37:2d:31:4:12:2f:65:78:70:6f:72:74:2f:72:6f:6f:74:2f:69:38:36:70:63'
        .split(':')
        .map((b) => b.padStart(2, '0'))
        .join(''),
    );
    assertCodec(
      { kind: 'encapsulate', space: 'SUNW' },
      [
        { code: 2, value: '172.17.65.1' },
        { code: 3, value: 'sundhcp-server17-1' },
        { code: 4, value: '/export/root/i86pc' },
      ],
      octets,
      c,
    );
    // Option 43 itself is ISC's "E.": without a vendor space its sub-options stay raw.
    const v43 = c.byName('dhcp', 'vendor-encapsulated-options')?.type as OptionType;
    assert.deepEqual(v43, { kind: 'encapsulate', space: '' });
    const r = decodeOptionValue(v43, octets, c);
    assert.ok(r.ok);
    assert.deepEqual(r.value, [
      { code: 2, value: hex('ac114101') },
      { code: 3, value: ascii('sundhcp-server17-1') },
      { code: 4, value: ascii('/export/root/i86pc') },
    ]);
    assert.deepEqual(encodeOptionValue(v43, octets, c), octets, 'raw octets are accepted as the value');
  });

  it('skips pad and stops at end in 1-octet-code spaces, unless the space defines those codes', () => {
    const t: OptionType = { kind: 'encapsulate', space: '' };
    assert.deepEqual(decodeOptionValue(t, hex('00 0101 05 ff 0201 09'), cat), {
      ok: true,
      value: [{ code: 1, value: hex('05') }],
    });
    const c = Catalogue.standard();
    c.defineSpace({ name: 'ztp', codeWidth: 1, lengthWidth: 1 });
    c.define({ space: 'ztp', name: 'image-file-name', code: 0, type: { kind: 'text' } });
    assertCodec(
      { kind: 'encapsulate', space: 'ztp' },
      [{ code: 0, value: 'junos.tgz' }],
      hex(`00 09 ${Buffer.from('junos.tgz').toString('hex')}`),
      c,
    );
  });

  it('splits long sub-options and joins repeated codes (RFC 3396)', () => {
    const t: OptionType = { kind: 'encapsulate', space: 'agent' };
    const long = new Uint8Array(300).fill(7);
    const octets = encodeOptionValue(t, [{ code: 1, value: long }], cat);
    assert.equal(octets.length, 2 + 255 + 2 + 45);
    assert.deepEqual([octets[0], octets[1], octets[257], octets[258]], [1, 255, 1, 45]);
    assert.deepEqual(decodeOptionValue(t, octets, cat), { ok: true, value: [{ code: 1, value: long }] });
  });

  it('relay agent information (82): typed where the agent space knows the code', () => {
    const t = cat.byName('dhcp', 'relay-agent-information')?.type as OptionType;
    assertCodec(
      t,
      [
        { code: 1, value: ascii('eth0:12') },
        { code: 2, value: hex('001122334455') },
        { code: 5, value: '192.0.2.0' },
        { code: 19, value: true },
        { code: 9, value: hex('000000090102') },
      ],
      hex(`01 07 ${Buffer.from('eth0:12').toString('hex')} 02 06 001122334455 05 04 c0000200 13 00 09 06 000000090102`),
      cat,
    );
    assertDecodeError(t, hex('01 07 6574'), cat, /runs past/);
    assertDecodeError(t, hex('01'), cat, /no length/);
    assert.throws(() => encodeOptionValue(t, [{ code: 9, value: 'x' }], cat), OptionValueError);
  });

  it('VIVSO (125): enterprise numbers, then ISC 2495 with 2-octet codes and lengths', () => {
    const t = cat.byName('dhcp', 'vivso')?.type as OptionType;
    assertCodec(
      t,
      [{ code: 2495, value: [{ code: 1, value: 'media' }] }],
      hex('000009bf 09  0001 0005 6d65646961'),
      cat,
    );
  });

  it('length width 0 spaces (vsio): one enterprise whose data runs to the end', () => {
    const c = Catalogue.standard();
    c.defineSpace({ name: 'docsis', codeWidth: 2, lengthWidth: 2 });
    c.define({ space: 'docsis', name: 'tftp-servers', code: 32, type: { kind: 'array', of: { kind: 'ip6-address' } } });
    c.define({ space: 'vsio', name: 'docsis', code: 4491, type: { kind: 'encapsulate', space: 'docsis' } });
    assertCodec(
      { kind: 'encapsulate', space: 'vsio' },
      [{ code: 4491, value: [{ code: 32, value: ['::1'] }] }],
      hex('0000118b 0020 0010 00000000000000000000000000000001'),
      c,
    );
  });

  it('bounds the nesting of a space that encapsulates itself', () => {
    const c = Catalogue.standard();
    c.defineSpace({ name: 'nest', codeWidth: 1, lengthWidth: 1 });
    c.define({ space: 'nest', name: 'inner', code: 1, type: { kind: 'encapsulate', space: 'nest' } });
    // 20 levels: 01 len (01 len (... 01 00))
    let octets = hex('0100');
    for (let i = 0; i < 19; i++) octets = Uint8Array.from([1, octets.length, ...octets]);
    const t: OptionType = { kind: 'encapsulate', space: 'nest' };
    const r = decodeOptionValue(t, octets, c);
    assert.ok(r.ok);
    let level: unknown = r.value;
    let levels = 0;
    while (Array.isArray(level)) {
      level = (level[0] as { value: unknown }).value;
      levels++;
    }
    assert.equal(levels, 8);
    assert.ok(level instanceof Uint8Array, 'the rest is kept raw');
    assert.deepEqual(encodeOptionValue(t, r.value, c), octets);
  });

  it('keeps a known sub-option whose data does not fit its type as raw octets', () => {
    const t: OptionType = { kind: 'encapsulate', space: 'agent' };
    assertCodec(t, [{ code: 5, value: hex('c00002') }], hex('05 03 c00002'), cat);
  });
});

describe('client FQDN (81), the virtual fqdn space', () => {
  const t = cat.byName('dhcp', 'fqdn')?.type as OptionType;

  it('decodes an ASCII name into flags, rcodes and host/domain parts', () => {
    assertCodec(
      t,
      [
        { code: 1, value: false },
        { code: 2, value: true },
        { code: 3, value: false },
        { code: 4, value: 0 },
        { code: 5, value: 0 },
        { code: 6, value: 'host' },
        { code: 7, value: 'example.com' },
        { code: 8, value: 'host.example.com' },
      ],
      hex(`01 00 00 ${Buffer.from('host.example.com').toString('hex')}`),
      cat,
    );
  });

  it('decodes a name in DNS form (E bit), and drops a NUL terminator on ASCII names', () => {
    const r = decodeOptionValue(t, hex('05 ff ff 04686f7374 076578616d706c65 03636f6d 00'), cat);
    assert.ok(r.ok);
    assert.deepEqual(r.value, [
      { code: 1, value: false },
      { code: 2, value: true },
      { code: 3, value: true },
      { code: 4, value: 255 },
      { code: 5, value: 255 },
      { code: 6, value: 'host' },
      { code: 7, value: 'example.com' },
      { code: 8, value: 'host.example.com' },
    ]);
    assert.deepEqual(encodeOptionValue(t, r.value, cat), hex('05 ff ff 04686f7374 076578616d706c65 03636f6d 00'));
    const nul = decodeOptionValue(t, hex('00 00 00 686f737400'), cat);
    assert.ok(nul.ok && Array.isArray(nul.value));
    assert.deepEqual(nul.value.slice(5), [
      { code: 6, value: 'host' },
      { code: 8, value: 'host' },
    ]);
  });

  it('encodes from the flags and fqdn.fqdn only, as ISC does', () => {
    assert.deepEqual(
      encodeOptionValue(
        t,
        [
          { code: 2, value: true },
          { code: 8, value: 'pc.example.org' },
          { code: 6, value: 'ignored' },
        ],
        cat,
      ),
      hex(`01 00 00 ${Buffer.from('pc.example.org').toString('hex')}`),
    );
    assertDecodeError(t, hex('0100'), cat, /shorter than 3/);
    assertDecodeError(t, hex('04 00 00 0568'), cat, /past the end/);
  });
});
