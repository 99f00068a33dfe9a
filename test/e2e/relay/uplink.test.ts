// `leasehold relay -U up0` (RFC 3527 link selection) in front of a server that has no route to the client
// subnet (client ns | relay ns | server ns; the server knows only 198.51.100.0/24): the relay's requests
// carry giaddr = the uplink's address and a link-selection sub-option naming 192.0.2.1, and the server must
// pick the client's subnet from the sub-option. ISC dhclient gets an address of its own subnet from
// Leasehold's server and from ISC dhcpd 4.4.3 (which honours link-selection). With -g, the replies the client
// sees carry the giaddr given; with --remote-id, the server keeps the remote-id in its lease file.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import { requireTool, serverFiles, startDhclient, startLeasehold, tempDir, waitForLease } from '../server/harness.js';
import {
  clientConf,
  frames,
  RELAY_UP,
  relayedConf,
  relayTopology,
  SERVER,
  startCapture,
  startDhcpd,
  startLeaseholdRelay,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const re = (s: string) => new RegExp(s.replaceAll('.', '\\.'));
const UPLINK = ['-i', 'down0', '-U', 'up0'];
const FAKE_GW = '192.0.2.254';

test("leasehold relay -U: link selection at Leasehold's server; -g in the replies the client sees; remote-id in the lease file", async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, '/usr/bin/tshark')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await relayTopology(lab, { serverRoute: false });
  const files = serverFiles(dir, relayedConf());
  const srv = await startLeasehold(lab, net.server, files);
  const serverCap = await startCapture(lab, net.server, 'srv0');
  const clientCap = await startCapture(lab, net.client, 'ep0');
  const relay = await startLeaseholdRelay(lab, net.relay, ['-g', FAKE_GW, '--remote-id', 'relay-7'], SERVER, UPLINK);
  const dhc = startDhclient(lab, net.client, dir, 'uplink', { conf: clientConf(dir) });
  const bound = await dhc.waitFor('BOUND', 30_000);
  await dhc.stop();
  const address = bound.get('new_ip_address') ?? '';
  assert.match(address, /^192\.0\.2\.1\d\d$/, `an address of the client's own subnet: ${address}`);
  assert.equal(bound.get('new_routers'), '192.0.2.1');
  assert.equal(bound.get('new_dhcp_server_identifier'), SERVER);
  await waitForLog(srv, re(`DHCPACK on ${address} to ${net.clientMac} via ${RELAY_UP}`));
  await waitForLog(relay, `Forwarded BOOTREPLY for ${net.clientMac} to ${address}`);
  const lease = await waitForLease(files.leases, address, /option agent\.remote-id "relay-7";/);
  assert.match(lease, /option agent\.circuit-id "down0";/);

  // At the server: giaddr is the uplink's address; option 82 holds circuit-id "down0", remote-id "relay-7"
  // and link-selection 192.0.2.1, in ISC's order.
  const isRequest = (f: string) => /Message type: Boot Request/.test(f);
  await waitFor(() => frames(serverCap).filter(isRequest).length >= 2, {
    what: 'the relayed DISCOVER and REQUEST at the server',
    seen: () => serverCap.stdout(),
  });
  for (const f of frames(serverCap).filter(isRequest)) {
    assert.match(f, re(`Relay agent IP address: ${RELAY_UP}`));
    const agent = f.slice(f.indexOf('Option: (82)'));
    assert.match(agent, /Agent Circuit ID: 646f776e30[\s\S]*Agent Remote ID: 72656c61792d37[\s\S]*Link selection/);
    assert.match(agent, /192\.0\.2\.1\b/);
  }
  // At the client: OFFER and ACK, giaddr replaced by -g, no option 82.
  const toClient = () => frames(clientCap).filter((f) => /Message type: Boot Reply/.test(f));
  await waitFor(() => toClient().length >= 2, { what: 'OFFER and ACK at the client', seen: () => clientCap.stdout() });
  for (const f of toClient()) {
    assert.match(f, re(`Relay agent IP address: ${FAKE_GW}`), '-g: the giaddr the client sees');
    assert.doesNotMatch(f, /Option: \(82\)/);
  }
  await serverCap.stop(2000);
  await clientCap.stop(2000);
  const log = (await relay.stop(5000)).stderr;
  assert.match(log, /^Dropped 0 packets\.$/m);
  assert.equal((await srv.stop(5000)).code, 0);
});

test('leasehold relay -U: ISC dhcpd 4.4.3 picks the client subnet from link selection', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, '/usr/sbin/dhcpd')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await relayTopology(lab, { serverRoute: false });
  const dhcpd = await startDhcpd(lab, net.server, dir);
  const relay = await startLeaseholdRelay(lab, net.relay, [], SERVER, UPLINK);
  const dhc = startDhclient(lab, net.client, dir, 'uplink-isc', { conf: clientConf(dir) });
  const bound = await dhc.waitFor('BOUND', 30_000);
  await dhc.stop();
  const address = bound.get('new_ip_address') ?? '';
  assert.match(address, /^192\.0\.2\.1\d\d$/, `an address of the client's own subnet: ${address}`);
  assert.equal(bound.get('new_routers'), '192.0.2.1');
  await waitForLog(dhcpd, re(`DHCPACK on ${address} to ${net.clientMac}`));
  await waitForLog(relay, `Forwarded BOOTREPLY for ${net.clientMac} to ${address}`);
  await waitForLease(dhcpd.leases, address, /option agent\.circuit-id "down0";/);
  assert.equal((await relay.stop(5000)).code, 0);
  await dhcpd.stop(2000);
});
