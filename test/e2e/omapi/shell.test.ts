// `leasehold shell`, scripted on stdin, against ISC dhcpd 4.4.3 and against `leasehold server` (each with
// `omapi-port` in its dhcpd.conf), in namespaces of the test's own: a real ISC dhclient gets a lease and the shell
// opens it by IP and reads its state and hardware address; the shell creates a host with the client's MAC and a
// fixed address and the client's next DISCOVER gets that address; the shell removes it and the client is back in
// the pool. With `omapi-key` (an unkeyed session and a wrong secret refused) and without.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitForLog } from '../lib/wait.js';
import {
  REPO,
  requireTool,
  type ServerFiles,
  seedServerConf,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
  topology,
} from '../server/harness.js';
import { KEY } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const DHCPD = '/usr/sbin/dhcpd';
const FIXED = '192.0.2.50';
const PORT = 7911;
const LEASEHOLD = join(REPO, 'bin/leasehold');

function conf(keyed: boolean): string {
  const base = seedServerConf(); // has `omapi-port 7911;`
  assert.match(base, /omapi-port 7911;/);
  if (!keyed) return base;
  return `${base}
key ${KEY.name} {
  algorithm hmac-md5;
  secret "${KEY.secret}";
}
omapi-key ${KEY.name};
`;
}

/** `leasehold shell` in `ns` with `lines` on stdin after server/port/key/connect; its stdout and stderr. */
async function shell(
  lab: Lab,
  ns: Netns,
  lines: string[],
  key?: { name: string; secret: string },
  flags: string[] = [],
): Promise<string> {
  const script = [
    'server 127.0.0.1',
    `port ${PORT}`,
    ...(key ? [`key ${key.name} ${key.secret}`] : []),
    'connect',
    ...lines,
    '',
  ].join('\n');
  const run = await lab.run(ns, process.execPath, [LEASEHOLD, 'shell', ...flags], { stdin: script, timeoutMs: 20_000 });
  if (run.timedOut) throw new Error(`leasehold shell timed out\n${run.stdout}\n${run.stderr}`);
  assert.equal(run.code, 0, run.stderr);
  return `${run.stdout}${run.stderr}`;
}

async function startIscDhcpd(lab: Lab, ns: Netns, f: ServerFiles): Promise<Spawned> {
  const proc = lab.spawn(ns, DHCPD, ['-4', '-f', '-d', '-cf', f.conf, '-lf', f.leases, '-pf', f.pid, 'srv0'], {
    timeoutMs: 90_000,
  });
  await waitForLog(proc, /^Server starting service\.$/, { name: 'dhcpd stderr' }).catch(async (e: Error) => {
    await proc.stop(500);
    throw e;
  });
  return proc;
}

async function bound(lab: Lab, ns: Netns, dir: string, tag: string): Promise<string> {
  const client = startDhclient(lab, ns, dir, tag);
  try {
    const env = await client.waitFor('BOUND', 20_000);
    return env.get('new_ip_address') ?? '';
  } finally {
    await client.stop();
  }
}

