// Relayed topologies beyond one client behind one relay: a client whose unicast path to the server is cut
// rebinds at T2 by broadcast, through `leasehold relay`, and keeps its address; two relays on two subnets in
// front of one server, as two separate subnets and as one shared-network, where Leasehold's server must hand
// out what ISC dhcpd hands out in the same topology.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Lab } from '../lib/netns.js';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import { requireTool, serverFiles, startDhclient, startLeasehold, tempDir } from '../server/harness.js';
import {
  blockRoutedRenewals,
  clientConf,
  RELAY_DOWN,
  RELAY2_DOWN,
  relayTopology,
  SERVER,
  SERVER2,
  startDhcpd,
  startLeaseholdRelay,
  twoRelayConf,
  twoRelayTopology,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const esc = (s: string) => s.replaceAll('.', '\\.');
const re = (s: string) => new RegExp(esc(s));

/** 20 s leases, T1 at 4 s and T2 at 8 s, so that a client whose renewals go nowhere rebinds soon. */
const SHORT_LEASES = `default-lease-time 20;
max-lease-time 20;
authoritative;
ddns-update-style none;
subnet 198.51.100.0 netmask 255.255.255.0 {
}
subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  option dhcp-renewal-time 4;
  option dhcp-rebinding-time 8;
  range 192.0.2.100 192.0.2.199;
}
`;

test('leasehold relay: a client that cannot reach the server by unicast rebinds through the relay at T2', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, '/usr/sbin/nft')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await relayTopology(lab);
  const dropped = await blockRoutedRenewals(lab, net.relay);
  const srv = await startLeasehold(lab, net.server, serverFiles(dir, SHORT_LEASES));
  const relay = await startLeaseholdRelay(lab, net.relay);
  const dhc = startDhclient(lab, net.client, dir, 'rebind', { configure: true, conf: clientConf(dir) });
  const bound = await dhc.waitFor('BOUND', 30_000);
  const address = bound.get('new_ip_address') ?? '';
  assert.match(address, /^192\.0\.2\.1\d\d$/);
  assert.equal(bound.get('new_dhcp_rebinding_time'), '8');
  const mark = dhc.proc.stderr().length;

  // dhclient 4.4 runs its script with RENEW after a rebind too; its own log tells the two apart: a broadcast
  // REQUEST for the bound address past T2, ACKed through the relay (dhclient names the reply's IP source).
  const rebind = new RegExp(
    `DHCPREQUEST for ${esc(address)} on ep0 to 255\\.255\\.255\\.255 port 67\\n(?:.*\\n)*?DHCPACK of ${esc(address)} from ${esc(RELAY_DOWN)}`,
  );
  await waitFor(() => rebind.test(dhc.proc.stderr().slice(mark)), {
    timeoutMs: 40_000,
    what: 'a broadcast rebind, ACKed',
    seen: () => `--- dhclient\n${dhc.proc.stderr()}\n--- relay\n${relay.stderr()}\n--- server\n${srv.stderr()}`,
  });
  const since = dhc.proc.stderr().slice(mark);
  const beforeRebind = since.slice(0, since.search(rebind));
  assert.match(beforeRebind, re(`DHCPREQUEST for ${address} on ep0 to ${SERVER} port 67`), 'unicast tried first');
  assert.doesNotMatch(beforeRebind, /DHCPDISCOVER/, 'rebound without losing the lease first');
  const renewed = await dhc.waitFor('RENEW', 10_000);
  assert.equal(renewed.get('new_ip_address'), address, 'kept its address');
  assert.ok((await dropped()) > 0, 'the unicast renewals were dropped in the relay namespace');

  // The rebinding REQUEST reached the server through the relay (giaddr, no server identifier), and the ACK
  // went back through it: OFFER, ACK, then the rebind's ACK.
  await waitForLog(srv, new RegExp(`DHCPREQUEST for ${esc(address)} from ${net.clientMac} via ${esc(RELAY_DOWN)}$`));
  await waitForLog(relay, `Forwarded BOOTREPLY for ${net.clientMac} to ${address}`, { count: 3 });
  await dhc.stop();
  const relayLog = (await relay.stop(5000)).stderr;
  const serverOut = await srv.stop(5000);
  assert.equal(serverOut.code, 0, serverOut.stderr);
  assert.doesNotMatch(serverOut.stderr, /via srv0/, 'no unicast renewal reached the server');
  assert.match(relayLog, /^Dropped 0 packets\.$/m);
});

interface Bound {
  address: string;
  routers: string;
  mask: string;
}

