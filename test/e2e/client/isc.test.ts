// `leasehold client` against the real ISC dhcpd: a lease with a recording script (the dhclient-script
// environment and dhclient.leases), the address and default route configured by Debian's /sbin/dhclient-script
// (the default when no -sf is given) and by the built-in script, a renewal by unicast with a short lease, and
// `-r` releasing the lease (dhcpd marks it free).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_SCRIPT } from '../../../src/client/default-script.js';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import {
  addressesAndRoute,
  clientPaths,
  DHCPD,
  dhcpdConf,
  envScript,
  LEASEHOLD,
  privateResolvConf,
  readIfExists,
  reasons,
  requireBinary,
  scriptEnv,
  startClient,
  startDhcpd,
  tempDir,
  topology,
  waitForLease,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

test('ISC dhcpd: a lease, the script environment and dhclient.leases', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  await startDhcpd(lab, server, dir, dhcpdConf(600));
  const proc = startClient(lab, client, { dir, script: envScript(dir) });
  const env = await scriptEnv(dir, 'BOUND', 20_000).catch(async (e: Error) => {
    const r = await proc.stop(500);
    throw new Error(`${e.message}\n--- client stderr\n${r.stderr}`);
  });
  assert.deepEqual(reasons(dir).slice(0, 2), ['PREINIT', 'BOUND']);
  assert.match(env.get('new_ip_address') ?? '', /^192\.0\.2\.1\d\d$/);
  assert.equal(env.get('interface'), 'ep0');
  assert.equal(env.get('new_subnet_mask'), '255.255.255.0');
  assert.equal(env.get('new_routers'), '192.0.2.1');
  assert.equal(env.get('new_domain_name_servers'), '192.0.2.53');
  assert.equal(env.get('new_dhcp_server_identifier'), '192.0.2.1');
  assert.equal(env.get('new_dhcp_lease_time'), '600');
  assert.equal(env.get('PATH'), '/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin');
  const { leases, pid } = clientPaths(dir);
  // The lease is written after the BOUND script has run.
  const text = await waitFor(
    () => {
      const t = readIfExists(leases);
      return t?.includes('expire') && t;
    },
    { what: 'lease written', seen: () => readIfExists(leases) ?? '(no file)' },
  );
  assert.match(text, /interface "ep0";/);
  assert.match(text, new RegExp(`fixed-address ${env.get('new_ip_address')};`));
  assert.match(text, /option dhcp-server-identifier 192\.0\.2\.1;/);
  assert.match(text, /renew \d \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d;/);
  // Read once on purpose: the client writes its PID file before its first DISCOVER.
  assert.equal(readFileSync(pid, 'utf8').trim(), String(proc.pid), 'the PID file names the client');
  // The client's stderr is read on this process's event loop: it may lag behind the script's files.
  await waitForLog(proc, /DHCPDISCOVER on ep0 to 255\.255\.255\.255 port 67/, { name: 'client stderr' });
  // The line follows the script's run.
  await waitForLog(proc, /bound to 192\.0\.2\.1\d\d -- renewal in \d+ seconds\./, { name: 'client stderr' });
  const r = await proc.stop(2000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readIfExists(pid), undefined, 'the PID file is removed on SIGTERM');

  // Restarted, the client first asks for its recorded lease (INIT-REBOOT: a broadcast REQUEST, no DISCOVER).
  const again = startClient(lab, client, { dir, script: envScript(dir) });
  const env2 = await scriptEnv(dir, 'REBOOT', 15_000).catch(async (e: Error) => {
    const r2 = await again.stop(500);
    throw new Error(`${e.message}\n--- client stderr\n${r2.stderr}`);
  });
  assert.equal(env2.get('new_ip_address'), env.get('new_ip_address'));
  const rebooted = await again.stop(2000);
  // Its whole log, once it has exited.
  assert.doesNotMatch(rebooted.stderr, /DHCPDISCOVER/);
  assert.match(rebooted.stderr, /DHCPREQUEST for \S+ on ep0 to 255\.255\.255\.255 port 67/);
});

