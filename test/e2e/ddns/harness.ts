// Leasehold's server with dynamic DNS against BIND named, both in the server namespace (named on a second
// address of the link, 192.0.2.53), and ISC dhclient clients on a bridge: what the DDNS end-to-end tests share.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Lab, Netns } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import {
  bridgedTopology,
  type ServerFiles,
  serverFiles,
  startLeasehold,
  tempDir,
  UDP_ONLY,
} from '../server/harness.js';
import { type Bind, startBind } from './bind.js';

export const DNS_ADDR = '192.0.2.53';
export const KEY_NAME = 'ddns-key';
export const FWD_ZONE = 'example.org.';
export const REV_ZONE = '2.0.192.in-addr.arpa.';

export interface DdnsLab {
  server: Netns;
  clients: { ns: Netns; mac: string }[];
  bind: Bind;
  dir: string;
  secret: string;
}

/** A bridge with `n` client namespaces, named serving both zones to `ddns-key` (hmac-sha256). */
export async function ddnsLab(t: TestContext, lab: Lab, n: number): Promise<DdnsLab> {
  const topo = await bridgedTopology(lab, n);
  await lab.addAddress(topo.server, 'srv0', `${DNS_ADDR}/24`);
  const secret = randomBytes(32).toString('base64');
  const bind = await startBind(t, lab, topo.server, {
    address: DNS_ADDR,
    keys: [{ name: KEY_NAME, algorithm: 'hmac-sha256', secret }],
    zones: [
      { name: FWD_ZONE, updateKey: KEY_NAME },
      { name: REV_ZONE, updateKey: KEY_NAME },
    ],
  });
  return { server: topo.server, clients: topo.clients, bind, dir: tempDir(t), secret };
}

/** dhcpd.conf with DDNS on (`style`), the key's secret given (or a wrong one), leases of `leaseTime` s. */
export function ddnsConf(opts: {
  style: 'standard' | 'interim';
  secret: string;
  leaseTime?: number;
  extra?: string;
}): string {
  const lease = opts.leaseTime ?? 600;
  return `ddns-update-style ${opts.style};
ddns-domainname "example.org";
ddns-rev-domainname "in-addr.arpa.";
authoritative;
default-lease-time ${lease};
max-lease-time ${lease};
${opts.extra ?? ''}
key ${KEY_NAME} { algorithm hmac-sha256; secret "${opts.secret}"; }
zone ${FWD_ZONE} { primary ${DNS_ADDR}; key ${KEY_NAME}; }
zone ${REV_ZONE} { primary ${DNS_ADDR}; key ${KEY_NAME}; }
subnet 192.0.2.0 netmask 255.255.255.0 {
  range 192.0.2.100 192.0.2.150;
}
`;
}

/** A dhclient.conf for ep0 that sends `lines` (host-name, fqdn...). */
export function clientConf(dir: string, tag: string, lines: string[]): string {
  const path = join(dir, `${tag}.conf`);
  writeFileSync(
    path,
    `interface "ep0" {\n  request subnet-mask, routers, domain-name, host-name;\n${lines.map((l) => `  ${l}\n`).join('')}}\n`,
  );
  return path;
}

export async function startServer(lab: Lab, ns: Netns, files: ServerFiles, extra: string[] = []): Promise<Spawned> {
  return startLeasehold(lab, ns, files, extra, UDP_ONLY);
}

export { serverFiles };
