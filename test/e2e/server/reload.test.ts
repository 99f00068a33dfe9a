// Live reload (SIGHUP): a new pool and a new option are swapped in under a running client load - perfdhcp
// loses no reply, leases stay, the next ACK carries the new option - and an invalid configuration changes
// nothing (its error is logged, the old configuration goes on serving).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { parsePerfdhcp } from '../../../bench/lib/perfdhcp.js';
import { createLab, requireRoot } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import {
  bridgedTopology,
  lastLease,
  requireTool,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
} from './harness.js';

const PERFDHCP = '/usr/sbin/perfdhcp';

function conf(domain: string, extraRange = ''): string {
  return `authoritative;
default-lease-time 600;
max-lease-time 600;
option domain-name "${domain}";
option domain-name-servers 192.0.2.1;
subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  range 192.0.2.10 192.0.2.150;
  ${extraRange}
}
`;
}

test('SIGHUP swaps in a new pool and option under load: no reply lost, leases kept, the next ACK has the new option; a bad file changes nothing', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient') || !requireTool(t, PERFDHCP)) return;
  const lab = createLab(t);
  const topo = await bridgedTopology(lab, 3);
  const dir = tempDir(t);
  const files = serverFiles(dir, conf('before.example'));
  const server = await startLeasehold(lab, topo.server, files);

  const c1 = startDhclient(lab, topo.clients[0]!.ns, dir, 'c1');
  const env1 = await c1.waitFor('BOUND', 30_000);
  assert.equal(env1.get('new_domain_name'), 'before.example');
  const ip1 = env1.get('new_ip_address')!;
  await c1.stop();

  // perfdhcp as a relay from 192.0.2.2: 60 clients, 40 DORA/s for 6 s; the reload lands in the middle.
  const loadNs = topo.clients[2]!.ns;
  await lab.addAddress(loadNs, 'ep0', '192.0.2.2/24');
  const load = lab.spawn(
    loadNs,
    PERFDHCP,
    ['-4', '-l', '192.0.2.2', '-R', '60', '-r', '40', '-p', '6', '-W', '3000000', '192.0.2.1'],
    { timeoutMs: 30_000 },
  );
  // The load is running once the server ACKs through the relay address (perfdhcp prints nothing before its end).
  const loadFrom = server.stderr().length;
  await waitForLog(server, /^DHCPACK on .* via 192\.0\.2\.2$/, { from: loadFrom, count: 20 });
  writeFileSync(files.conf, conf('after.example', 'range 192.0.2.200 192.0.2.209;'));
  const from = server.stderr().length;
  process.kill(server.pid, 'SIGHUP');
  await waitForLog(server, /^Configuration reloaded from /, { from });
  await waitForLog(server, /total 151 /, { from });
  const report = await load.exited;
  const pd = parsePerfdhcp(report.stdout + report.stderr);
  assert.ok(Number(pd.do_sent) > 100, `perfdhcp ran: ${report.stdout}`);
  assert.equal(pd.do_drops, '0', `no OFFER lost:\n${report.stdout}`);
  assert.equal(pd.ra_drops, '0', `no ACK lost:\n${report.stdout}`);

  // The lease of before the reload is still the client's; a new client gets the new option.
  assert.match(lastLease(files.leases, ip1), /binding state active;/);
  const c2 = startDhclient(lab, topo.clients[1]!.ns, dir, 'c2');
  const env2 = await c2.waitFor('BOUND', 30_000);
  assert.equal(env2.get('new_domain_name'), 'after.example');
  await c2.stop();

  // An invalid file: refused, logged, nothing changes.
  writeFileSync(
    files.conf,
    `${conf('broken.example')}\nsubnet 198.51.100.0 netmask 255.255.255.0 {\n  range 198.51.100.10 198.51.100.300;\n}\n`,
  );
  const from2 = server.stderr().length;
  process.kill(server.pid, 'SIGHUP');
  await waitForLog(server, /^Configuration not reloaded: the running one goes on serving\.$/, { from: from2 });
  assert.match(server.stderr().slice(from2), /dhcpd\.conf:13:34: 300 exceeds max \(255\)/, 'the error names its line');
  const c3 = startDhclient(lab, topo.clients[1]!.ns, dir, 'c3');
  const env3 = await c3.waitFor('BOUND', 30_000);
  assert.equal(env3.get('new_domain_name'), 'after.example', 'the configuration of before the bad file serves');
  await c3.stop();
  await server.stop();
});
