// A real exchange (Wireshark dumps of a Debian Lenny ISC dhcpd and its client, 2009, in
// ../shared/seeds/004_4c40df4d264fb5f1.txt). The option bytes below are rebuilt from the dump's
// "Option: (t=..,l=..)" and "Value:" lines; the expected values are what Wireshark printed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalogue } from '../../../src/options/catalogue.js';
import { decodeOptionValue } from '../../../src/options/codec.js';
import { formatOptionValue } from '../../../src/options/format.js';
import type { OptionType, OptionValue } from '../../../src/options/types.js';
import { hex } from './helpers.js';

/** Splits a DHCP options field (code, length, data; pad and end) as the wire layer will. */
function options(octets: Uint8Array): { code: number; data: Uint8Array }[] {
  const out: { code: number; data: Uint8Array }[] = [];
  for (let i = 0; i < octets.length; ) {
    const code = octets[i] as number;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255) break;
    const len = octets[i + 1] as number;
    out.push({ code, data: octets.subarray(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return out;
}

function decode(cat: Catalogue, code: number, data: Uint8Array): OptionValue {
  const def = cat.byCodeOrUnknown('dhcp', code);
  const r = decodeOptionValue(def.type, data, cat);
  assert.ok(r.ok, `${def.name}: ${r.ok ? '' : r.error}`);
  return r.value;
}

describe('seed capture 004: DISCOVER parameter request list', () => {
  // Option: (t=55,l=12) Parameter Request List, Value: 011C02030F06770C2C2F1A79
  const prl = hex('011C02030F06770C2C2F1A79');

  it('decodes to the codes Wireshark listed, named as ISC names them', () => {
    const cat = Catalogue.standard();
    // The client (Debian dhclient) asked for 121 under the name its dhclient.conf defines.
    cat.define({
      space: 'dhcp',
      name: 'rfc3442-classless-static-routes',
      code: 121,
      type: { kind: 'array', of: { kind: 'integer', bits: 8, signed: false } },
    });
    const codes = decode(cat, 55, prl) as number[];
    assert.deepEqual(codes, [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121]);
    assert.deepEqual(
      codes.map((c) => cat.byCode('dhcp', c)?.name),
      [
        'subnet-mask',
        'broadcast-address',
        'time-offset',
        'routers',
        'domain-name',
        'domain-name-servers',
        'domain-search',
        'host-name',
        'netbios-name-servers',
        'netbios-scope',
        'interface-mtu',
        'rfc3442-classless-static-routes',
      ],
    );
  });

  it('names 121 unknown-121 without that definition, as ISC 4.4.3 would', () => {
    const cat = Catalogue.standard();
    assert.equal(cat.byCodeOrUnknown('dhcp', 121).name, 'unknown-121');
  });
});

describe('seed capture 004: OFFER options', () => {
  const offer = hex(
    [
      '35 01 02', // (t=53,l=1) DHCP Message Type = DHCP Offer
      '36 04 C0A800FC', // (t=54,l=4) Server Identifier = 192.168.0.252
      '33 04 00000E10', // (t=51,l=4) IP Address Lease Time = 1 hour
      '01 04 FFFFFF00', // (t=1,l=4) Subnet Mask = 255.255.255.0
      '03 04 C0A800FC', // (t=3,l=4) Router = 192.168.0.252
      '0F 0A 6D6169736F6E2E6D7273', // (t=15,l=10) Domain Name = "maison.mrs"
      '06 04 C0A800FC', // (t=6,l=4) Domain Name Server = 192.168.0.252
      '2C 04 C0A800FC', // (t=44,l=4) NetBIOS over TCP/IP Name Server = 192.168.0.252
      'FF', // End Option
      '000000', // Padding
    ].join(''),
  );
  const cat = Catalogue.standard();
  const decoded = options(offer).map(({ code, data }) => [cat.byCode('dhcp', code)?.name, decode(cat, code, data)]);

  it('decodes every option to the value Wireshark printed', () => {
    assert.deepEqual(decoded, [
      ['dhcp-message-type', 2],
      ['dhcp-server-identifier', '192.168.0.252'],
      ['dhcp-lease-time', 3600],
      ['subnet-mask', '255.255.255.0'],
      ['routers', ['192.168.0.252']],
      ['domain-name', 'maison.mrs'],
      ['domain-name-servers', ['192.168.0.252']],
      ['netbios-name-servers', ['192.168.0.252']],
    ]);
  });

  it('gives dhclient-script the values ISC dhclient would', () => {
    const env = Object.fromEntries(
      options(offer).map(({ code, data }) => {
        const def = cat.byCodeOrUnknown('dhcp', code);
        return [def.name, formatOptionValue(def.type as OptionType, decode(cat, code, data), cat, 'env')];
      }),
    );
    assert.equal(env['domain-name'], 'maison.mrs');
    assert.equal(env['dhcp-lease-time'], '3600');
    assert.equal(env.routers, '192.168.0.252');
  });
});
