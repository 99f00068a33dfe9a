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

export async function relayTopology(lab: Lab): Promise<RelayLab> {
  const client = await lab.netns();
  const relay = await lab.netns();
  const server = await lab.netns();
  const [, cli] = await lab.veth(relay, client, { aIf: 'down0', bIf: 'ep0', aAddr: `${RELAY_DOWN}/24` });
  await lab.veth(relay, server, { aIf: 'up0', bIf: 'srv0', aAddr: `${RELAY_UP}/24`, bAddr: `${SERVER}/24` });
  await lab.sysctl(relay, 'net.ipv4.ip_forward', '1');
  await lab.ip(['-n', client.name, 'route', 'add', '198.51.100.0/24', 'via', RELAY_DOWN, 'dev', 'ep0', 'onlink']);
  await lab.ip(['-n', server.name, 'route', 'add', '192.0.2.0/24', 'via', RELAY_UP, 'dev', 'srv0']);
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

/** `leasehold relay -d` in the relay namespace, waited for until it serves. */
export async function startLeaseholdRelay(lab: Lab, ns: Netns, extra: string[] = []): Promise<Spawned> {
  const args = [join(REPO, 'bin/leasehold'), 'relay', '-d', '-i', 'down0', '-i', 'up0', ...extra, SERVER];
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

/** ISC dhcpd -d on srv0 in the server namespace. */
export async function startDhcpd(lab: Lab, ns: Netns, dir: string): Promise<Spawned & { leases: string }> {
  const conf = join(dir, 'dhcpd.conf');
  const leases = join(dir, 'dhcpd.leases');
  writeFileSync(conf, relayedConf());
  writeFileSync(leases, '');
  const args = ['-4', '-f', '-d', '-cf', conf, '-lf', leases, '-pf', join(dir, 'dhcpd.pid'), 'srv0'];
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