/**
 * twoRelayTopology with `server` serving twoRelayConf(shared) and `leasehold relay` on each relay; client 1
 * binds, then client 2 (one after the other, so the order of allocation is the same for every server).
 */
async function twoRelays(lab: Lab, dir: string, server: 'isc' | 'leasehold', shared: boolean): Promise<Bound[]> {
  const net = await twoRelayTopology(lab);
  const conf = twoRelayConf(shared);
  let srv: Spawned;
  if (server === 'isc') srv = await startDhcpd(lab, net.server, dir, conf, ['srv0', 'srv1']);
  else srv = await startLeasehold(lab, net.server, serverFiles(dir, conf), ['srv1']);
  const relays = [
    await startLeaseholdRelay(lab, net.relays[0]),
    await startLeaseholdRelay(lab, net.relays[1], [], SERVER2),
  ];
  const giaddrs = [RELAY_DOWN, RELAY2_DOWN];
  const out: Bound[] = [];
  for (const k of [0, 1] as const) {
    const dhc = startDhclient(lab, net.clients[k], dir, `c${k + 1}`, { conf: clientConf(dir) });
    const env = await dhc.waitFor('BOUND', 30_000);
    await dhc.stop();
    const b = {
      address: env.get('new_ip_address') ?? '',
      routers: env.get('new_routers') ?? '',
      mask: env.get('new_subnet_mask') ?? '',
    };
    out.push(b);
    const mac = net.clientMacs[k];
    await waitForLog(relays[k]!, `Forwarded BOOTREPLY for ${mac} to ${b.address}`);
    await waitForLog(srv, re(`DHCPACK on ${b.address} to ${mac} via ${giaddrs[k]}`), { name: `${server} stderr` });
  }
  // Neither relay saw the other client.
  for (const k of [0, 1] as const) assert.doesNotMatch(relays[k]!.stderr(), re(net.clientMacs[1 - k]!));
  for (const r of relays) assert.equal((await r.stop(5000)).code, 0);
  await srv.stop(5000);
  return out;
}

const inFirst = /^192\.0\.2\.1\d$/; // range 192.0.2.10-19 of 192.0.2.0/25
const inSecond = /^192\.0\.2\.14\d$/; // range 192.0.2.140-149 of 192.0.2.128/25

for (const server of ['leasehold', 'isc'] as const) {
  test(`two relays, two subnets, one server (${server === 'isc' ? 'ISC dhcpd' : "Leasehold's"}): each client gets an address of its relay's subnet`, async (t) => {
    if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
    if (server === 'isc' && !requireTool(t, '/usr/sbin/dhcpd')) return;
    const lab = createLab(t);
    const [one, two] = await twoRelays(lab, tempDir(t), server, false);
    assert.match(one!.address, inFirst);
    assert.deepEqual([one!.routers, one!.mask], ['192.0.2.1', '255.255.255.128']);
    assert.match(two!.address, inSecond);
    assert.deepEqual([two!.routers, two!.mask], ['192.0.2.129', '255.255.255.128']);
  });
}

// One shared-network holding both client subnets: ISC allocates from the shared network's pools, whichever
// subnet giaddr names (allocate_lease walks the network's pools in declaration order and takes the free
// lease that ended first; fresh ones tie, so the first pool wins): ISC dhcpd 4.4.3 gives both clients an
// address of the first subnet, with that subnet's options. Both servers are run in the same topology, must
// give that, and must agree with each other.
const SHARED_AS_ISC: Bound[] = [
  { address: '192.0.2.10', routers: '192.0.2.1', mask: '255.255.255.128' },
  { address: '192.0.2.11', routers: '192.0.2.1', mask: '255.255.255.128' },
];
const sharedResults = new Map<string, Bound[]>();

for (const server of ['isc', 'leasehold'] as const) {
  test(`two relays, one shared-network (${server === 'isc' ? 'ISC dhcpd' : "Leasehold's server"}): addresses from the shared network's pools, as ISC gives them`, async (t) => {
    if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
    if (server === 'isc' && !requireTool(t, '/usr/sbin/dhcpd')) return;
    const lab = createLab(t);
    const got = await twoRelays(lab, tempDir(t), server, true);
    sharedResults.set(server, got);
    t.diagnostic(`${server}: ${got.map((b) => `${b.address} routers ${b.routers}`).join('; ')}`);
    assert.deepEqual(got, SHARED_AS_ISC);
    const isc = sharedResults.get('isc');
    if (server === 'leasehold' && isc !== undefined)
      assert.deepEqual(got, isc, "Leasehold's server gives what ISC gave");
  });
}
