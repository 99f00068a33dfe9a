// Shared by the failover end-to-end tests: two servers and N clients on one link (a bridge in a switch
// namespace), failover configurations for either role, and the lease files' view of each address.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { hbaBucketIsPrimary, loadBalanceHash, makeHba } from '../../../src/failover/load-balance.js';
import type { Lab, Netns } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitForLog } from '../lib/wait.js';
import { type ServerFiles, serverFiles, startLeasehold } from '../server/harness.js';

export const DHCPD = '/usr/sbin/dhcpd';
export const ADDR = { a: '192.0.2.1', b: '192.0.2.2' } as const;
export const FAILOVER_PORT = 8647;

export interface Link {
  a: Netns;
  b: Netns;
  clients: { ns: Netns; mac: string }[];
}

/** Client MACs whose hash (split 128) gives the first `primary` to the primary and the next `secondary` to the secondary. */
export function splitMacs(primary: number, secondary: number): string[] {
  const hba = makeHba(128);
  const mine: string[] = [];
  const theirs: string[] = [];
  for (let i = 1; i < 256 && (mine.length < primary || theirs.length < secondary); i++) {
    const mac = [0x52, 0x54, 0x00, 0xfa, 0x00, i];
    const text = mac.map((b) => b.toString(16).padStart(2, '0')).join(':');
    if (hbaBucketIsPrimary(hba, loadBalanceHash(Uint8Array.from(mac)))) {
      if (mine.length < primary) mine.push(text);
    } else if (theirs.length < secondary) theirs.push(text);
  }
  return [...mine, ...theirs];
}

/** Servers a (192.0.2.1) and b (192.0.2.2), each on srv0, and one namespace per MAC on ep0, all bridged. */
export async function failoverLink(lab: Lab, macs: readonly string[]): Promise<Link> {
  const sw = await lab.netns();
  await lab.ip(['-n', sw.name, 'link', 'add', 'br0', 'type', 'bridge']);
  await lab.ip(['-n', sw.name, 'link', 'set', 'br0', 'up']);
  const attach = async (ns: Netns, port: string, ifname: string, addr?: string, mac?: string) => {
    await lab.veth(sw, ns, {
      aIf: port,
      bIf: ifname,
      ...(addr ? { bAddr: `${addr}/24` } : {}),
      ...(mac ? { bMac: mac } : {}),
    });
    await lab.ip(['-n', sw.name, 'link', 'set', port, 'master', 'br0']);
  };
  const a = await lab.netns();
  const b = await lab.netns();
  await attach(a, 'pa', 'srv0', ADDR.a);
  await attach(b, 'pb', 'srv0', ADDR.b);
  const clients: Link['clients'] = [];
  for (const [i, mac] of macs.entries()) {
    const ns = await lab.netns();
    await attach(ns, `pc${i}`, 'ep0', undefined, mac);
    clients.push({ ns, mac });
  }
  return { a, b, clients };
}

export interface PeerOptions {
  mclt?: number;
  autoPartnerDown?: number;
  leaseTime?: number;
}

/** dhcpd.conf of server `me` ('a' or 'b') in `role`, its partner the other one. */
export function failoverConf(me: 'a' | 'b', role: 'primary' | 'secondary', o: PeerOptions = {}): string {
  const peer = me === 'a' ? 'b' : 'a';
  return `authoritative;
ddns-update-style none;
default-lease-time ${o.leaseTime ?? 600};
max-lease-time ${o.leaseTime ?? 600};
option domain-name-servers 192.0.2.53;
failover peer "pair" {
  ${role};
  address ${ADDR[me]};
  port ${FAILOVER_PORT};
  peer address ${ADDR[peer]};
  peer port ${FAILOVER_PORT};
  max-response-delay 10;
  max-unacked-updates 10;
  load balance max seconds 3;
${o.autoPartnerDown !== undefined ? `  auto-partner-down ${o.autoPartnerDown};\n` : ''}${role === 'primary' ? `  mclt ${o.mclt ?? 30};\n  split 128;\n` : ''}}
subnet 192.0.2.0 netmask 255.255.255.0 {
  pool {
    failover peer "pair";
    deny dynamic bootp clients;
    range 192.0.2.100 192.0.2.119;
  }
}
`;
}

/** The files of server `tag` in its own directory under `dir`: the configuration written, the lease file kept. */
export function files(dir: string, tag: string, conf: string): ServerFiles {
  const d = join(dir, tag);
  mkdirSync(d, { recursive: true });
  return serverFiles(d, conf);
}

export async function startOurs(lab: Lab, ns: Netns, f: ServerFiles): Promise<Spawned> {
  return startLeasehold(lab, ns, f);
}

export async function startIsc(lab: Lab, ns: Netns, f: ServerFiles): Promise<Spawned> {
  const proc = lab.spawn(ns, DHCPD, ['-4', '-f', '-d', '-cf', f.conf, '-lf', f.leases, '-pf', f.pid, 'srv0'], {
    timeoutMs: 120_000,
  });
  await waitForLog(proc, /^Server starting service\.$/, { name: 'dhcpd stderr' }).catch(async (e: Error) => {
    await proc.stop(500);
    throw e;
  });
  return proc;
}

export function requireDhcpd(t: TestContext): boolean {
  try {
    readFileSync(DHCPD);
    return true;
  } catch {
    t.skip(`${DHCPD} not installed`);
    return false;
  }
}

/** The last record of every address in a lease file: binding state and hardware address. */
export function leaseView(path: string): Map<string, { state: string; hw: string }> {
  const out = new Map<string, { state: string; hw: string }>();
  for (const block of readFileSync(path, 'latin1').split(/\n(?=lease )/)) {
    const ip = /^lease (\S+) \{/.exec(block)?.[1];
    if (ip === undefined) continue;
    const state = /\n {2}binding state (\S+);/.exec(block)?.[1] ?? '?';
    const hw = /\n {2}hardware ethernet (\S+);/.exec(block)?.[1] ?? '';
    out.set(ip, { state, hw });
  }
  return out;
}

/** The addresses held by an active lease, with their MACs, sorted. */
export function activeLeases(path: string): string[] {
  return [...leaseView(path)]
    .filter(([, v]) => v.state === 'active')
    .map(([ip, v]) => `${ip} ${v.hw}`)
    .sort();
}

export type ServerKind = 'leasehold' | 'isc';

/** Starts Leasehold's server or ISC dhcpd on srv0 of `ns`, waiting for "Server starting service.". */
export function startServer(lab: Lab, ns: Netns, kind: ServerKind, f: ServerFiles): Promise<Spawned> {
  return kind === 'isc' ? startIsc(lab, ns, f) : startOurs(lab, ns, f);
}
