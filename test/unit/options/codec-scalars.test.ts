import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalogue } from '../../../src/options/catalogue.js';
import {
  decodeOptionValue,
  encodeOptionValue,
  OptionValueError,
  tryEncodeOptionValue,
} from '../../../src/options/codec.js';
import { DDNS_STYLES, DHCP6_STATUS_CODES } from '../../../src/options/enumerations.js';
import type { OptionType } from '../../../src/options/types.js';
import { ascii, assertCodec, assertDecodeError, hex } from './helpers.js';

const cat = Catalogue.standard();
const int = (bits: 8 | 16 | 32, signed: boolean): OptionType => ({ kind: 'integer', bits, signed });

describe('addresses', () => {
  it('ip-address is 4 octets in network order', () => {
    assertCodec({ kind: 'ip-address' }, '192.0.2.1', hex('c0000201'), cat);
    assertDecodeError({ kind: 'ip-address' }, hex('c00002'), cat, /needs 4 octets/);
    assertDecodeError({ kind: 'ip-address' }, hex('c000020101'), cat, /1 octets left over/);
  });

  it('rejects malformed IPv4 text as a programming error', () => {
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', ' 1.2.3.4', 'host.example.com']) {
      assert.throws(() => encodeOptionValue({ kind: 'ip-address' }, bad, cat), OptionValueError, bad);
    }
    assert.throws(() => encodeOptionValue({ kind: 'ip-address' }, 3232235521, cat), OptionValueError);
    assert.equal(tryEncodeOptionValue({ kind: 'ip-address' }, '1.2.3', cat).ok, false);
  });

  it("ip6-address decodes to glibc inet_ntop's text, as ISC prints it", () => {
    const t: OptionType = { kind: 'ip6-address' };
    assertCodec(t, '2001:db8::1', hex('20010db8000000000000000000000001'), cat);
    assertCodec(t, '::', hex('00000000000000000000000000000000'), cat);
    assertCodec(t, '::1', hex('00000000000000000000000000000001'), cat);
    assertCodec(t, '::ffff:192.0.2.1', hex('00000000000000000000ffffc0000201'), cat);
    assertCodec(t, '::0.2.0.3', hex('00000000000000000000000000020003'), cat);
    assertCodec(t, '1:0:0:1::', hex('00010000000000010000000000000000'), cat);
    assertCodec(t, 'fe80::1:0:0:1', hex('fe800000000000000001000000000001'), cat);
    assert.deepEqual(encodeOptionValue(t, '2001:DB8:0:0:0:0:0:1', cat), hex('20010db8000000000000000000000001'));
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '12345::', ':1::', '1:2:3:4:5:6:7:8:9', '::1.2.3']) {
      assert.throws(() => encodeOptionValue(t, bad, cat), OptionValueError, bad);
    }
  });
});

describe('integers, flags, lease times, enumerations', () => {
  it('encodes every width, signed and unsigned, big-endian', () => {
    assertCodec(int(8, false), 255, hex('ff'), cat);
    assertCodec(int(8, true), -1, hex('ff'), cat);
    assertCodec(int(8, true), -128, hex('80'), cat);
    assertCodec(int(16, false), 1536, hex('0600'), cat);
    assertCodec(int(16, true), -2, hex('fffe'), cat);
    assertCodec(int(32, false), 0xffffffff, hex('ffffffff'), cat);
    assertCodec(int(32, true), -3600, hex('fffff1f0'), cat);
    assertCodec(int(32, true), 0x7fffffff, hex('7fffffff'), cat);
  });

  it('rejects integers out of range or not integers', () => {
    for (const [t, v] of [
      [int(8, false), 256],
      [int(8, true), 128],
      [int(16, false), -1],
      [int(32, true), 0x80000000],
      [int(32, false), 1.5],
      [int(16, false), '7'],
    ] as const) {
      assert.throws(() => encodeOptionValue(t, v, cat), OptionValueError, `${v}`);
    }
  });

  it('decodes any non-zero octet as true, as ISC does', () => {
    assertCodec({ kind: 'boolean' }, true, hex('01'), cat);
    assertCodec({ kind: 'boolean' }, false, hex('00'), cat);
    assert.deepEqual(decodeOptionValue({ kind: 'boolean' }, hex('02'), cat), { ok: true, value: true });
  });

  it('lease-time is an unsigned 32-bit count of seconds', () => {
    assertCodec({ kind: 'lease-time' }, 3600, hex('00000e10'), cat);
    assertCodec({ kind: 'lease-time' }, 0xffffffff, hex('ffffffff'), cat);
  });

  it('enumerations decode to names, or to the number when it has no name', () => {
    const ddns: OptionType = { kind: 'enumeration', enumeration: DDNS_STYLES };
    assertCodec(ddns, 'interim', hex('02'), cat);
    assertCodec(ddns, 7, hex('07'), cat);
    assert.deepEqual(encodeOptionValue(ddns, 3, cat), hex('03'));
    assert.throws(() => encodeOptionValue(ddns, 'Interim', cat), OptionValueError);
    const status: OptionType = { kind: 'enumeration', enumeration: DHCP6_STATUS_CODES };
    assertCodec(status, 'NoAddrsAvail', hex('0002'), cat);
  });
});

describe('text and data', () => {
  it('text keeps every octet: values are byte strings', () => {
    assertCodec({ kind: 'text' }, 'maison.mrs', hex('6d6169736f6e2e6d7273'), cat);
    assertCodec({ kind: 'text' }, 'caf\xe9\0', hex('636166e900'), cat);
    assertCodec({ kind: 'text' }, '', hex(''), cat);
    assert.throws(() => encodeOptionValue({ kind: 'text' }, 'caf\u20ac', cat), /U\+00FF/);
  });

  it('string is raw octets, copied out of the packet', () => {
    const packet = Buffer.from('ff0102ff', 'hex');
    const r = decodeOptionValue({ kind: 'string' }, packet.subarray(1, 3), cat);
    packet[1] = 0x99;
    assert.deepEqual(r, { ok: true, value: hex('0102') });
    assert.throws(() => encodeOptionValue({ kind: 'string' }, 'text', cat), OptionValueError);
  });

  it('space and key names are text on the wire', () => {
    assertCodec({ kind: 'space-name' }, 'SUNW', ascii('SUNW'), cat);
    assertCodec({ kind: 'key-name' }, 'omapi-key', ascii('omapi-key'), cat);
  });

  it('zero-length carries no octets and has the value true', () => {
    assertCodec({ kind: 'zero-length' }, true, hex(''), cat);
    assertDecodeError({ kind: 'zero-length' }, hex('00'), cat, /left over/);
    assert.throws(() => encodeOptionValue({ kind: 'zero-length' }, false, cat), OptionValueError);
  });
});
