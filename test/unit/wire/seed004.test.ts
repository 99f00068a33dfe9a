// The DHCP exchange captured in seed document 004 (Wireshark dumps of an ISC dhcpd 3.1 server and an
// ISC dhclient): every frame rebuilt byte-exact (their checksums equal Wireshark's, see frame.test.ts),
// decoded here and compared with what Wireshark printed. Option names come from the catalogue; this
// layer asserts codes and bytes only.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage } from '../../../src/wire/encode.js';
import { bytesToHex } from '../../../src/wire/hex.js';
import { ipToString, macToString } from '../../../src/wire/ip.js';
import { fieldText, hardwareAddress } from '../../../src/wire/message.js';
import { messageLabel } from '../../../src/wire/message-type.js';
import { loadFixture, SEED_PAYLOAD_OFFSET } from './fixtures.js';

const PRL = '011C02030F06770C2C2F1A79';
const SERVER_OPTIONS: [number, string][] = [
  [54, 'C0A800FC'],
  [51, '00000E10'],
  [1, 'FFFFFF00'],
  [3, 'C0A800FC'],
  [15, '6D6169736F6E2E6D7273'],
  [6, 'C0A800FC'],
  [44, 'C0A800FC'],
];

interface Expected {
  label: string;
  op: number;
  secs: number;
  ciaddr: string;
  yiaddr: string;
  options: [number, string][];
}

const CASES: Record<string, Expected> = {
  discover: {
    label: 'DHCPDISCOVER',
    op: 1,
    secs: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    options: [
      [53, '01'],
      [55, PRL],
    ],
  },
  offer: {
    label: 'DHCPOFFER',
    op: 2,
    secs: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '192.168.0.67',
    options: [[53, '02'], ...SERVER_OPTIONS],
  },
  request: {
    label: 'DHCPREQUEST',
    op: 1,
    secs: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    options: [
      [53, '03'],
      [54, 'C0A800FC'],
      [50, 'C0A80043'],
      [55, PRL],
    ],
  },
  ack: {
    label: 'DHCPACK',
    op: 2,
    secs: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '192.168.0.67',
    options: [[53, '05'], ...SERVER_OPTIONS],
  },
  'renew-request': {
    label: 'DHCPREQUEST',
    op: 1,
    secs: 0,
    ciaddr: '192.168.0.67',
    yiaddr: '0.0.0.0',
    options: [
      [53, '03'],
      [55, PRL],
    ],
  },
  'renew-ack': {
    label: 'DHCPACK',
    op: 2,
    secs: 0,
    ciaddr: '192.168.0.67',
    yiaddr: '192.168.0.67',
    options: [[53, '05'], ...SERVER_OPTIONS],
  },
  'renew-retry': {
    label: 'DHCPREQUEST',
    op: 1,
    secs: 1784,
    ciaddr: '192.168.0.67',
    yiaddr: '0.0.0.0',
    options: [
      [53, '03'],
      [55, PRL],
    ],
  },
  rebind: {
    label: 'DHCPREQUEST',
    op: 1,
    secs: 1805,
    ciaddr: '192.168.0.67',
    yiaddr: '0.0.0.0',
    options: [
      [53, '03'],
      [55, PRL],
    ],
  },
};

describe('seed 004 captures', () => {
  for (const [name, want] of Object.entries(CASES)) {
    it(`decodes the ${name} as Wireshark printed it`, () => {
      const payload = loadFixture(`seed004-${name}`).subarray(SEED_PAYLOAD_OFFSET);
      assert.equal(payload.length, 300);
      const result = decodeMessage(payload);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
      const m = result.message;
      assert.equal(m.op, want.op);
      assert.equal(m.htype, 1);
      assert.equal(m.hlen, 6);
      assert.equal(m.hops, 0);
      assert.equal(m.xid, 0xc0b5592f);
      assert.equal(m.secs, want.secs);
      assert.equal(m.flags, 0);
      assert.equal(ipToString(m.ciaddr), want.ciaddr);
      assert.equal(ipToString(m.yiaddr), want.yiaddr);
      assert.equal(m.siaddr, 0);
      assert.equal(m.giaddr, 0);
      assert.equal(macToString(hardwareAddress(m)), '00:16:36:51:5d:5a');
      assert.equal(fieldText(m.sname), '');
      assert.equal(fieldText(m.file), '');
      assert.equal(m.cookie, 'dhcp');
      assert.equal(m.overload, 0);
      assert.equal(messageLabel(m), want.label);
      const got = [...m.options].map(([code, data]) => [code, bytesToHex(data).toUpperCase()]);
      assert.deepEqual(got, want.options);
    });

    it(`re-encodes the ${name} byte for byte`, () => {
      const payload = loadFixture(`seed004-${name}`).subarray(SEED_PAYLOAD_OFFSET);
      const result = decodeMessage(payload);
      assert.ok(result.ok);
      const encoded = encodeMessage(result.message);
      assert.deepEqual(encoded.dropped, []);
      assert.equal(bytesToHex(encoded.bytes), bytesToHex(payload));
    });
  }

  it('rebuilds the parameter request list Wireshark showed', () => {
    const m = decodeMessage(loadFixture('seed004-discover').subarray(SEED_PAYLOAD_OFFSET));
    assert.ok(m.ok);
    assert.deepEqual([...m.message.options.get(55)!], [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121]);
  });
});
