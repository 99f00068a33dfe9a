// `leasehold relay` and ISC dhcrelay between ISC dhclient and a server two hops away (client ns | relay ns |
// server ns, routed): the client gets an address of its own subnet and renews by unicast straight to the
// server; with -a the server sees option 82 (and writes circuit-id to its lease file) and the client does
// not; with -m discard a request that already carries option 82 is dropped and counted.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeMessage } from '../../../src/wire/encode.js';
import { encodeRelayAgentInfo } from '../../../src/wire/relay-agent.js';
import { createLab, type Lab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import { requireTool, serverFiles, startDhclient, startLeasehold, tempDir, waitForLease } from '../server/harness.js';
import {
  clientConf,
  frames,
  type RelayLab,
  relayedConf,
  relayTopology,
  SERVER,
  startCapture,
  startDhcpd,
  startIscRelay,
  startLeaseholdRelay,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const re = (s: string) => new RegExp(s.replaceAll('.', '\\.'));

/** dhclient in the client namespace until BOUND and the first RENEW; the address it got. */
async function boundAndRenewed(lab: Lab, net: RelayLab, dir: string, tag: string): Promise<string> {
  const dhc = startDhclient(lab, net.client, dir, tag, { configure: true, conf: clientConf(dir) });
  try {
    const bound = await dhc.waitFor('BOUND', 30_000);
    const address = bound.get('new_ip_address') ?? '';
    assert.match(address, /^192\.0\.2\.1\d\d$/, `an address of the client's own subnet: ${address}`);
    assert.equal(bound.get('new_dhcp_server_identifier'), SERVER);
    assert.equal(bound.get('new_routers'), '192.0.2.1');
    const renewed = await dhc.waitFor('RENEW', 30_000);
    assert.equal(renewed.get('new_ip_address'), address, 'renewed the same address');
    // dhclient's own log: the renewal went by unicast to the server, and was answered.
    await waitForLog(dhc.proc, re(`DHCPREQUEST for ${address} on ep0 to ${SERVER} port 67`));
    return address;
  } finally {
    await dhc.stop();
  }
}

async function stopClean(proc: Spawned): Promise<string> {
  const out = await proc.stop(5000);
  assert.equal(out.code, 0, out.stderr);
  return out.stderr;
}

test('leasehold relay: dhclient gets and renews an address of its subnet from ISC dhcpd', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, '/usr/sbin/dhcpd')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await relayTopology(lab);
  const dhcpd = await startDhcpd(lab, net.server, dir);
  const relay = await startLeaseholdRelay(lab, net.relay);
  assert.match(relay.stderr(), /^Listening on LPF\/down0\//m, 'packet sockets as root');
  const address = await boundAndRenewed(lab, net, dir, 'isc');
  await waitForLog(relay, `Forwarded BOOTREQUEST for ${net.clientMac} to ${SERVER}`);
  await waitForLog(relay, `Forwarded BOOTREPLY for ${net.clientMac} to ${address}`);
  await waitForLog(dhcpd, re(`DHCPACK on ${address} to ${net.clientMac} .*via 192.0.2.1`));
  const log = await stopClean(relay);
  assert.match(
    log,
    /^Relayed [1-9]\d* requests to servers and [1-9]\d* replies to clients; send errors: 0 to servers, 0 to clients\.$/m,
  );
  await dhcpd.stop(2000);
});

test("leasehold relay: dhclient gets and renews an address from Leasehold's server", async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await relayTopology(lab);
  const srv = await startLeasehold(lab, net.server, serverFiles(dir, relayedConf()));
  const relay = await startLeaseholdRelay(lab, net.relay);
  const address = await boundAndRenewed(lab, net, dir, 'lh');
  await waitForLog(srv, re(`DHCPACK on ${address} to ${net.clientMac} .*via 192.0.2.1`));
  // The renewal came straight to the server (no giaddr): named by its address, via the server's interface.
  await waitForLog(srv, re(`DHCPREQUEST for ${address} from ${net.clientMac} .*via srv0`));
  await waitForLog(relay, `Forwarded BOOTREPLY for ${net.clientMac} to ${address}`);
  await stopClean(relay);
  await stopClean(srv);
});

test('leasehold relay --server-id-override (RFC 5107): the client names the relay as its server and renews through it', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await relayTopology(lab);
  const srv = await startLeasehold(lab, net.server, serverFiles(dir, relayedConf()));
  const relay = await startLeaseholdRelay(lab, net.relay, ['--server-id-override']);
  const dhc = startDhclient(lab, net.client, dir, 'sio', { configure: true, conf: clientConf(dir) });
  try {
    const bound = await dhc.waitFor('BOUND', 30_000);
    const address = bound.get('new_ip_address') ?? '';
    assert.match(address, /^192\.0\.2\.1\d\d$/);
    assert.equal(bound.get('new_dhcp_server_identifier'), '192.0.2.1', "the relay's address, as the override asked");
    const renewed = await dhc.waitFor('RENEW', 30_000);
    assert.equal(renewed.get('new_ip_address'), address);
    // The renewal went by unicast to the relay, which relayed it: the server saw it via the relay's giaddr.
    await waitForLog(dhc.proc, re(`DHCPREQUEST for ${address} on ep0 to 192.0.2.1 port 67`));
    await waitFor(
      () =>
        srv
          .stderr()
          .split('\n')
          .filter((l) => re(`DHCPACK on ${address} to ${net.clientMac} .*via 192.0.2.1`).test(l)).length >= 2,
      {
        what: 'two ACKs through the relay (the binding and the renewal)',
        seen: () => srv.stderr(),
      },
    );
  } finally {
    await dhc.stop();
  }
  await stopClean(relay);
  await stopClean(srv);
});

