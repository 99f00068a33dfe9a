import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRelayFlags } from '../../../src/cli/relay.js';
import type { Destination, ServedInterface, Transport } from '../../../src/io/transport.js';
import {
  addCircuitId,
  addRemoteId,
  agentLengthError,
  circuitIdOf,
  emptyAgentIds,
  parseAgentValue,
  remoteIdOf,
} from '../../../src/relay/agent-ids.js';
import { RelayDaemon } from '../../../src/relay/daemon.js';
import { RELAY_DEFAULTS } from '../../../src/relay/engine.js';
import { memoryLogger } from '../../../src/server/daemon-log.js';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage } from '../../../src/wire/encode.js';
import { parseIpv4 } from '../../../src/wire/ip.js';
import { decodeRelayAgentInfo, encodeRelayAgentInfo } from '../../../src/wire/relay-agent.js';

const ip = (s: string) => parseIpv4(s)!;
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));

describe('--circuit-id and --remote-id values (Leasehold extensions)', () => {
  it('text, 0x hex, colon hex; 1 to 255 bytes', () => {
    assert.deepEqual([...parseAgentValue('port-7', 'x')], [...Buffer.from('port-7')]);
    assert.deepEqual([...parseAgentValue('0x0A1b2c', 'x')], [0x0a, 0x1b, 0x2c]);
    assert.deepEqual([...parseAgentValue('aa:b:0c', 'x')], [0xaa, 0x0b, 0x0c]);
    assert.deepEqual([...parseAgentValue('ab', 'x')], [...Buffer.from('ab')], 'one group without a colon is text');
    assert.equal(parseAgentValue('é', 'x').length, 2, 'UTF-8');
    assert.equal(parseAgentValue('y'.repeat(255), 'x').length, 255);
    assert.throws(
      () => parseAgentValue('', '--circuit-id'),
      /--circuit-id: 0 bytes; a circuit-id holds 1 to 255 bytes/,
    );
    assert.throws(() => parseAgentValue('y'.repeat(256), '--remote-id'), /256 bytes; a remote-id holds 1 to 255/);
    assert.throws(() => parseAgentValue(`0x${'00'.repeat(256)}`, '--remote-id'), /256 bytes/);
    assert.throws(() => parseAgentValue('0x123', '--remote-id'), /0x123 is not hex bytes/);
    assert.throws(() => parseAgentValue('0x', '--remote-id'), /not hex bytes/);
  });

  it('per interface, for every interface, and the errors', () => {
    const ids = emptyAgentIds();
    addCircuitId(ids, 'down0=0x0102');
    addRemoteId(ids, 'relay-7');
    addRemoteId(ids, 'down1=a=b');
    assert.deepEqual([...circuitIdOf(ids, 'down0')], [1, 2]);
    assert.equal(text(circuitIdOf(ids, 'eth3')), 'eth3', 'the name otherwise, as ISC');
    assert.equal(text(remoteIdOf(ids, 'down1')), 'a=b');
    assert.equal(text(remoteIdOf(ids, 'down0')), 'relay-7');
    assert.throws(() => addCircuitId(ids, 'down0=other'), /--circuit-id given twice for down0/);
    assert.throws(() => addCircuitId(ids, 'up0=01:02'), /down0 and up0 have the same circuit-id/);
    assert.throws(() => addCircuitId(ids, 'novalue'), /write IF=VALUE/);
    assert.throws(() => addCircuitId(ids, '=x'), /write IF=VALUE/);
    assert.throws(() => addCircuitId(ids, 'eth0='), /0 bytes/);
    assert.throws(() => addRemoteId(ids, 'again'), /--remote-id given twice for every interface/);
    assert.throws(() => addCircuitId(ids, `${'n'.repeat(16)}=x`), /at most 15 characters/);
  });

  it('option 82 as a whole stays within 255 bytes', () => {
    const ids = emptyAgentIds();
    addCircuitId(ids, `a=${'c'.repeat(200)}`);
    assert.equal(agentLengthError(ids, { linkSelection: true, serverIdOverride: true }), undefined);
    addRemoteId(ids, 'r'.repeat(50));
    assert.equal(agentLengthError(ids, { linkSelection: false, serverIdOverride: false }), undefined, '254 bytes');
    assert.match(
      agentLengthError(ids, { linkSelection: true, serverIdOverride: false }) ?? '',
      /^relay agent information for a would be 260 bytes; option 82 holds at most 255/,
    );
    const everywhere = emptyAgentIds();
    addRemoteId(everywhere, 'r'.repeat(240));
    assert.match(
      agentLengthError(everywhere, { linkSelection: false, serverIdOverride: false }) ?? '',
      /15 characters/,
    );
  });

  it('the flags: each turns on -a; errors are usage errors', () => {
    const r = parseRelayFlags(['--circuit-id', 'down0=port7', '--remote-id', 'down0=0xbeef', 's']);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.flags.addAgentOptions, true);
    assert.equal(text(r.flags.agentIds.circuitIds.get('down0')), 'port7');
    assert.deepEqual([...(r.flags.agentIds.remoteIds.get('down0') ?? [])], [0xbe, 0xef]);
    const bad = parseRelayFlags(['--remote-id', 'r'.repeat(256), 's']);
    assert.ok(!bad.ok && 'error' in bad && /256 bytes/.test(bad.error));
    const long = parseRelayFlags(['--circuit-id', `a=${'c'.repeat(240)}`, '--remote-id', 'r'.repeat(20), 's']);
    assert.ok(!long.ok && 'error' in long && /option 82 holds at most 255/.test(long.error));
    assert.equal(parseRelayFlags(['--circuit-id']).ok, false);
  });
});

