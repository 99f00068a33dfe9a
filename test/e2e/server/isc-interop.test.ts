// The lease file both ways with the real ISC dhcpd 4.4.3: a site can switch to Leasehold and back
// without a client losing its address. The first server grants the client an address it asks for
// (192.0.2.150, not the first of the range); the client then forgets it (a fresh dhclient.leases, so
// it asks for nothing) and gets the same address from the other server only if that server read the
// lease from the file — a server that ignored the file would hand out the first free address.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import { REPO, type ServerFiles, serverFiles, startDhclient, startLeasehold, tempDir, topology } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const DHCPD = '/usr/sbin/dhcpd';
const DHCLIENT = '/sbin/dhclient';

function tools(t: TestContext): boolean {
  if (!requireRoot(t)) return false;
  for (const p of [DHCPD, DHCLIENT]) {
    try {
      readFileSync(p);
    } catch {
      t.skip(`${p} not installed`);
      return false;
    }
  }
  return true;
}

async function startIscDhcpd(lab: Lab, ns: Netns, f: ServerFiles) {
  const proc = lab.spawn(ns, DHCPD, ['-4', '-f', '-d', '-cf', f.conf, '-lf', f.leases, '-pf', f.pid, 'srv0'], {
    timeoutMs: 60_000,
  });
  await waitForLog(proc, /^Server starting service\.$/, { name: 'dhcpd stderr' }).catch(async (e: Error) => {
    await proc.stop(500);
    throw e;
  });
  return proc;
}

const WANTED = '192.0.2.150';

/** The seed dhclient.conf, asking for WANTED. */
function askingConf(dir: string): string {
  const path = join(dir, 'dhclient-asking.conf');
  const seed = readFileSync(join(REPO, 'test/fixtures/conf/dhclient.conf'), 'utf8');
  writeFileSync(
    path,
    `${seed}
send dhcp-requested-address ${WANTED};
`,
  );
  return path;
}

/** Runs dhclient once with a fresh lease file of its own (so it starts from DISCOVER) and returns its address. */
async function leaseOnce(lab: Lab, client: Netns, dir: string, tag: string, conf?: string): Promise<string> {
  const dhc = startDhclient(lab, client, dir, tag, conf ? { conf } : {});
  try {
    const env = await dhc.waitFor('BOUND', 25_000);
    const address = env.get('new_ip_address');
    assert.ok(address, 'dhclient bound without an address');
    return address;
  } finally {
    await dhc.stop();
  }
}

function activeLease(text: string, address: string): boolean {
  const blocks = text.split(/\n(?=lease )/).filter((b) => b.startsWith(`lease ${address} {`));
  return /binding state active;/.test(blocks.at(-1) ?? '');
}

test('ISC dhcpd started on a lease file Leasehold wrote keeps the lease', async (t) => {
  if (!tools(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client, clientMac } = await topology(lab);
  const files = serverFiles(dir);

  const ours = await startLeasehold(lab, server, files);
  const address = await leaseOnce(lab, client, dir, 'first', askingConf(dir));
  assert.equal(address, WANTED);
  const ourRun = await ours.stop(3000);
  assert.match(ourRun.stderr, new RegExp(`DHCPACK on ${address.replaceAll('.', '\\.')} to ${clientMac}`));
  assert.ok(activeLease(readFileSync(files.leases, 'latin1'), address), 'Leasehold wrote no active lease');

  const isc = await startIscDhcpd(lab, server, files);
  const again = await leaseOnce(lab, client, dir, 'second');
  const iscRun = await isc.stop(3000);
  assert.equal(again, address, `dhcpd gave another address; its log:\n${iscRun.stderr}`);
  assert.doesNotMatch(iscRun.stderr, /Corrupt lease file|unexpected|expecting/i);
  // dhcpd rewrote the file at start and appended its own ACK: the lease is still there, still active.
  assert.ok(activeLease(readFileSync(files.leases, 'latin1'), address));
});

test('Leasehold started on a lease file ISC dhcpd wrote keeps the lease', async (t) => {
  if (!tools(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const files = serverFiles(dir);

  const isc = await startIscDhcpd(lab, server, files);
  const address = await leaseOnce(lab, client, dir, 'first', askingConf(dir));
  assert.equal(address, WANTED);
  await isc.stop(3000);
  assert.ok(activeLease(readFileSync(files.leases, 'latin1'), address), 'dhcpd wrote no active lease');

  const ours = await startLeasehold(lab, server, files);
  const again = await leaseOnce(lab, client, dir, 'second');
  const ourRun = await ours.stop(3000);
  assert.equal(again, address, `Leasehold gave another address; its log:\n${ourRun.stderr}`);
  assert.ok(activeLease(readFileSync(files.leases, 'latin1'), address));
});
