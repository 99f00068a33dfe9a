// A lease's life with ISC dhclient and short times: renewal by unicast at T1, rebinding by broadcast at
// T2 once the server cannot be reached by unicast (iptables in the client's namespace; the French
// seed also cuts unicast with iptables), and the same address back after a release and after an
// expiry (10 s leases).

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import {
  events,
  lastLease,
  REPO,
  releaseDhclient,
  requireTool,
  seedServerConf,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
  topology,
  waitForLease,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const SHORT_LEASES = seedServerConf()
  .replace(/default-lease-time \d+;/, 'default-lease-time 10;')
  .replace(/max-lease-time \d+;/, 'max-lease-time 10;');

/** The seed dhclient.conf, retrying every second or two: with a 10 s lease, dhclient's default 10 s
 * first retry after a failed renewal would jump past T2 straight to the expiry. */
function fastRetryClientConf(dir: string): string {
  const path = join(dir, 'dhclient-fast.conf');
  const seed = readFileSync(join(REPO, 'test/fixtures/conf/dhclient.conf'), 'utf8');
  writeFileSync(path, `${seed}\ninitial-interval 1;\nbackoff-cutoff 2;\n`);
  return path;
}

/** 30 s leases renewed at 4 s and rebound at 8 s: a wide window between T2 and the expiry, so that
 * dhclient's randomised retries surely land in it. */
const QUICK_RENEWAL = seedServerConf()
  .replace(
    /default-lease-time \d+;/,
    'default-lease-time 30;\noption dhcp-renewal-time 4;\noption dhcp-rebinding-time 8;',
  )
  .replace(/max-lease-time \d+;/, 'max-lease-time 30;');

const re = (s: string) => new RegExp(s.replaceAll('.', '\\.'));

test('renew by unicast at T1, rebind by broadcast at T2 when unicast is blocked', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client, clientMac } = await topology(lab);
  const srv = await startLeasehold(lab, server, serverFiles(dir, QUICK_RENEWAL));
  const dhc = startDhclient(lab, client, dir, 'life', { configure: true, conf: fastRetryClientConf(dir) });
  const bound = await dhc.waitFor('BOUND', 20_000);
  const address = bound.get('new_ip_address') ?? '';
  assert.equal(bound.get('new_dhcp_renewal_time'), '4');
  assert.equal(bound.get('new_dhcp_rebinding_time'), '8');

  const renewed = await dhc.waitFor('RENEW', 15_000);
  assert.equal(renewed.get('new_ip_address'), address);
  // A renewal comes from ciaddr, unicast: the server names the client by its address in the REQUEST line
  // (a line that may reach this process after dhclient's RENEW: waited for).
  await waitForLog(srv, re(`DHCPREQUEST for ${address} from ${clientMac} via srv0`));

  // Unicast to the server is cut on the client's way out: the server's packet sockets see frames
  // before netfilter (as ISC's LPF does), so a rule in the server's INPUT chain would not stop them.
  // dhclient's broadcasts leave through its own packet socket, past the rule.
  const rule = ['-I', 'OUTPUT', '-p', 'udp', '-d', '192.0.2.1', '--dport', '67', '-j', 'DROP'];
  const block = await lab.run(client, 'iptables', rule);
  assert.equal(block.code, 0, block.stderr);
  // dhclient 4.4 names a rebinding RENEW in its script (it stays in RENEWING and only switches to
  // broadcast past T2), so the proof is its own log: a broadcast REQUEST for the bound address, ACKed.
  const mark = dhc.proc.stderr().length;
  const rebind = new RegExp(
    `DHCPREQUEST for ${address.replaceAll('.', '\\.')} on ep0 to 255\\.255\\.255\\.255 port 67\\n(?:.*\\n)*?DHCPACK of ${address.replaceAll('.', '\\.')} from 192\\.0\\.2\\.1`,
  );
  await waitFor(() => rebind.test(dhc.proc.stderr().slice(mark)), {
    timeoutMs: 25_000,
    what: 'broadcast rebind ACKed',
    seen: () => dhc.proc.stderr(),
  });
  const after = dhc.proc.stderr().slice(mark);
  const beforeRebind = after.slice(0, after.search(rebind));
  assert.doesNotMatch(beforeRebind, /DHCPDISCOVER/, 'rebound without losing the lease first');
  assert.match(beforeRebind, re(`DHCPREQUEST for ${address} on ep0 to 192.0.2.1 port 67`), 'unicast tried first');
  await dhc.stop();
  assert.equal((await srv.stop(5000)).code, 0);
});

test('the same client gets the same address back after a release and after an expiry', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client, clientMac } = await topology(lab);
  const files = serverFiles(dir, SHORT_LEASES);
  const srv = await startLeasehold(lab, server, files);

  const started = Date.now();
  const first = startDhclient(lab, client, dir, 'a', { configure: true });
  const address = (await first.waitFor('BOUND', 20_000)).get('new_ip_address') ?? '';
  // dhclient writes its lease file after the BOUND script: stopped before that, `dhclient -r` would find no
  // lease and release nothing (silently, exit 0).
  await first.leaseWritten(address);
  await first.stop(); // SIGTERM: dhclient leaves without releasing
  // `dhclient -r` with the same lease file releases the address.
  const conf = join(REPO, 'test/fixtures/conf/dhclient.conf');
  const rel = await releaseDhclient(lab, client, dir, 'a', conf);
  assert.equal(rel.code, 0, rel.stderr);
  // A RELEASE has no reply: its log line and its record in the file come when they come.
  await waitForLog(srv, re(`DHCPRELEASE of ${address} from ${clientMac} via srv0 \\(found\\)`)).catch((e: Error) => {
    throw new Error(`${e.message}\n--- dhclient -r\n${rel.stderr}\n--- events\n${events(dir, 'a').join('\n')}`);
  });
  await waitForLease(files.leases, address, /^ {2}binding state free;/m);

  const second = startDhclient(lab, client, dir, 'b');
  assert.equal((await second.waitFor('BOUND', 20_000)).get('new_ip_address'), address, 'same address after release');
  await second.stop();
  // Read once on purpose: an ACK leaves only once its lease is on disk.
  assert.match(lastLease(files.leases, address), /^ {2}binding state active;/m);
  // No client renews it: the server writes the expiry on time (10 s lease, checked every second; the
  // deadline is part of the claim).
  await waitForLease(files.leases, address, /^ {2}binding state free;/m, 15_000);

  t.diagnostic(`expiry written ${Date.now() - started} ms after the first start`);
  const third = startDhclient(lab, client, dir, 'c');
  assert.equal((await third.waitFor('BOUND', 20_000)).get('new_ip_address'), address, 'same address after expiry');
  await third.stop();
  assert.equal((await srv.stop(5000)).code, 0);
});
