// Interfaces that appear after `leasehold relay` started are relayed on without a restart: a named
// interface (-i down0) whose veth is created only later, and, with no interface named, one that gets its
// address only later. Either way ISC dhclient behind it then gets an address through the relay.
//
//   client ns  ep0  ──  down0 192.0.2.1/24   relay ns   up0 198.51.100.1/24  ──  srv0 198.51.100.2/24  server ns

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitForLog } from '../lib/wait.js';
import { requireTool, serverFiles, startDhclient, startLeasehold, tempDir } from '../server/harness.js';
import { clientConf, RELAY_DOWN, RELAY_UP, relayedConf, SERVER, startLeaseholdRelay } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const re = (s: string) => new RegExp(s.replaceAll('.', '\\.'));

/** The relay and server namespaces, linked and routed; the client namespace exists but is not linked yet. */
async function upstreamOnly(lab: Lab): Promise<{ client: Netns; relay: Netns; server: Netns }> {
  const client = await lab.netns();
  const relay = await lab.netns();
  const server = await lab.netns();
  await lab.veth(relay, server, { aIf: 'up0', bIf: 'srv0', aAddr: `${RELAY_UP}/24`, bAddr: `${SERVER}/24` });
  await lab.ip(['-n', server.name, 'route', 'add', '192.0.2.0/24', 'via', RELAY_UP, 'dev', 'srv0']);
  return { client, relay, server };
}

/** dhclient on ep0 until BOUND through the relay; the address, checked against the server's and relay's logs. */
async function binds(
  lab: Lab,
  client: Netns,
  mac: string,
  procs: { relay: Spawned; srv: Spawned },
  dir: string,
  tag: string,
): Promise<string> {
  const dhc = startDhclient(lab, client, dir, tag, { conf: clientConf(dir) });
  const bound = await dhc.waitFor('BOUND', 30_000);
  await dhc.stop();
  const address = bound.get('new_ip_address') ?? '';
  assert.match(address, /^192\.0\.2\.1\d\d$/, `an address of the client's own subnet: ${address}`);
  await waitForLog(procs.srv, re(`DHCPACK on ${address} to ${mac} via ${RELAY_DOWN}`));
  await waitForLog(procs.relay, `Forwarded BOOTREPLY for ${mac} to ${address}`);
  return address;
}

test('leasehold relay -i down0: a down0 created after the start is relayed on, no restart', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await upstreamOnly(lab);
  const srv = await startLeasehold(lab, net.server, serverFiles(dir, relayedConf()));
  const relay = await startLeaseholdRelay(lab, net.relay);
  assert.doesNotMatch(relay.stderr(), /^Listening on .*\/down0\//m, 'down0 does not exist yet');
  const mark = relay.stderr().length;
  const [, cli] = await lab.veth(net.relay, net.client, { aIf: 'down0', bIf: 'ep0', aAddr: `${RELAY_DOWN}/24` });
  await waitForLog(relay, /^Listening on LPF\/down0\//, { from: mark });
  await binds(lab, net.client, cli.mac, { relay, srv }, dir, 'late-veth');
  assert.equal((await relay.stop(5000)).code, 0);
  assert.equal((await srv.stop(5000)).code, 0);
});

test('leasehold relay (no interface named): an address added to down0 after the start is relayed on, no restart', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await upstreamOnly(lab);
  const [, cli] = await lab.veth(net.relay, net.client, { aIf: 'down0', bIf: 'ep0' });
  const srv = await startLeasehold(lab, net.server, serverFiles(dir, relayedConf()));
  const relay = await startLeaseholdRelay(lab, net.relay, [], SERVER, []);
  assert.match(relay.stderr(), /^Listening on LPF\/up0\//m);
  assert.doesNotMatch(relay.stderr(), /^Listening on .*\/down0\//m, 'down0 has no address yet');
  const mark = relay.stderr().length;
  await lab.addAddress(net.relay, 'down0', `${RELAY_DOWN}/24`);
  await waitForLog(relay, /^Listening on LPF\/down0\//, { from: mark });
  await binds(lab, net.client, cli.mac, { relay, srv }, dir, 'late-address');
  assert.equal((await relay.stop(5000)).code, 0);
  assert.equal((await srv.stop(5000)).code, 0);
});