async function scenario(t: TestContext, server: 'isc' | 'leasehold', keyed: boolean): Promise<void> {
  const lab = createLab(t);
  const dir = tempDir(t);
  const topo = await topology(lab);
  const files = serverFiles(dir, conf(keyed));
  const srv =
    server === 'isc' ? await startIscDhcpd(lab, topo.server, files) : await startLeasehold(lab, topo.server, files);
  try {
    const key = keyed ? KEY : undefined;
    const ns = topo.server;

    // a real client's lease, opened by IP: readable, and raw as omshell prints it
    const dynamic = await bound(lab, topo.client, dir, 'first');
    assert.match(dynamic, /^192\.0\.2\.1\d\d$/);
    const lease = await shell(lab, ns, ['new lease', `set ip-address = ${dynamic}`, 'open'], key);
    assert.match(lease, /obj: lease\n/, lease);
    assert.match(lease, new RegExp(`ip-address = ${dynamic.replaceAll('.', '\\.')}\\nstate = active\\n`), lease);
    assert.match(lease, new RegExp(`hardware-address = ${topo.clientMac}\\nhardware-type = 1\\n`));
    assert.match(lease, /ends = \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n/);
    const raw = await shell(lab, ns, ['new lease', `set ip-address = ${dynamic}`, 'open'], key, ['--raw']);
    assert.match(raw, /state = 00:00:00:02\nip-address = |ip-address = [0-9a-f:]+\nstate = 00:00:00:02\n/, raw);
    assert.match(raw, /hardware-type = 00:00:00:01\n/);

    if (keyed) {
      const unkeyed = await shell(lab, ns, ['new lease', `set ip-address = ${dynamic}`, 'open']);
      assert.match(unkeyed, /can't open object: /, unkeyed);
      assert.doesNotMatch(unkeyed, /state = /);
      const wrong = await shell(lab, ns, ['new lease', `set ip-address = ${dynamic}`, 'open'], {
        name: KEY.name,
        secret: 'd3JvbmdzZWNyZXQ=',
      });
      assert.match(wrong, /can't open object: |dhcpctl_connect: /, wrong);
      assert.doesNotMatch(wrong, /state = /);
    }

    // a host with the client's MAC and a fixed address: the next DISCOVER gets it
    const created = await shell(
      lab,
      ns,
      [
        'new host',
        'set name = "laptop"',
        `set hardware-address = ${topo.clientMac}`,
        'set hardware-type = 1',
        `set ip-address = ${FIXED}`,
        'create',
      ],
      key,
    );
    assert.doesNotMatch(created, /can't/, created);
    assert.match(created, new RegExp(`obj: host\\n(.*\\n)*ip-address = ${FIXED.replaceAll('.', '\\.')}\\n`));
    assert.equal(await bound(lab, topo.client, dir, 'fixed'), FIXED);

    const open = await shell(lab, ns, ['new host', 'set name = "laptop"', 'open'], key);
    assert.match(open, new RegExp(`hardware-address = ${topo.clientMac}\\n`), open);

    // removed: back in the pool, and gone
    const removed = await shell(lab, ns, ['new host', 'set name = "laptop"', 'open', 'remove'], key);
    assert.doesNotMatch(removed, /can't/, removed);
    assert.match(removed, /obj: <null>\n> $/);
    const gone = await shell(lab, ns, ['new host', 'set name = "laptop"', 'open'], key);
    assert.match(gone, /can't open object: not found\n/);
    assert.match(await bound(lab, topo.client, dir, 'removed'), /^192\.0\.2\.1\d\d$/);
    if (server === 'leasehold') {
      assert.match(readFileSync(files.leases, 'latin1'), /host laptop \{\n {2}dynamic;\n {2}deleted;\n\}\n/);
    }
  } finally {
    await srv.stop(2000);
  }
}

test('leasehold shell against leasehold server without a key: lease by IP, host create → fixed address, remove', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  await scenario(t, 'leasehold', false);
});

test('leasehold shell against leasehold server with omapi-key: signed; unkeyed and wrong secret refused', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  await scenario(t, 'leasehold', true);
});

test('leasehold shell against ISC dhcpd 4.4.3 without a key', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, DHCPD)) return;
  await scenario(t, 'isc', false);
});

test('leasehold shell against ISC dhcpd 4.4.3 with omapi-key', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, DHCPD)) return;
  await scenario(t, 'isc', true);
});

test('leasehold shell --help; nothing listening: dhcpctl_connect: connection refused', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const ns = await lab.netns();
  const help = await lab.run(ns, process.execPath, [LEASEHOLD, 'shell', '--help'], { timeoutMs: 10_000 });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: leasehold shell/);
  // nothing listens: connect fails as omshell words it, and the shell goes on
  const out = await shell(lab, ns, ['new host']);
  assert.match(out, /dhcpctl_connect: connection refused\n/);
  assert.match(out, /not connected\.\n/);
});