test("ISC dhcrelay in front of Leasehold's server: the same", async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, '/usr/sbin/dhcrelay')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await relayTopology(lab);
  const srv = await startLeasehold(lab, net.server, serverFiles(dir, relayedConf()));
  const relay = await startIscRelay(lab, net.relay);
  const address = await boundAndRenewed(lab, net, dir, 'dhcrelay');
  await waitForLog(srv, re(`DHCPACK on ${address} to ${net.clientMac} .*via 192.0.2.1`));
  await waitForLog(srv, re(`DHCPREQUEST for ${address} from ${net.clientMac} .*via srv0`));
  await relay.stop(2000);
  await stopClean(srv);
});

test('leasehold relay -a: the server sees circuit-id down0 and keeps it in its lease file, the client no option 82; -m discard drops and counts', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, '/usr/bin/tshark')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await relayTopology(lab);
  const files = serverFiles(dir, relayedConf());
  const srv = await startLeasehold(lab, net.server, files);
  const serverCap = await startCapture(lab, net.server, 'srv0');
  const clientCap = await startCapture(lab, net.client, 'ep0');
  const relay = await startLeaseholdRelay(lab, net.relay, ['-a', '-m', 'discard']);
  const dhc = startDhclient(lab, net.client, dir, 'agent', { configure: true, conf: clientConf(dir) });
  const bound = await dhc.waitFor('BOUND', 30_000);
  await dhc.stop();
  const address = bound.get('new_ip_address') ?? '';
  await waitForLog(relay, `Forwarded BOOTREPLY for ${net.clientMac} to ${address}`);
  // The server's lease file keeps the circuit-id with the active lease, as ISC writes it (the record is on disk
  // before the ACK leaves; waited for all the same).
  const lease = await waitForLease(files.leases, address, /option agent\.circuit-id "down0";/);
  assert.match(lease, /binding state active;/);
  assert.match(lease, new RegExp(`hardware ethernet ${net.clientMac};`));

  // At the server: the relayed DISCOVER and REQUEST carry circuit-id "down0" (hex 646f776e30), and Leasehold's
  // server echoes option 82 in its replies (RFC 3046).
  const relayed = (f: string) => /Relay agent IP address: 192\.0\.2\.1\b/.test(f);
  const isRequest = (f: string) => /Message type: Boot Request/.test(f) && relayed(f);
  const isReply = (f: string) => /Message type: Boot Reply/.test(f) && relayed(f);
  await waitFor(
    () => frames(serverCap).filter(isRequest).length >= 2 && frames(serverCap).filter(isReply).length >= 2,
    {
      what: 'relayed DISCOVER, REQUEST and their replies at the server',
      seen: () => frames(serverCap).join('\n'),
    },
  );
  for (const f of frames(serverCap).filter(isRequest)) {
    assert.match(f, /Option: \(82\) Agent Information Option/);
    assert.match(f, /Agent Circuit ID: 646f776e30/, 'circuit-id "down0"');
  }
  assert.ok(
    frames(serverCap)
      .filter(isReply)
      .every((f) => /Option: \(82\)/.test(f)),
    'the server echoes option 82',
  );
  // At the client: OFFER and ACK, without option 82.
  const toClient = () => frames(clientCap).filter((f) => /Message type: Boot Reply/.test(f));
  await waitFor(() => toClient().length >= 2, { what: 'OFFER and ACK at the client', seen: () => clientCap.stdout() });
  for (const f of toClient()) assert.doesNotMatch(f, /Option: \(82\)/, 'option 82 stripped before the client');
  await serverCap.stop(2000);
  await clientCap.stop(2000);

  // -m discard: a request that already carries option 82 goes no further, and is counted.
  await lab.ip(['-n', net.client.name, 'addr', 'replace', '192.0.2.50/24', 'dev', 'ep0']);
  const agent = encodeRelayAgentInfo([{ code: 1, data: new Uint8Array(Buffer.from('elsewhere')) }]);
  const discover = encodeMessage({
    op: 1,
    htype: 1,
    hlen: 6,
    xid: 0xdecaf,
    chaddr: new Uint8Array([2, 0, 0, 0, 0, 0x99]),
    options: [
      [53, new Uint8Array([1])],
      [82, agent],
    ],
  }).bytes;
  const file = join(dir, 'discover.bin');
  writeFileSync(file, discover);
  const send = `const d=require('node:dgram').createSocket('udp4');d.bind(68,'192.0.2.50',()=>d.send(require('node:fs').readFileSync(${JSON.stringify(file)}),67,'192.0.2.1',()=>d.close()));`;
  const sent = await lab.run(net.client, process.execPath, ['-e', send], { timeoutMs: 10_000 });
  assert.equal(sent.code, 0, sent.stderr);
  await waitForLog(
    relay,
    /Discarding packet: request already carries relay agent information \(-m discard\) \(agent-option-present\)/,
  );
  const log = await stopClean(relay);
  assert.match(log, /^Dropped 1 packets: agent-option-present 1\.$/m);
  assert.doesNotMatch(log, /Forwarded BOOTREQUEST for 02:00:00:00:00:99/);
  await stopClean(srv);
});
