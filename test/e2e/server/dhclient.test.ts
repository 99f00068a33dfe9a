// ISC dhclient (the real one, from Debian) against Leasehold's server over a veth pair in two
// namespaces: the seed talk's configuration, the seed's dhclient.conf with the user-defined option
// xgrid-controller, the lease in dhcpd.leases once acknowledged, and the same address after a
// server restart.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { processAlive, waitFor, waitForLog } from '../lib/wait.js';
import {
  lastLease,
  requireTool,
  serverCommand,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
  topology,
  UDP_ONLY,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

/** Runs dhclient once on ep0 until it is BOUND; returns the script's environment for BOUND. */
async function dhclientBound(lab: Lab, ns: Netns, dir: string, run: string): Promise<Map<string, string>> {
  const client = startDhclient(lab, ns, dir, run);
  try {
    return await client.waitFor('BOUND', 20_000);
  } finally {
    await client.stop();
  }
}

test('ISC dhclient gets a lease with the seed options and xgrid-controller, kept across a restart', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client, clientMac } = await topology(lab);
  const files = serverFiles(dir);

  let srv = await startLeasehold(lab, server, files);
  // Read once on purpose: the server writes its PID file before it logs "Server starting service.".
  assert.equal(readFileSync(files.pid, 'utf8').trim(), String(srv.pid), 'PID file written once ready');
  assert.match(srv.stderr(), /^Listening on LPF\/srv0\/[0-9a-f:]{17}\/192\.0\.2\.0\/24$/m, 'packet sockets as root');

  const env = await dhclientBound(lab, client, dir, 'first');
  const address = env.get('new_ip_address') ?? '';
  assert.match(address, /^192\.0\.2\.(1[0-9][0-9])$/, `address in the range: ${address}`);
  assert.equal(env.get('new_subnet_mask'), '255.255.255.0');
  assert.equal(env.get('new_routers'), '192.0.2.1');
  assert.equal(env.get('new_domain_name'), 'diablotin.fr');
  assert.equal(env.get('new_domain_name_servers'), '192.0.2.1');
  assert.equal(env.get('new_ntp_servers'), '192.0.2.123');
  assert.equal(env.get('new_xgrid_controller'), '192.0.2.89');
  assert.equal(env.get('new_dhcp_server_identifier'), '192.0.2.1');

  // Acknowledged means on disk: the lease is in the file the moment the client is bound (read once on purpose).
  const block = lastLease(files.leases, address);
  assert.ok(block, `lease ${address} in ${files.leases}:\n${readFileSync(files.leases, 'latin1')}`);
  assert.match(block, /^ {2}binding state active;/m);
  assert.match(block, new RegExp(`hardware ethernet ${clientMac};`));
  // The log is not: its lines are written in batches, and may come after the client has its ACK.
  await waitForLog(srv, new RegExp(`DHCPDISCOVER from ${clientMac} via srv0`));
  await waitForLog(srv, new RegExp(`DHCPACK on ${address.replaceAll('.', '\\.')} to ${clientMac} .*via srv0`));

  // SIGTERM: clean exit, PID file gone; the restarted server hands the same client the same address.
  const stopped = await srv.stop(5000);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(existsSync(files.pid), false, 'PID file removed on exit');
  srv = await startLeasehold(lab, server, files);
  assert.match(srv.stderr(), /Wrote 1 leases to leases file\./);
  const again = await dhclientBound(lab, client, dir, 'second');
  assert.equal(again.get('new_ip_address'), address, 'same address after a restart');
  console.log(srv.stderr(), stopped.stderr, readFileSync(files.leases, 'latin1'), [...again]);
  const final = await srv.stop(5000);
  assert.equal(final.code, 0, final.stderr);
});

test('over UDP sockets (ISC socket mode) dhclient gets the seed options too, answered by broadcast', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const srv = await startLeasehold(lab, server, serverFiles(dir), [], UDP_ONLY);
  assert.match(srv.stderr(), /^packet sockets not used \(UDP sockets requested\)/m);
  assert.match(srv.stderr(), /^Listening on Socket\/srv0\/192\.0\.2\.0\/24$/m);
  const env = await dhclientBound(lab, client, dir, 'udp');
  assert.match(env.get('new_ip_address') ?? '', /^192\.0\.2\.1[0-9][0-9]$/);
  assert.equal(env.get('new_xgrid_controller'), '192.0.2.89');
  assert.equal((await srv.stop(5000)).code, 0);
});

test('-p PORT: the server listens on PORT and answers clients on PORT+1 (dhclient -p PORT+1)', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const srv = await startLeasehold(lab, server, serverFiles(dir), ['-p', '10067']);
  const dhc = startDhclient(lab, client, dir, 'port', { extra: ['-p', '10068'] });
  try {
    const env = await dhc.waitFor('BOUND', 20_000);
    assert.match(env.get('new_ip_address') ?? '', /^192\.0\.2\.1[0-9][0-9]$/);
  } finally {
    await dhc.stop();
  }
  assert.equal((await srv.stop(5000)).code, 0);
});

test('without -f the server goes to the background once ready, as dhcpd does for init scripts', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const files = serverFiles(dir);
  let daemonPid = 0;
  // The background copy is not the Lab's child: make sure it never outlives the test.
  t.after(() => {
    try {
      daemonPid ||= Number(readFileSync(files.pid, 'utf8').trim());
      if (daemonPid > 0) process.kill(daemonPid, 'SIGKILL');
    } catch {}
  });
  // The background copy keeps the stderr it was given: a file here, so that the launcher's pipes close when
  // the launcher exits; LEASEHOLD_LOG=stderr keeps its lines there rather than in the machine's syslog.
  const cmd = [
    process.execPath,
    ...serverCommand(),
    '-q',
    '-cf',
    files.conf,
    '-lf',
    files.leases,
    '-pf',
    files.pid,
    'srv0',
  ];
  const quoted = cmd.map((a) => `'${a}'`).join(' ');
  const launch = await lab.run(
    server,
    '/bin/sh',
    ['-c', `LEASEHOLD_LOG=stderr exec ${quoted} 2>>'${dir}/server.log'`],
    {
      timeoutMs: 30_000,
    },
  );
  assert.equal(launch.code, 0, launch.stderr);
  // Read once on purpose: the launcher exits only once the background copy has written its PID file and
  // flushed its start-up lines (src/cli/serve.ts).
  daemonPid = Number(readFileSync(files.pid, 'utf8').trim());
  assert.ok(daemonPid > 0, 'PID file written before the launcher exits');
  assert.match(readFileSync(join(dir, 'server.log'), 'utf8'), /Server starting service\./);
  const dhc = startDhclient(lab, client, dir, 'bg');
  try {
    await dhc.waitFor('BOUND', 20_000);
  } finally {
    await dhc.stop();
  }
  process.kill(daemonPid, 'SIGTERM');
  const log = () => readFileSync(join(dir, 'server.log'), 'utf8');
  await waitFor(() => !existsSync(files.pid), { what: 'PID file removed', seen: log });
  await waitFor(() => !processAlive(daemonPid), { what: `background server (PID ${daemonPid}) exit`, seen: log });
});
