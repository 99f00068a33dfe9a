// `leasehold client` against Kea, dnsmasq and Leasehold's own server: the built-in script (`-sf builtin`) puts the address and the
// default route on ep0, and the client renews by unicast at T1 (10 s) and stays bound.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, type TestContext, test } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { serverFiles, startLeasehold } from '../server/harness.js';
import {
  addressesAndRoute,
  DNSMASQ,
  dhcpdConf,
  KEA,
  privateResolvConf,
  requireBinary,
  startClient,
  startDnsmasq,
  startKea,
  tempDir,
  topology,
  waitFor,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

type Start = (lab: Lab, ns: Netns, dir: string) => Promise<Spawned>;

const PEERS: { name: string; binary: string; start: Start }[] = [
  // Kea: 20 s leases, T1 10 s, T2 17 s.
  { name: 'Kea', binary: KEA, start: (lab, ns, dir) => startKea(lab, ns, dir, 20) },
  // dnsmasq's shortest lease is 2 minutes; T1 is set to 10 s with option 58.
  {
    name: 'dnsmasq',
    binary: DNSMASQ,
    start: (lab, ns, dir) => startDnsmasq(lab, ns, dir, 120, ['--dhcp-option=option:T1,10']),
  },
  // Leasehold's own server (started as its end-to-end tests start it), with 20 s leases.
  {
    name: 'Leasehold server',
    binary: process.execPath,
    start: (lab, ns, dir) => startLeasehold(lab, ns, serverFiles(dir, dhcpdConf(20))),
  },
];

async function leaseAndRenew(t: TestContext, peer: (typeof PEERS)[number]): Promise<void> {
  if (!requireRoot(t) || !requireBinary(t, peer.binary)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const srv = await peer.start(lab, server, dir);
  const resolvConf = privateResolvConf(dir);
  const proc = startClient(lab, client, { dir, script: 'builtin', privateEtc: true });
  try {
    const bound = await waitFor(() => /bound to (\S+) -- renewal/.exec(proc.stderr())?.[1], 20_000, 'bound');
    const re = bound.replaceAll('.', '\\.');
    const { addr, route } = await addressesAndRoute(lab, client);
    assert.match(addr, new RegExp(`inet ${re}/24 `), addr);
    assert.match(route, /default via 192\.0\.2\.1 dev ep0/, route);
    assert.match(readFileSync(resolvConf, 'utf8'), /^nameserver 192\.0\.2\.53$/m);
    await waitFor(
      () => new RegExp(`DHCPREQUEST for ${re} on ep0 to 192\\.0\\.2\\.1 port 67`).test(proc.stderr()) || undefined,
      15_000,
      'unicast renewal',
    );
    await waitFor(() => (proc.stderr().match(/bound to /g) ?? []).length >= 2 || undefined, 8000, 'renewed');
    assert.match(proc.stderr(), new RegExp(`bound to ${re} -- renewal`));
  } catch (e) {
    const r = await proc.stop(500);
    throw new Error(
      `${(e as Error).message}\n--- client stderr\n${r.stderr}\n--- ${peer.name}\n${srv.stdout()}${srv.stderr()}`,
    );
  }
  const r = await proc.stop(2000);
  assert.equal(r.code, 0, r.stderr);
}

for (const peer of PEERS) {
  test(`${peer.name}: a lease configured by the built-in script, renewed by unicast`, (t) => leaseAndRenew(t, peer));
}
