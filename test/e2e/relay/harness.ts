// Shared set-up of the relay's end-to-end tests: three namespaces, routed.
//
//   client ns  ep0 (no address; dhclient)  ──  down0 192.0.2.1/24   relay ns   up0 198.51.100.1/24  ──  srv0 198.51.100.2/24  server ns
//
// The relay namespace forwards IP (net.ipv4.ip_forward=1 in that namespace only), so a bound client renews
// by unicast straight to the server: the client has a route to 198.51.100.0/24 through 192.0.2.1, the server
// a route to 192.0.2.0/24 through 198.51.100.1. The servers (ISC dhcpd, Leasehold's) serve 192.0.2.0/24 with
// short lease times (renewal at 4 s) and know their own 198.51.100.0/24.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, Netns } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitForLog } from '../lib/wait.js';
import { REPO } from '../server/harness.js';

export const RELAY_DOWN = '192.0.2.1';
export const RELAY_UP = '198.51.100.1';
export const SERVER = '198.51.100.2';

export interface RelayLab {
  client: Netns;
  relay: Netns;
  server: Netns;
  clientMac: string;
}

/**
 * `serverRoute: false` leaves out the server's route to the client subnet: the server can then answer only
 * the relay's upstream address (the case RFC 3527 link selection, -U, is for).
 */
export async function relayTopology(lab: Lab, opts: { serverRoute?: boolean } = {}): Promise<RelayLab> {
  const client = await lab.netns();
  const relay = await lab.netns();
  const server = await lab.netns();
  const [, cli] = await lab.veth(relay, client, { aIf: 'down0', bIf: 'ep0', aAddr: `${RELAY_DOWN}/24` });
  await lab.veth(relay, server, { aIf: 'up0', bIf: 'srv0', aAddr: `${RELAY_UP}/24`, bAddr: `${SERVER}/24` });
  await lab.sysctl(relay, 'net.ipv4.ip_forward', '1');
  await lab.ip(['-n', client.name, 'route', 'add', '198.51.100.0/24', 'via', RELAY_DOWN, 'dev', 'ep0', 'onlink']);
  if (opts.serverRoute !== false) {
    await lab.ip(['-n', server.name, 'route', 'add', '192.0.2.0/24', 'via', RELAY_UP, 'dev', 'srv0']);
  }
  return { client, relay, server, clientMac: cli.mac };
}

/** For ISC dhcpd and Leasehold's server alike: the relayed subnet with renewal at 4 s, and the server's own. */
export function relayedConf(): string {
  return `default-lease-time 60;
max-lease-time 60;
authoritative;
ddns-update-style none;
option domain-name "example.test";
subnet 198.51.100.0 netmask 255.255.255.0 {
}
subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  option dhcp-renewal-time 4;
  option dhcp-rebinding-time 40;
  range 192.0.2.100 192.0.2.199;
}
`;
}

/** The seed dhclient.conf, retrying every second or two. */
export function clientConf(dir: string): string {
  const path = join(dir, 'dhclient-relay.conf');
  writeFileSync(
    path,
    'request subnet-mask, routers, domain-name, dhcp-renewal-time;\ninitial-interval 1;\nbackoff-cutoff 2;\n',
  );
  return path;
}

/**
 * `leasehold relay -d` in the relay namespace, waited for until it serves; `named` are its interface flags
 * (default -i down0 -i up0; [] for every broadcast interface).
 */
export async function startLeaseholdRelay(
  lab: Lab,
  ns: Netns,
  extra: string[] = [],
  server = SERVER,
  named: string[] = ['-i', 'down0', '-i', 'up0'],
): Promise<Spawned> {
  const args = [join(REPO, 'bin/leasehold'), 'relay', '-d', ...named, ...extra, server];
  const proc = lab.spawn(ns, process.execPath, args, { timeoutMs: 90_000 });
  await waitForLog(proc, /^Relay agent starting service\.$/, { name: 'relay stderr' }).catch(async (e: Error) => {
    await proc.stop(500);
    throw e;
  });
  return proc;
}

/** ISC dhcrelay -d in the relay namespace. */
export async function startIscRelay(lab: Lab, ns: Netns, extra: string[] = []): Promise<Spawned> {
  const args = ['-d', '-4', '--no-pid', '-i', 'down0', '-i', 'up0', ...extra, SERVER];
  const proc = lab.spawn(ns, '/usr/sbin/dhcrelay', args, { timeoutMs: 90_000 });
  await waitForLog(proc, /^Sending on +Socket\/fallback/, { name: 'dhcrelay stderr' }).catch(async (e: Error) => {
    await proc.stop(500);
    throw e;
  });
  return proc;
}

/** ISC dhcpd -d in the server namespace, on srv0 (or `ifaces`), with relayedConf() (or `confText`). */
export async function startDhcpd(
  lab: Lab,
  ns: Netns,
  dir: string,
  confText = relayedConf(),
  ifaces: string[] = ['srv0'],
): Promise<Spawned & { leases: string }> {
  const conf = join(dir, 'dhcpd.conf');
  const leases = join(dir, 'dhcpd.leases');
  writeFileSync(conf, confText);
  writeFileSync(leases, '');
  const args = ['-4', '-f', '-d', '-cf', conf, '-lf', leases, '-pf', join(dir, 'dhcpd.pid'), ...ifaces];
  const proc = lab.spawn(ns, '/usr/sbin/dhcpd', args, { timeoutMs: 90_000 });
  await waitForLog(proc, /Server starting service\./, { name: 'dhcpd stderr' });
  return Object.assign(proc, { leases });
}