/** A transport that records what it is asked to send. */
function fakeTransport(interfaces: ServedInterface[]) {
  const sent: { payload: Uint8Array; to: Destination; iface: string | undefined }[] = [];
  const t: Transport = {
    kind: 'raw',
    interfaces,
    describe: () => [],
    send: async () => undefined,
    sendNow: (payload, to, iface) => {
      sent.push({ payload: payload.slice(), to, iface: iface?.name });
    },
    close: async () => undefined,
  };
  return { t, sent };
}

const served = (name: string, address: string): ServedInterface => ({
  name,
  index: 0,
  addresses: [ip(address)],
  masks: [ip('255.255.255.0')],
  networkName: name,
});

describe('relay daemon: configured circuit-ids and remote-ids', () => {
  it('requests carry them; a reply is sent out of the interface its circuit-id names', () => {
    const ids = emptyAgentIds();
    addCircuitId(ids, 'down0=0x0102');
    addRemoteId(ids, 'relay-7');
    const log = memoryLogger();
    const daemon = new RelayDaemon(
      { ...RELAY_DEFAULTS, servers: [ip('203.0.113.1')], addAgentOptions: true },
      () => ({ upstream: true, downstream: true }),
      log,
      ids,
    );
    const down = served('down0', '192.0.2.1');
    const up = served('up0', '198.51.100.2');
    const { t, sent } = fakeTransport([down, up]);
    daemon.start(t);
    const chaddr = new Uint8Array([2, 0, 0, 0, 0, 1]);
    const discover = encodeMessage({ op: 1, htype: 1, hlen: 6, chaddr, options: [[53, new Uint8Array([1])]] }).bytes;
    daemon.onPacket({ payload: discover.slice(), iface: down, sourceAddress: 0, sourcePort: 68 });
    assert.equal(sent.length, 1);
    const fwd = decodeMessage(sent[0]!.payload);
    assert.ok(fwd.ok);
    const subs = decodeRelayAgentInfo(fwd.message.options.get(82)!);
    assert.ok(subs.ok);
    assert.deepEqual(
      subs.subOptions.map((s) => [s.code, [...s.data]]),
      [
        [1, [1, 2]],
        [2, [...Buffer.from('relay-7')]],
      ],
    );
    // The server's reply comes to giaddr 192.0.2.1 with the circuit-id echoed; giaddr would name down0
    // too, so give it the up0 address: only the circuit-id can send it out of down0.
    const offer = encodeMessage({
      op: 2,
      htype: 1,
      hlen: 6,
      yiaddr: ip('192.0.2.100'),
      giaddr: ip('198.51.100.2'),
      chaddr,
      options: [
        [53, new Uint8Array([2])],
        [82, encodeRelayAgentInfo([{ code: 1, data: new Uint8Array([1, 2]) }])],
      ],
    }).bytes;
    daemon.onPacket({ payload: offer.slice(), iface: up, sourceAddress: ip('203.0.113.1'), sourcePort: 67 });
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.iface, 'down0');
    const back = decodeMessage(sent[1]!.payload);
    assert.ok(back.ok && !back.message.options.has(82));
  });
});
