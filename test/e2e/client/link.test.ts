// Link down and up (an addition to ISC dhclient, which does not watch the link; dhcpcd does the same): while the
// client is bound, srv0 (the server's end of the veth pair) goes down, so ep0 loses its carrier, and comes back
// up; the client confirms its lease by INIT-REBOOT (a broadcast REQUEST for its address, no ciaddr) and the
// script runs REBOOT with the same address, which stays on ep0 with the default route throughout. One scenario
// for the four servers, run concurrently. 60 s leases: no renewal (T1 30 s) gets in the way.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import {
  configured,
  countEvents,
  privateResolvConf,
  readIfExists,
  recordingScript,
  requireBinary,
  type ServerPeer,
  scriptEvents,
  serialized,
  serverPeers,
  startClient,
  tempDir,
  topology,
  untilLinkState,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const LEASE = 60;

/**
 * Leasehold's server stops hearing srv0 once srv0 has been down: its packet socket reports "recvmsg EBADF" and
 * receives nothing after the link is back (a server/io bug, reported, not the client's to fix).
 */
/** Peers with a known failure of this scenario (none now: Leasehold's server re-polls its socket after ENETDOWN). */
const KNOWN: Record<string, string> = {};

/** Which end goes down: srv0 (ep0 loses its carrier) or ep0 itself (administratively, as `ifdown` does). */
type Side = 'server' | 'client';

async function linkDownUp(t: TestContext, peer: ServerPeer, side: Side = 'server'): Promise<void> {
  if (!requireRoot(t) || !requireBinary(t, peer.binary)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await serialized(() => topology(lab));
  const srv = await peer.start(lab, server, dir, false);
  let conf: string | undefined;
  if (peer.clientConf !== undefined) {
    conf = join(dir, 'dhclient.conf');
    writeFileSync(conf, peer.clientConf);
  }
  privateResolvConf(dir);
  const proc = startClient(lab, client, {
    dir,
    script: recordingScript(dir),
    privateEtc: true,
    oneTry: false,
    timeoutMs: 60_000,
    ...(conf !== undefined ? { conf } : {}),
  });
  try {
    await waitFor(() => countEvents(dir, 'BOUND') >= 1, { what: 'BOUND' });
    const bound = scriptEvents(dir).find((e) => e.reason === 'BOUND')!.address;
    await untilLinkState(lab, client, configured(bound), 'address and default route after BOUND');

    const [ns, ifname] = side === 'server' ? [server, 'srv0'] : [client, 'ep0'];
    const log = { name: 'client stderr' };
    await lab.ip(['-n', ns.name, 'link', 'set', ifname, 'down']);
    await waitForLog(proc, /ep0: link down/, log);
    await lab.ip(['-n', ns.name, 'link', 'set', ifname, 'up']);
    const { end: upAt } = await waitForLog(proc, /ep0: link up/, log);
    await waitFor(() => countEvents(dir, 'REBOOT') >= 1, { what: 'REBOOT' });
    const reboot = scriptEvents(dir).find((e) => e.reason === 'REBOOT')!;
    assert.equal(reboot.address, bound, 'the lease is confirmed: same address');
    await untilLinkState(lab, client, configured(bound), 'address and default route after REBOOT');
    assert.deepEqual(
      scriptEvents(dir).map((e) => e.reason),
      ['PREINIT', 'BOUND', 'REBOOT'],
    );
    const r = await proc.stop(2000);
    assert.equal(r.code, 0, r.stderr);
    // The client's whole log once it has exited (its pipe may lag behind the script's event file).
    const up = r.stderr.slice(upAt);
    const re = bound.replaceAll('.', '\\.');
    assert.match(up, new RegExp(`DHCPREQUEST for ${re} on ep0 to 255\\.255\\.255\\.255 port 67`), 'INIT-REBOOT');
    assert.doesNotMatch(up, /DHCPDISCOVER/, 'confirmed, not acquired again');
    t.diagnostic(
      r.stderr
        .split('\n')
        .filter((l) => /link|packet socket/.test(l))
        .join(' | '),
    );
  } catch (e) {
    const r = await proc.stop(500);
    const s = await srv.stop(500);
    throw new Error(
      `${(e as Error).message}\n--- client\n${r.stderr}\n--- ${peer.name}\n${s.stderr}${s.stdout}` +
        `\n--- script events\n${readIfExists(join(dir, 'events')) ?? ''}`,
    );
  }
}

describe('link down and up: INIT-REBOOT confirms the lease', { concurrency: true }, () => {
  const peers = serverPeers(LEASE);
  for (const peer of peers) {
    const todo = KNOWN[peer.name];
    it(`${peer.name}: srv0 down and up`, todo ? { todo } : {}, (t) => linkDownUp(t, peer));
  }
  // ep0 itself down and up: the kernel drops its routes, the client's packet socket sees the interface go away.
  const dhcpd = peers.find((p) => p.name === 'ISC dhcpd')!;
  it('ISC dhcpd: ep0 down and up', (t) => linkDownUp(t, dhcpd, 'client'));
});