/** tshark decoding DHCP on `ifname` in full (-V), live, until stopped; resolves once it is capturing. */
export async function startCapture(lab: Lab, ns: Netns, ifname: string): Promise<Spawned> {
  const args = ['-l', '-i', ifname, '-f', 'udp port 67 or udp port 68', '-a', 'duration:80', '-V'];
  const cap = lab.spawn(ns, 'tshark', args, { timeoutMs: 90_000 });
  await waitForLog(cap, /Capturing on/, { name: 'tshark stderr' });
  return cap;
}

/** The frames a capture printed so far (complete ones: each is followed by the next, or by the end). */
export function frames(cap: Spawned): string[] {
  return cap
    .stdout()
    .split(/\n(?=Frame \d+:)/)
    .filter((f) => f.startsWith('Frame '));
}

/**
 * Drops the client subnet's unicast to the servers' port 67 as the relay namespace routes it (its FORWARD
 * hook, nftables): a bound client's renewals no longer reach the server, while the relay's own forwards
 * (sent from the relay, not routed through it) and the client's broadcasts (which end at the relay) pass.
 * Only inside this lab's relay namespace. Returns a reader of how many packets the rule dropped.
 */
export async function blockRoutedRenewals(lab: Lab, relay: Netns): Promise<() => Promise<number>> {
  const rules = `table ip lh_block {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr 192.0.2.0/24 udp dport 67 counter drop
  }
}
`;
  const added = await lab.run(relay, '/usr/sbin/nft', ['-f', '-'], { stdin: rules });
  if (added.code !== 0) throw new Error(`nft -f: ${added.stderr}`);
  return async () => {
    const listed = await lab.run(relay, '/usr/sbin/nft', ['list', 'table', 'ip', 'lh_block']);
    return Number(/counter packets (\d+)/.exec(listed.stdout)?.[1] ?? 'NaN');
  };
}

export const RELAY2_DOWN = '192.0.2.129';
export const RELAY2_UP = '203.0.113.1';
export const SERVER2 = '203.0.113.2';

export interface TwoRelayLab {
  server: Netns;
  relays: [Netns, Netns];
  clients: [Netns, Netns];
  clientMacs: [string, string];
}

/**
 * Two relays in front of one server, each with a client subnet of its own:
 *
 *   client1 ep0 ── down0 192.0.2.1/25   relay1 up0 198.51.100.1/24 ── srv0 198.51.100.2/24 ┐
 *                                                                                         server
 *   client2 ep0 ── down0 192.0.2.129/25 relay2 up0 203.0.113.1/24  ── srv1 203.0.113.2/24  ┘
 *
 * Both relays forward IP; the server routes each client subnet back through its relay. The clients' MACs
 * are fixed, so the addresses a server hands out can be compared between runs and servers.
 */
export async function twoRelayTopology(lab: Lab): Promise<TwoRelayLab> {
  const server = await lab.netns();
  const relay1 = await lab.netns();
  const relay2 = await lab.netns();
  const client1 = await lab.netns();
  const client2 = await lab.netns();
  const mac1 = '02:00:00:00:01:01';
  const mac2 = '02:00:00:00:02:01';
  await lab.veth(relay1, client1, { aIf: 'down0', bIf: 'ep0', aAddr: `${RELAY_DOWN}/25`, bMac: mac1 });
  await lab.veth(relay2, client2, { aIf: 'down0', bIf: 'ep0', aAddr: `${RELAY2_DOWN}/25`, bMac: mac2 });
  await lab.veth(relay1, server, { aIf: 'up0', bIf: 'srv0', aAddr: `${RELAY_UP}/24`, bAddr: `${SERVER}/24` });
  await lab.veth(relay2, server, { aIf: 'up0', bIf: 'srv1', aAddr: `${RELAY2_UP}/24`, bAddr: `${SERVER2}/24` });
  for (const relay of [relay1, relay2]) await lab.sysctl(relay, 'net.ipv4.ip_forward', '1');
  await lab.ip(['-n', client1.name, 'route', 'add', '198.51.100.0/24', 'via', RELAY_DOWN, 'dev', 'ep0', 'onlink']);
  await lab.ip(['-n', client2.name, 'route', 'add', '203.0.113.0/24', 'via', RELAY2_DOWN, 'dev', 'ep0', 'onlink']);
  await lab.ip(['-n', server.name, 'route', 'add', '192.0.2.0/25', 'via', RELAY_UP, 'dev', 'srv0']);
  await lab.ip(['-n', server.name, 'route', 'add', '192.0.2.128/25', 'via', RELAY2_UP, 'dev', 'srv1']);
  return { server, relays: [relay1, relay2], clients: [client1, client2], clientMacs: [mac1, mac2] };
}

/**
 * The server's configuration for twoRelayTopology: its own two subnets and the two client subnets,
 * 192.0.2.0/25 (range .10-.19) and 192.0.2.128/25 (range .140-.149), either as two separate subnets or
 * both in one shared-network.
 */
export function twoRelayConf(shared: boolean): string {
  const clientSubnets = `subnet 192.0.2.0 netmask 255.255.255.128 {
  option routers 192.0.2.1;
  range 192.0.2.10 192.0.2.19;
}
subnet 192.0.2.128 netmask 255.255.255.128 {
  option routers 192.0.2.129;
  range 192.0.2.140 192.0.2.149;
}
`;
  return `default-lease-time 600;
max-lease-time 600;
authoritative;
ddns-update-style none;
subnet 198.51.100.0 netmask 255.255.255.0 {
}
subnet 203.0.113.0 netmask 255.255.255.0 {
}
${shared ? `shared-network campus {\n${clientSubnets.replace(/^/gm, '  ').trimEnd()}\n}\n` : clientSubnets}`;
}
