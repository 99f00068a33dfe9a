import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage } from '../../../src/wire/encode.js';
import { ipToString } from '../../../src/wire/ip.js';
import {
  addressSubOptionData,
  decodeRelayAgentInfo,
  encodeRelayAgentInfo,
  findSubOption,
  linkSelection,
  RAI_CIRCUIT_ID,
  RAI_LINK_SELECTION,
  RAI_RELAY_PORT,
  RAI_REMOTE_ID,
  RAI_SERVER_ID_OVERRIDE,
  type RelayAgentResult,
  relayPort,
  type SubOption,
  serverIdOverride,
} from '../../../src/wire/relay-agent.js';
import { hex, loadFixture } from './fixtures.js';

function subs(result: RelayAgentResult): SubOption[] {
  if (!result.ok) assert.fail(`${result.error.cause}: ${result.error.detail}`);
  return result.subOptions;
}

describe('relay agent information (option 82)', () => {
  it('decodes the sub-options of a relayed DISCOVER in wire order', () => {
    const r = decodeMessage(loadFixture('relay-agent-info'));
    assert.ok(r.ok);
    assert.equal(ipToString(r.message.giaddr), '203.0.113.1');
    assert.equal(r.message.hops, 1);
    assert.equal(r.message.flags, 0x8000);
    const data = r.message.options.get(82)!;
    const list = subs(decodeRelayAgentInfo(data));
    assert.deepEqual(
      list.map((s) => s.code),
      [1, 2, 5, 11, 151],
    );
    assert.equal(Buffer.from(findSubOption(list, RAI_CIRCUIT_ID)!).toString(), 'eth0/1/2');
    assert.deepEqual(findSubOption(list, RAI_REMOTE_ID), hex('02 00 00 c0 ff ee'));
    assert.equal(ipToString(linkSelection(list)!), '198.51.100.0');
    assert.equal(ipToString(serverIdOverride(list)!), '192.0.2.1');
    assert.deepEqual(findSubOption(list, 151), hex('00 76 70 6e 2d 72 65 64'), 'unknown sub-options stay raw');
    assert.equal(relayPort(list), undefined);
    assert.deepEqual(encodeRelayAgentInfo(list), data, 'encoding restores the exact bytes');
  });

  it('reports malformed sub-options', () => {
    const cause = (bytes: Uint8Array): string => {
      const r = decodeRelayAgentInfo(bytes);
      assert.ok(!r.ok);
      return r.error.cause;
    };
    assert.equal(cause(hex('01 02 61 62 02')), 'suboption-truncated');
    assert.equal(cause(hex('01 05 61 62')), 'suboption-overrun');
    assert.equal(cause(hex('05 03 c0 00 02')), 'bad-suboption-length');
    assert.equal(cause(hex('0b 05 c0 00 02 01 00')), 'bad-suboption-length');
    assert.equal(cause(hex('13 01 00')), 'bad-suboption-length');
    assert.deepEqual(subs(decodeRelayAgentInfo(new Uint8Array(0))), []);
    assert.deepEqual(subs(decodeRelayAgentInfo(hex('01 00'))), [{ code: 1, data: new Uint8Array(0) }]);
  });

  it('reads the RFC 8357 relay port whether empty or carrying a port', () => {
    assert.equal(relayPort(subs(decodeRelayAgentInfo(hex('13 00')))), 0);
    assert.equal(relayPort(subs(decodeRelayAgentInfo(hex('13 02 10 e1')))), 4321);
  });

  it('builds option 82 and carries it past 255 bytes with RFC 3396', () => {
    const list: SubOption[] = [
      { code: RAI_CIRCUIT_ID, data: new Uint8Array(200).fill(0x61) },
      { code: RAI_REMOTE_ID, data: new Uint8Array(150).fill(0x62) },
      { code: RAI_LINK_SELECTION, data: addressSubOptionData(0xc6336400) },
      { code: RAI_SERVER_ID_OVERRIDE, data: addressSubOptionData(0xc0000201) },
      { code: RAI_RELAY_PORT, data: new Uint8Array(0) },
    ];
    const data = encodeRelayAgentInfo(list);
    assert.equal(data.length, 202 + 152 + 6 + 6 + 2);
    const bytes = encodeMessage(
      {
        op: 1,
        hops: 1,
        giaddr: 0xcb007101,
        options: [
          [53, new Uint8Array([1])],
          [82, data],
        ],
      },
      { maxMessageSize: 1500 },
    ).bytes;
    const m = decodeMessage(bytes);
    assert.ok(m.ok);
    const back = subs(decodeRelayAgentInfo(m.message.options.get(82)!));
    assert.deepEqual(back, list);
    assert.equal(linkSelection(back), 0xc6336400);
    assert.equal(relayPort(back), 0);
  });

  it('refuses to encode impossible sub-options', () => {
    assert.throws(() => encodeRelayAgentInfo([{ code: 256, data: new Uint8Array(0) }]), RangeError);
    assert.throws(() => encodeRelayAgentInfo([{ code: 1, data: new Uint8Array(256) }]), RangeError);
  });
});
