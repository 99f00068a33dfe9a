// The failover protocol against ISC dhcpd 4.4.3, both ways round: Leasehold's relationship (with an in-memory
// lease side, peer-child.ts) and a real dhcpd connect in two namespaces, go through ISC's start-up (recover,
// update request all, recover-done) to NORMAL, and exchange binding updates: ISC's primary balances its pool
// and sends its secondary (us) BACKUP leases; as primary we announce an active lease, which ISC writes to its
// lease file.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEvents } from '../lib/child.js';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import { tempDir } from '../server/harness.js';
import type { PeerInput } from './peer-child.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const DHCPD = '/usr/sbin/dhcpd';
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'peer-child.js');
const OURS = '192.0.2.1';
const ISC = '192.0.2.2';
const PORT = 8647;

function tools(t: TestContext): boolean {
  if (!requireRoot(t)) return false;
  try {
    readFileSync(DHCPD);
    return true;
  } catch {
    t.skip(`${DHCPD} not installed`);
    return false;
  }
}

function iscConf(role: 'primary' | 'secondary'): string {
  return `authoritative;
ddns-update-style none;
failover peer "pair" {
  ${role};
  address ${ISC};
  port ${PORT};
  peer address ${OURS};
  peer port ${PORT};
  max-response-delay 30;
  max-unacked-updates 10;
  load balance max seconds 3;
${role === 'primary' ? '  mclt 30;\n  split 128;\n' : ''}}
subnet 192.0.2.0 netmask 255.255.255.0 {
  pool {
    failover peer "pair";
    range 192.0.2.100 192.0.2.109;
  }
}
`;
}

async function pair(t: TestContext, lab: Lab, iscRole: 'primary' | 'secondary', input: Partial<PeerInput> = {}) {
  const dir = tempDir(t);
  const ours: Netns = await lab.netns();
  const isc: Netns = await lab.netns();
  await lab.veth(ours, isc, { aIf: 'fo0', bIf: 'fo1', aAddr: `${OURS}/24`, bAddr: `${ISC}/24` });
  const conf = join(dir, 'dhcpd.conf');
  const leases = join(dir, 'dhcpd.leases');
  writeFileSync(conf, iscConf(iscRole));
  writeFileSync(leases, '');
  const dhcpd = lab.spawn(isc, DHCPD, ['-4', '-f', '-d', '-cf', conf, '-lf', leases, '-pf', join(dir, 'pid'), 'fo1'], {
    timeoutMs: 90_000,
  });
  await waitForLog(dhcpd, /^Server starting service\.$/, { name: 'dhcpd stderr' });
  const full: PeerInput = {
    role: iscRole === 'primary' ? 'secondary' : 'primary',
    address: OURS,
    peerAddress: ISC,
    port: PORT,
    mclt: 30,
    runMs: 60_000,
    ...input,
  };
  const child = lab.spawnNode(ours, CHILD, full, { timeoutMs: 90_000 });
  return { dhcpd, child, leases };
}

function states(stdout: string): { me: string; partner: string }[] {
  return parseEvents(stdout)
    .filter((e) => e.event === 'state')
    .map((e) => e.data as { me: string; partner: string });
}

test('Leasehold as secondary and ISC dhcpd as primary reach NORMAL; ISC balances its pool to us', async (t) => {
  if (!tools(t)) return;
  const lab = createLab(t);
  const { dhcpd, child } = await pair(t, lab, 'primary');
  await waitFor(() => states(child.stdout()).some((s) => s.me === 'normal' && s.partner === 'normal'), {
    what: 'both servers normal',
    timeoutMs: 30_000,
    seen: () => `${child.stderr()}\n--- dhcpd\n${dhcpd.stderr()}`,
  });
  await waitForLog(dhcpd, /failover peer pair: Both servers normal/, { name: 'dhcpd stderr' });
  // ISC's dobalance gives half of the 10 free leases to the secondary: five BNDUPDs to BACKUP.
  await waitForLog(() => child.stderr(), /^info: failover peer pair: I move from recover-done to normal$/m, {
    name: 'child stderr',
  });
  await waitForLog(dhcpd, /balanced pool \S+ 192\.0\.2\.0\/24 {2}total 10 {2}free 5 {2}backup 5/, {
    name: 'dhcpd stderr',
  });
  const run = await child.stop(5000);
  const end = parseEvents(run.stdout).find((e) => e.event === 'result');
  assert.ok(end !== undefined, run.stderr);
  const received = (end.data as { received: [number, number][] }).received;
  assert.equal(received.filter(([, status]) => status === 7).length, 5, JSON.stringify(received));
});

test("Leasehold as primary and ISC dhcpd as secondary reach NORMAL; our binding update lands in ISC's lease file", async (t) => {
  if (!tools(t)) return;
  const lab = createLab(t);
  const ip = 0xc0000265; // 192.0.2.101
  const ends = Math.floor(Date.now() / 1000) + 600;
  const { dhcpd, child, leases } = await pair(t, lab, 'secondary', { announce: [[ip, 2, ends]] });
  await waitFor(() => states(child.stdout()).some((s) => s.me === 'normal' && s.partner === 'normal'), {
    what: 'both servers normal',
    timeoutMs: 30_000,
    seen: () => `${child.stderr()}\n--- dhcpd\n${dhcpd.stderr()}`,
  });
  const record = await waitFor(
    () => {
      const text = readFileSync(leases, 'utf8');
      const blocks = text.split(/\n(?=lease )/).filter((b) => b.startsWith('lease 192.0.2.101 '));
      const last = blocks.at(-1);
      return last !== undefined && /binding state active;/.test(last) ? last : undefined;
    },
    {
      what: 'ISC writing our active lease',
      seen: () => `${readFileSync(leases, 'utf8')}\n--- dhcpd\n${dhcpd.stderr()}`,
    },
  );
  assert.match(record, /hardware ethernet 52:54:00:00:00:65;/);
  await child.stop(5000);
});