test('ISC dhcpd: -x stops the running client with STOP and keeps the lease', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const srv = await startDhcpd(lab, server, dir, dhcpdConf(600));
  const script = envScript(dir);
  const proc = startClient(lab, client, { dir, script });
  await scriptEnv(dir, 'BOUND', 20_000).catch(async (e: Error) => {
    const r = await proc.stop(500);
    throw new Error(`${e.message}\n--- client stderr\n${r.stderr}`);
  });
  const { leases, pid } = clientPaths(dir);
  const args = [LEASEHOLD, 'client', '-x', '-lf', leases, '-pf', pid, '-sf', script, '-cf', join(dir, 'none'), 'ep0'];
  const x = await lab.run(client, process.execPath, args, { timeoutMs: 15_000 });
  assert.equal(x.code, 0, x.stderr);
  assert.equal((await proc.exited).code, 0, 'the running client was stopped');
  assert.equal(reasons(dir).at(-1), 'STOP');
  assert.doesNotMatch(x.stderr, /DHCPRELEASE/);
  assert.doesNotMatch(srv.stderr(), /DHCPRELEASE/);
});

for (const which of ['debian', 'builtin'] as const) {
  test(`ISC dhcpd: the ${which} script configures the address and default route, then renews`, async (t) => {
    if (!requireRoot(t) || !requireBinary(t, DHCPD)) return;
    const lab = createLab(t);
    const dir = tempDir(t);
    const { server, client } = await topology(lab);
    // 20 s leases: T1 at 10 s (dhcpd sends no T1/T2; the client's default is half the lease + 1).
    const srv = await startDhcpd(lab, server, dir, dhcpdConf(20));
    const resolvConf = privateResolvConf(dir);
    let script: string | undefined;
    if (which === 'builtin') {
      script = join(dir, 'builtin-script.sh');
      writeFileSync(script, `#!/bin/sh\n${DEFAULT_SCRIPT}`, { mode: 0o755 });
    }
    const proc = startClient(lab, client, { dir, privateEtc: true, ...(script ? { script } : {}) });
    try {
      const [bound = ''] = (await waitForLog(proc, /bound to (\S+) -- renewal/, { name: 'client stderr' })).groups;
      const { addr, route } = await addressesAndRoute(lab, client);
      assert.match(addr, new RegExp(`inet ${bound.replaceAll('.', '\\.')}/24 `), addr);
      assert.match(route, /default via 192\.0\.2\.1 dev ep0/, route);
      assert.match(readFileSync(resolvConf, 'utf8'), /nameserver 192\.0\.2\.53/);
      // The renewal: a unicast REQUEST from the leased address, answered by dhcpd.
      await waitForLog(proc, /DHCPREQUEST for \S+ on ep0 to 192\.0\.2\.1 port 67/, { name: 'client stderr' });
      await waitForLog(proc, /bound to /, { count: 2, name: 'client stderr' });
      // dhcpd's stderr is another pipe: its line may come after the client's.
      await waitForLog(srv, new RegExp(`DHCPREQUEST for ${bound.replaceAll('.', '\\.')} from \\S+ via srv0`), {
        name: 'dhcpd stderr',
      });
      const after = await addressesAndRoute(lab, client);
      assert.match(after.addr, new RegExp(`inet ${bound.replaceAll('.', '\\.')}/24 `));
    } catch (e) {
      const r = await proc.stop(500);
      throw new Error(`${(e as Error).message}\n--- client stderr\n${r.stderr}\n--- dhcpd\n${srv.stderr()}`);
    }
    await proc.stop(2000);
  });
}

