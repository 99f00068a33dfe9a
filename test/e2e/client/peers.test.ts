// `leasehold client` against ISC dhcpd, Kea, dnsmasq and Leasehold's own server (concurrently): the built-in
// script (`-sf builtin`) puts the address and the default route on ep0, and the client renews by unicast at T1
// (10 s: 20 s leases; dnsmasq's lease is 2 minutes and the client is told 20 s, see harness.ts serverPeers) and
// stays bound.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import {
  addressesAndRoute,
  privateResolvConf,
  requireBinary,
  type ServerPeer,
  serialized,
  serverPeers,
  startClient,
  tempDir,
  topology,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

async function leaseAndRenew(t: TestContext, peer: ServerPeer): Promise<void> {
  if (!requireRoot(t) || !requireBinary(t, peer.binary)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await serialized(() => topology(lab));
  const srv = await peer.start(lab, server, dir, false);
  const resolvConf = privateResolvConf(dir);
  let conf: string | undefined;
  if (peer.clientConf !== undefined) {
    conf = join(dir, 'dhclient.conf');
    writeFileSync(conf, peer.clientConf);
  }
  const proc = startClient(lab, client, {
    dir,
    script: 'builtin',
    privateEtc: true,
    ...(conf !== undefined ? { conf } : {}),
  });
  try {
    const log = { name: 'client stderr' };
    const [bound = ''] = (await waitForLog(proc, /bound to (\S+) -- renewal/, log)).groups;
    const re = bound.replaceAll('.', '\\.');
    const { addr, route } = await addressesAndRoute(lab, client);
    assert.match(addr, new RegExp(`inet ${re}/24 `), addr);
    assert.match(route, /default via 192\.0\.2\.1 dev ep0/, route);
    assert.match(readFileSync(resolvConf, 'utf8'), /^nameserver 192\.0\.2\.53$/m);
    await waitForLog(proc, new RegExp(`DHCPREQUEST for ${re} on ep0 to 192\\.0\\.2\\.1 port 67`), log);
    const renewed = await waitForLog(proc, /bound to (\S+) -- renewal/, { ...log, count: 2 });
    assert.equal(renewed.groups[0], bound, 'renewed: the same address');
  } catch (e) {
    const r = await proc.stop(500);
    throw new Error(
      `${(e as Error).message}\n--- client stderr\n${r.stderr}\n--- ${peer.name}\n${srv.stdout()}${srv.stderr()}`,
    );
  }
  const r = await proc.stop(2000);
  assert.equal(r.code, 0, r.stderr);
}

describe('a lease configured by the built-in script, renewed by unicast', { concurrency: true }, () => {
  for (const peer of serverPeers(20)) it(peer.name, (t) => leaseAndRenew(t, peer));
});
