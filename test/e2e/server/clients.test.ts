// Busybox udhcpc and dhcpcd (Debian's dhcpcd-base) against Leasehold's server with the seed
// configuration: each gets an address in the range with the subnet mask, routers, domain name, DNS and
// NTP servers, read from the environment its hook script is given.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import {
  envScript,
  events,
  parseEnv,
  readIfExists,
  serverFiles,
  startLeasehold,
  tempDir,
  topology,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const IN_RANGE = /^192\.0\.2\.1[0-9][0-9]$/;

test('busybox udhcpc gets a lease with the seed options', async (t) => {
  if (!requireRoot(t)) return;
  if (!existsSync('/bin/busybox')) return t.skip('busybox not installed');
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const srv = await startLeasehold(lab, server, serverFiles(dir));
  const script = envScript(dir, 'udhcpc', '$1');
  const args = [
    'udhcpc',
    '-f',
    '-q',
    '-n',
    '-t',
    '5',
    '-T',
    '3',
    '-i',
    'ep0',
    '-s',
    script,
    '-O',
    'ntpsrv',
    '-O',
    'domain',
  ];
  // Five DISCOVERs 3 s apart (the server's ping-check holds each OFFER a second): time enough on a busy machine.
  const run = await lab.run(client, '/bin/busybox', args, { timeoutMs: 30_000 });
  // udhcpc -q runs its script to the end before it exits: the file is complete or absent.
  const text = readIfExists(join(dir, 'env.udhcpc.bound'));
  assert.ok(text, `udhcpc never bound (exit ${run.code}):\n${run.stderr}\n--- server\n${srv.stderr()}`);
  const env = parseEnv(text);
  assert.match(env.get('ip') ?? '', IN_RANGE);
  assert.equal(env.get('subnet'), '255.255.255.0');
  assert.equal(env.get('router'), '192.0.2.1');
  assert.equal(env.get('domain'), 'diablotin.fr');
  assert.equal(env.get('dns'), '192.0.2.1');
  assert.equal(env.get('ntpsrv'), '192.0.2.123');
  assert.equal(env.get('serverid'), '192.0.2.1');
  // The server's log lines are written in batches (at most every 20 ms), and its pipe is read on this
  // process's event loop: the ACK's line may come after udhcpc has exited.
  await waitForLog(srv, new RegExp(`DHCPACK on ${(env.get('ip') ?? '').replaceAll('.', '\\.')} to `));
  assert.equal((await srv.stop(5000)).code, 0);
});

test('dhcpcd gets a lease with the seed options', async (t) => {
  if (!requireRoot(t)) return;
  if (!existsSync('/usr/sbin/dhcpcd')) return t.skip('dhcpcd not installed');
  const lab = createLab(t);
  const dir = tempDir(t);
  // dhcpcd keeps its lease in /var/lib/dhcpcd/<ifname>.lease and its PID file and socket in /run/dhcpcd/
  // whatever its flags, shared by every namespace: use a name no real interface has and no concurrent run
  // uses (this process's PID), and remove the file afterwards if this test made it.
  const ifname = `lhd${process.pid.toString(36)}`;
  const stateFile = `/var/lib/dhcpcd/${ifname}.lease`;
  const hadState = existsSync(stateFile);
  t.after(() => {
    if (!hadState) rmSync(stateFile, { force: true });
  });
  const { server, client } = await topology(lab, ifname);
  const srv = await startLeasehold(lab, server, serverFiles(dir));
  const script = envScript(dir, 'dhcpcd', '$reason');
  const options = ['subnet_mask', 'routers', 'domain_name', 'domain_name_servers', 'ntp_servers'].flatMap((o) => [
    '-o',
    o,
  ]);
  const args = ['-B', '-1', '-4', '-A', '-L', '-t', '15', '-f', '/dev/null', '-c', script, ...options, ifname];
  const proc = lab.spawn(client, '/usr/sbin/dhcpcd', args, { timeoutMs: 25_000 });
  const envFile = join(dir, 'env.dhcpcd.BOUND');
  try {
    // The script writes its environment (whole, by a rename) before it records the event.
    await waitFor(() => events(dir, 'dhcpcd').some((e) => e.startsWith('BOUND ')), {
      what: 'dhcpcd BOUND',
      seen: () => `events: ${events(dir, 'dhcpcd').join(', ')}\n--- server\n${srv.stderr()}`,
    });
  } catch (e) {
    const r = await proc.stop(500);
    throw new Error(`${(e as Error).message}\n--- dhcpcd\n${r.stderr}\n${r.stdout}`);
  } finally {
    await proc.stop(2000);
  }
  const env = parseEnv(readFileSync(envFile, 'utf8'));
  assert.match(env.get('new_ip_address') ?? '', IN_RANGE);
  assert.equal(env.get('new_subnet_mask'), '255.255.255.0');
  assert.equal(env.get('new_routers'), '192.0.2.1');
  assert.equal(env.get('new_domain_name'), 'diablotin.fr');
  assert.equal(env.get('new_domain_name_servers'), '192.0.2.1');
  assert.equal(env.get('new_ntp_servers'), '192.0.2.123');
  assert.equal((await srv.stop(5000)).code, 0);
});
