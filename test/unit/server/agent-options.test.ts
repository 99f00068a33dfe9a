import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRecord } from '../../../src/leases/writer.js';
import { encodeRelayAgentInfo, OPT_RELAY_AGENT_INFO } from '../../../src/wire/index.js';
import { messageType, optionOf, Server, treeOf } from './helpers.js';

const A = '02:cf:d1:00:00:08';
const conf = (extra = '') =>
  treeOf(`authoritative; default-lease-time 600; max-lease-time 600; ${extra}
    subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }
    subnet 198.51.100.0 netmask 255.255.255.0 { range 198.51.100.10 198.51.100.20; }`);
const rai = encodeRelayAgentInfo([
  { code: 1, data: Uint8Array.from(Buffer.from('cfd-port-08')) },
  { code: 2, data: Uint8Array.from([0x02, 0xcf, 0xd0, 0x00, 0x00, 0xfe]) },
]);

test('agent options are stored with the lease and written as ISC writes them, while it is active', () => {
  const s = new Server(conf());
  const { ack, address } = s.dora({ mac: A, giaddr: '198.51.100.1', options: [[OPT_RELAY_AGENT_INFO, rai]] });
  const text = formatRecord(ack.changes[0]!.lease, {});
  assert.match(text, /\n {2}option agent\.circuit-id "cfd-port-08";\n {2}option agent\.remote-id 2:cf:d0:0:0:fe;\n/);
  // A renewal straight from the client (no option 82) keeps them; a RELEASE drops them.
  s.now += 300;
  const renew = s.send({ mac: A, type: 3, ciaddr: address });
  assert.equal(messageType(renew), 5);
  assert.match(formatRecord(renew.changes[0]!.lease, {}), /option agent\.circuit-id "cfd-port-08";/);
  const release = s.send({ mac: A, type: 7, ciaddr: address });
  assert.doesNotMatch(formatRecord(release.changes[0]!.lease, {}), /option agent/);
});

test('stash-agent-options false: nothing is stored', () => {
  const s = new Server(conf('stash-agent-options false;'));
  const { ack } = s.dora({ mac: A, giaddr: '198.51.100.1', options: [[OPT_RELAY_AGENT_INFO, rai]] });
  assert.doesNotMatch(formatRecord(ack.changes[0]!.lease, {}), /option agent/);
});

test('a direct renewal is classified with the agent options stored on its lease (ISC stashes them)', () => {
  const s = new Server(
    treeOf(`authoritative; default-lease-time 600; max-lease-time 600;
      class "port8" { match if option agent.circuit-id = "cfd-port-08"; }
      subnet 192.168.1.0 netmask 255.255.255.0 { }
      subnet 198.51.100.0 netmask 255.255.255.0 {
        pool { allow members of "port8"; range 198.51.100.50 198.51.100.59; }
        pool { deny members of "port8"; range 198.51.100.10 198.51.100.19; }
      }`),
  );
  const { address } = s.dora({ mac: A, giaddr: '198.51.100.1', options: [[OPT_RELAY_AGENT_INFO, rai]] });
  assert.equal(address, '198.51.100.50');
  s.now += 300;
  const renew = s.send({ mac: A, type: 3, ciaddr: address });
  assert.equal(messageType(renew), 5, renew.log.join(' | '));
  const stranger = s.send({ mac: '02:cf:d1:00:00:09', type: 3, ciaddr: address });
  assert.notEqual(messageType(stranger), 5, 'another client does not get the stored options');
});

test("RFC 5107: a relay's server-identifier override names the server in the reply", () => {
  const s = new Server(
    treeOf('authoritative; subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }'),
  );
  // circuit-id "p1", server-id-override 192.168.1.254
  const rai = new Uint8Array([1, 2, 0x70, 0x31, 11, 4, 192, 168, 1, 254]);
  const offer = s.send({ mac: A, type: 1, giaddr: '192.168.1.254', options: [[82, rai]] });
  assert.deepEqual([...optionOf(offer, 54)!], [192, 168, 1, 254]);
  const plain = s.send({ mac: '02:cf:d1:00:00:09', type: 1, giaddr: '192.168.1.254' });
  assert.deepEqual([...optionOf(plain, 54)!], [192, 168, 1, 1]);
});
