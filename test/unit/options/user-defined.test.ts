// The definitions of dhcp-options(5) "DEFINING NEW OPTIONS", one per type, as a configuration would make
// them: define, then encode, decode and format values through the catalogue.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalogue } from '../../../src/options/catalogue.js';
import { decodeOptionValue, encodeOptionValue } from '../../../src/options/codec.js';
import { formatOptionValue } from '../../../src/options/format.js';
import type { OptionType, OptionValue } from '../../../src/options/types.js';
import { ascii, hex } from './helpers.js';

interface Case {
  name: string;
  code: number;
  type: OptionType;
  value: OptionValue;
  octets: string;
  conf: string;
  env: string;
  space?: string;
}

const u8: OptionType = { kind: 'integer', bits: 8, signed: false };
const ip: OptionType = { kind: 'ip-address' };

const CASES: Case[] = [
  {
    name: 'xgrid-controller',
    code: 250,
    type: ip,
    value: '192.0.2.7',
    octets: 'c0000207',
    conf: '192.0.2.7',
    env: '192.0.2.7',
  },
  { name: 'use-zephyr', code: 180, type: { kind: 'boolean' }, value: true, octets: '01', conf: 'true', env: 'true' },
  {
    name: 'sql-connection-max',
    code: 192,
    type: { kind: 'integer', bits: 16, signed: false },
    value: 1536,
    octets: '0600',
    conf: '1536',
    env: '1536',
  },
  {
    name: 'signed-8',
    code: 202,
    type: { kind: 'integer', bits: 8, signed: true },
    value: -5,
    octets: 'fb',
    conf: '-5',
    env: '-5',
  },
  {
    name: 'signed-32',
    code: 203,
    type: { kind: 'integer', bits: 32, signed: true },
    value: -70000,
    octets: 'fffeee90',
    conf: '-70000',
    env: '-70000',
  },
  {
    name: 'some-server',
    space: 'dhcp6',
    code: 1234,
    type: { kind: 'array', of: { kind: 'ip6-address' } },
    value: ['3ffe:bbbb:aaaa:aaaa::1', '3ffe:bbbb:aaaa:aaaa::2'],
    octets: '3ffebbbbaaaaaaaa0000000000000001 3ffebbbbaaaaaaaa0000000000000002',
    conf: '3ffe:bbbb:aaaa:aaaa::1,3ffe:bbbb:aaaa:aaaa::2',
    env: '3ffe:bbbb:aaaa:aaaa::1 3ffe:bbbb:aaaa:aaaa::2',
  },
  {
    name: 'sql-default-connection-name',
    code: 194,
    type: { kind: 'text' },
    value: 'PRODZA',
    octets: '50524f445a41',
    conf: '"PRODZA"',
    env: 'PRODZA',
  },
  {
    name: 'sql-identification-token',
    code: 195,
    type: { kind: 'string' },
    value: hex('17:23:19:a6:42:ea:99:7c:22'),
    octets: '172319a642ea997c22',
    conf: '17:23:19:a6:42:ea:99:7c:22',
    env: '17:23:19:a6:42:ea:99:7c:22',
  },
  {
    name: 'search-list',
    code: 196,
    type: { kind: 'domain-list', compressed: true },
    value: ['example.com', 'sales.example.com'],
    octets: '076578616d706c6503636f6d00 0573616c6573c000',
    conf: '"example.com.", "sales.example.com."',
    env: 'example.com. sales.example.com.',
  },
  {
    name: 'single-name',
    code: 198,
    type: { kind: 'domain-name' },
    value: 'example.com',
    octets: '076578616d706c6503636f6d00',
    conf: 'example.com.',
    env: 'example.com.',
  },
  {
    name: 'local-encapsulation',
    code: 197,
    type: { kind: 'encapsulate', space: 'local' },
    value: [{ code: 1, value: 'demo' }],
    octets: '0104 64656d6f',
    conf: '1:4:64:65:6d:6f',
    env: '1:4:64:65:6d:6f',
  },
  {
    name: 'kerberos-servers',
    code: 200,
    type: { kind: 'array', of: ip },
    value: ['10.20.10.1', '10.20.11.1'],
    octets: '0a140a01 0a140b01',
    conf: '10.20.10.1,10.20.11.1',
    env: '10.20.10.1 10.20.11.1',
  },
  {
    name: 'contrived-001',
    code: 201,
    type: {
      kind: 'record',
      fields: [{ kind: 'boolean' }, { kind: 'integer', bits: 32, signed: true }, { kind: 'text' }],
    },
    value: [true, 1772, 'contrivance'],
    octets: '01 000006ec 636f6e74726976616e6365',
    conf: 'true 1772 "contrivance"',
    env: 'true 1772 contrivance',
  },
  {
    name: 'new-static-routes',
    code: 204,
    type: { kind: 'array', of: { kind: 'record', fields: [ip, ip, ip, u8] } },
    value: [
      ['10.0.0.0', '255.255.255.0', '10.0.0.1', 1],
      ['10.2.0.0', '255.255.224.0', '10.2.0.1', 3],
    ],
    octets: '0a000000 ffffff00 0a000001 01 0a020000 ffffe000 0a020001 03',
    conf: '10.0.0.0 255.255.255.0 10.0.0.1 1,10.2.0.0 255.255.224.0 10.2.0.1 3',
    env: '10.0.0.0 255.255.255.0 10.0.0.1 1 10.2.0.0 255.255.224.0 10.2.0.1 3',
  },
  {
    name: 'flag-and-addresses',
    code: 205,
    type: { kind: 'record', fields: [u8, { kind: 'array', of: ip }] },
    value: [4, ['192.0.2.1', '192.0.2.2']],
    octets: '04 c0000201 c0000202',
    conf: '4 192.0.2.1,192.0.2.2',
    env: '4 192.0.2.1 192.0.2.2',
  },
  { name: 'present', code: 206, type: { kind: 'zero-length' }, value: true, octets: '', conf: '', env: '' },
  {
    name: 'routes',
    code: 207,
    type: { kind: 'array', of: { kind: 'classless-route' } },
    value: [{ destination: '10.0.0.0', prefixLength: 8, router: '10.0.0.1' }],
    octets: '08 0a 0a000001',
    conf: '8,10,10,0,0,1',
    env: '8 10 10 0 0 1',
  },
];