test('ISC dhcpd: -r sends DHCPRELEASE, runs RELEASE, and dhcpd frees the lease', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const srv = await startDhcpd(lab, server, dir, dhcpdConf(600));
  const script = join(dir, 'builtin-script.sh');
  // The built-in script plus a record of each reason, so that the address really is configured.
  writeFileSync(script, `#!/bin/sh\necho "$reason" >> "${dir}/reasons"\n${DEFAULT_SCRIPT}`, { mode: 0o755 });
  privateResolvConf(dir);
  const proc = startClient(lab, client, { dir, script, privateEtc: true });
  const [bound = ''] = (
    await waitForLog(proc, /bound to (\S+) -- renewal/, { name: 'client stderr' }).catch(async (e: Error) => {
      await proc.stop(500);
      throw e;
    })
  ).groups;
  const { leases, pid } = clientPaths(dir);
  const rel = await lab.run(
    client,
    process.execPath,
    [LEASEHOLD, 'client', '-r', '-v', '-lf', leases, '-pf', pid, '-sf', script, '-cf', join(dir, 'none'), 'ep0'],
    { timeoutMs: 15_000 },
  );
  assert.equal(rel.code, 0, rel.stderr);
  assert.match(
    rel.stderr,
    new RegExp(`DHCPRELEASE of ${bound.replaceAll('.', '\\.')} on ep0 to 192\\.0\\.2\\.1 port 67`),
  );
  const first = await proc.exited;
  assert.equal(first.code, 0, 'the running client was stopped by -r');
  assert.deepEqual(reasons(dir).at(-1), 'RELEASE');
  const { addr } = await addressesAndRoute(lab, client);
  assert.doesNotMatch(addr, /192\.0\.2\.1\d\d/, 'the address is gone');
  // A RELEASE has no reply: dhcpd logs it, then writes the lease free, when it gets to it.
  await waitForLog(srv, `DHCPRELEASE of ${bound}`, { name: 'dhcpd stderr' });
  await waitForLease(srv.leases, bound, /binding state free;/);
});

test('ISC dhcpd on port 1067: -p 1068 listens on 1068 and sends to 1067', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  await startDhcpd(lab, server, dir, dhcpdConf(600), ['-p', '1067']);
  const proc = startClient(lab, client, { dir, script: envScript(dir), extra: ['-p', '1068'] });
  const env = await scriptEnv(dir, 'BOUND', 20_000).catch(async (e: Error) => {
    const r = await proc.stop(500);
    throw new Error(`${e.message}\n--- client stderr\n${r.stderr}`);
  });
  assert.match(env.get('new_ip_address') ?? '', /^192\.0\.2\.1\d\d$/);
  await proc.stop(2000);
});

test('ISC dhcpd: an offered address that answers ARP is declined, and another one is bound', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  // The server's namespace also holds 192.0.2.100 (the first address dhcpd offers) and answers ARP for it;
  // dhcpd's own ping check is off so that only the client can notice.
  await lab.addAddress(server, 'srv0', '192.0.2.100/24');
  const srv = await startDhcpd(lab, server, dir, dhcpdConf(600, 'ping-check false;'));
  // Without -1: with it, a declined lease ends the client (exit 2), as ISC's dhclient does.
  const proc = startClient(lab, client, { dir, script: envScript(dir), oneTry: false });
  try {
    await waitForLog(proc, /192\.0\.2\.100 is in use: declining/, { name: 'client stderr' });
    // RFC 2131 3.1.5: the client waits (10 s) before starting over.
    const [bound] = (await waitForLog(proc, /bound to (\S+) -- renewal/, { timeoutMs: 30_000, name: 'client stderr' }))
      .groups;
    assert.notEqual(bound, '192.0.2.100');
    await waitForLog(srv, /DHCPDECLINE of 192\.0\.2\.100 from \S+ via srv0/, { name: 'dhcpd stderr' });
  } catch (e) {
    const r = await proc.stop(500);
    throw new Error(`${(e as Error).message}\n--- client stderr\n${r.stderr}\n--- dhcpd\n${srv.stderr()}`);
  }
  await proc.stop(2000);
});
