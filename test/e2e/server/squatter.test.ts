// ping-check (ISC's default): a host squats on the first address of the pool without a lease. The server
// pings before offering, hears it, writes the address abandoned ("pinged before offer") and offers
// ISC dhclient the next one. A squatter whose firewall drops ping is still caught: with packet sockets
// the server also sends an ARP probe on the squatter's link (RFC 5227), which no IP firewall stops.

import assert from 'node:assert/strict';
import { after, type TestContext, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import {
  requireTool,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
  topology,
  UDP_ONLY,
  waitForLease,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

interface SquatterRun {
  /** The server's log and lease file, the squatter's MAC, once dhclient is bound and the server stopped. */
  log: string;
  abandoned: string;
  squatterMac: string;
}

/**
 * A squatter holds 192.0.2.100 (the first address of the pool) without a lease, in dhclient's own namespace;
 * `dropPing` gives it a firewall that drops echo requests. dhclient must be offered and bound to 192.0.2.101.
 */
async function squatter(
  t: TestContext,
  opts: { dropPing?: boolean; extra?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<SquatterRun> {
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client, clientMac } = await topology(lab);
  await lab.addAddress(client, 'ep0', '192.0.2.100/24');
  if (opts.dropPing) {
    // The squatter's firewall (inside its own namespace) drops every echo request: ping alone sees nobody.
    const rule = ['-I', 'INPUT', '-p', 'icmp', '--icmp-type', 'echo-request', '-j', 'DROP'];
    const block = await lab.run(client, 'iptables', rule);
    assert.equal(block.code, 0, block.stderr);
    const ping = await lab.run(server, 'ping', ['-c', '1', '-W', '1', '192.0.2.100']);
    assert.notEqual(ping.code, 0, `the squatter must not answer ping\n${ping.stdout}`);
  }
  const files = serverFiles(dir);
  const srv = await startLeasehold(lab, server, files, opts.extra ?? [], opts.env);
  const dhc = startDhclient(lab, client, dir, 'sq');
  try {
    const env = await dhc.waitFor('BOUND', 20_000);
    assert.equal(env.get('new_ip_address'), '192.0.2.101');
  } finally {
    await dhc.stop();
  }
  // The server's log lines are written in batches and may reach this process after dhclient is bound.
  await waitForLog(srv, /^Abandoning IP address 192\.0\.2\.100: pinged before offer$/);
  const abandoned = await waitForLease(files.leases, '192.0.2.100', /^ {2}binding state abandoned;/m);
  const stopped = await srv.stop(5000);
  assert.equal(stopped.code, 0, stopped.stderr);
  // The whole log, as the server left it: what the callers count is complete.
  return { log: stopped.stderr, abandoned, squatterMac: clientMac };
}

function assertArpCaught(run: SquatterRun): void {
  assert.match(
    run.log,
    new RegExp(`^ping-check: 192\\.0\\.2\\.100 answered an ARP probe on srv0 \\(${run.squatterMac}\\)\\.$`, 'm'),
  );
}

test('ping-check: a squatter on 192.0.2.100 gets that address abandoned; dhclient is offered another', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  await squatter(t);
});

test('ping-check: a squatter dropping ICMP echo is caught by the ARP probe; dhclient is offered another', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, '/usr/sbin/iptables')) return;
  assertArpCaught(await squatter(t, { dropPing: true }));
});

test('ping-check after -user nobody: the probe sockets were opened before root was dropped', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, '/usr/sbin/iptables')) return;
  assertArpCaught(await squatter(t, { dropPing: true, extra: ['-user', 'nobody', '-group', 'nogroup'] }));
});

test('ping-check over UDP sockets: ICMP alone, the skipped ARP probe said once', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const { log } = await squatter(t, { env: UDP_ONLY });
  const skipped = log.split('\n').filter((l) => l.startsWith('ping-check: ARP probes need packet sockets'));
  assert.deepEqual(skipped, ['ping-check: ARP probes need packet sockets; over UDP sockets only ICMP echo is sent.']);
});