describe('user-defined options (dhcp-options(5) DEFINING NEW OPTIONS)', () => {
  const cat = Catalogue.standard();
  cat.defineSpace({ name: 'local', codeWidth: 1, lengthWidth: 1 });
  cat.define({ space: 'local', name: 'demo', code: 1, type: { kind: 'text' } });
  for (const c of CASES) cat.define({ space: c.space ?? 'dhcp', name: c.name, code: c.code, type: c.type });

  for (const c of CASES) {
    it(`${c.name}: ${c.type.kind}`, () => {
      const def = cat.resolve(c.space ? `${c.space}.${c.name}` : c.name);
      assert.ok(def?.userDefined);
      assert.equal(def.code, c.code);
      const octets = hex(c.octets);
      assert.deepEqual(encodeOptionValue(def.type, c.value, cat), octets);
      assert.deepEqual(decodeOptionValue(def.type, octets, cat), { ok: true, value: c.value });
      assert.equal(formatOptionValue(def.type, c.value, cat, 'conf'), c.conf);
      assert.equal(formatOptionValue(def.type, c.value, cat, 'env'), c.env);
    });
  }

  it('a space with 2-octet codes and lengths (option space docsis code width 2 length width 2)', () => {
    const c = Catalogue.standard();
    c.defineSpace({ name: 'docsis', codeWidth: 2, lengthWidth: 2 });
    c.define({ space: 'docsis', name: 'cablelabs-configuration-file', code: 33, type: { kind: 'text' } });
    c.define({ space: 'docsis', name: 'time-offset', code: 38, type: { kind: 'integer', bits: 32, signed: true } });
    c.define({ space: 'dhcp', name: 'docsis-encap', code: 222, type: { kind: 'encapsulate', space: 'docsis' } });
    const t = c.byName('dhcp', 'docsis-encap')?.type as OptionType;
    const value = [
      { code: 33, value: 'cm.cfg' },
      { code: 38, value: -1 },
    ];
    const octets = hex('0021 0006 636d2e636667  0026 0004 ffffffff');
    assert.deepEqual(encodeOptionValue(t, value, c), octets);
    assert.deepEqual(decodeOptionValue(t, octets, c), { ok: true, value });
  });

  it('a space with 4-octet codes (vendor-class.ISC code 2495 = text)', () => {
    const c = Catalogue.standard();
    c.define({ space: 'vendor-class', name: 'ISC', code: 2495, type: { kind: 'text' } });
    const t = c.byName('dhcp', 'vivco')?.type as OptionType;
    const octets = hex(`000009bf 11 ${Buffer.from('vendor class here').toString('hex')}`);
    assert.deepEqual(decodeOptionValue(t, octets, c), {
      ok: true,
      value: [{ code: 2495, value: 'vendor class here' }],
    });
    assert.deepEqual(encodeOptionValue(t, [{ code: 2495, value: ascii('vendor class here') }], c), octets);
  });
});
