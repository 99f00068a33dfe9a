// The configuration language at run time with real ISC dhclient clients, several on one bridged link:
// PXE by vendor-class-identifier (filename, next-server, a pool of its own by permits), iPXE by
// user-class, if/elsif/else on option 60, match + subclass options (a string key and a hardware key),
// an option computed by an expression, `on commit` running a program, `on release` logging, and
// `spawn with` + `lease limit 1` compared with ISC dhcpd 4.4.3.

import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import {
  bridgedTopology,
  events,
  releaseDhclient,
  requireTool,
  type ServerFiles,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const DHCLIENT = '/sbin/dhclient';
const DHCPD = '/usr/sbin/dhcpd';

function tools(t: TestContext, extra: string[] = []): boolean {
  return requireRoot(t) && [DHCLIENT, ...extra].every((p) => requireTool(t, p));
}

/** A dhclient.conf asking for what the tests read, sending `send` statements. */
function clientConf(dir: string, tag: string, send: string[]): string {
  const path = join(dir, `dhclient-${tag}.conf`);
  writeFileSync(
    path,
    [
      ...send.map((s) => `send ${s};`),
      'request subnet-mask, routers, domain-name, domain-name-servers, host-name, ntp-servers;',
      'timeout 90;',
      'retry 5;',
      'backoff-cutoff 2;',
      'initial-interval 1;',
      '',
    ].join('\n'),
  );
  return path;
}

/** `subclass "mac" 1:MAC` needs the client's hardware as a colon hex key. */
const hwKey = (mac: string) => `1:${mac}`;

test('PXE, iPXE and other clients by option 60 / user-class, permits, subclasses and an expression-valued option', async (t) => {
  if (!tools(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, clients } = await bridgedTopology(lab, 4);
  const [pxe, ipxe, phone, plain] = clients as [
    (typeof clients)[0],
    (typeof clients)[0],
    (typeof clients)[0],
    (typeof clients)[0],
  ];
  const conf = `authoritative;
option domain-name-servers 192.0.2.1;
class "pxe" { match if substring (option vendor-class-identifier, 0, 9) = "PXEClient"; }
class "vendor" { match option vendor-class-identifier; }
subclass "vendor" "acme-phone" { option ntp-servers 192.0.2.123; }
class "mac" { match hardware; }
subclass "mac" ${hwKey(phone.mac)} { option domain-name "phone.example"; }
subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  pool { range 192.0.2.100 192.0.2.119; allow members of "pxe"; }
  pool { range 192.0.2.150 192.0.2.169; deny members of "pxe"; }
  option host-name = concat ("host-", binary-to-ascii (16, 8, "-", substring (hardware, 1, 6)));
  if substring (option vendor-class-identifier, 0, 9) = "PXEClient" {
    filename "pxelinux.0";
    next-server 192.0.2.5;
  } elsif exists user-class and option user-class = "iPXE" {
    filename "http://192.0.2.5/boot.ipxe";
  } else {
    option domain-name "plain.example";
  }
}
`;
  const files = serverFiles(dir, conf);
  const srv = await startLeasehold(lab, server, files, [], undefined);
  const runs = [
    ['pxe', pxe.ns, ['vendor-class-identifier "PXEClient:Arch:00000:UNDI:002001"']],
    ['ipxe', ipxe.ns, ['user-class "iPXE"']],
    ['phone', phone.ns, ['vendor-class-identifier "acme-phone"']],
    ['plain', plain.ns, []],
  ] as const;
  const started = runs.map(([tag, ns, send]) =>
    startDhclient(lab, ns, dir, tag, { conf: clientConf(dir, tag, [...send]) }),
  );
  try {
    const [ePxe, eIpxe, ePhone, ePlain] = await Promise.all(started.map((c) => c.waitFor('BOUND', 40_000)));
    const host = (mac: string) =>
      `host-${mac
        .split(':')
        .map((b) => Number.parseInt(b, 16).toString(16))
        .join('-')}`;

    assert.match(ePxe!.get('new_ip_address') ?? '', /^192\.0\.2\.1(0\d|1\d)$/, 'PXE client in the PXE pool');
    assert.equal(ePxe!.get('new_filename'), 'pxelinux.0');
    assert.equal(ePxe!.get('new_next_server'), '192.0.2.5');
    assert.equal(ePxe!.get('new_domain_name'), undefined, 'no else branch for PXE');
    assert.equal(ePxe!.get('new_host_name'), host(pxe.mac));

    assert.match(eIpxe!.get('new_ip_address') ?? '', /^192\.0\.2\.1[56]\d$/, 'iPXE client not in the PXE pool');
    assert.equal(eIpxe!.get('new_filename'), 'http://192.0.2.5/boot.ipxe');
    assert.equal(eIpxe!.get('new_domain_name'), undefined);

    assert.match(ePhone!.get('new_ip_address') ?? '', /^192\.0\.2\.1[56]\d$/);
    assert.equal(ePhone!.get('new_ntp_servers'), '192.0.2.123', 'string-keyed subclass option');
    assert.equal(ePhone!.get('new_domain_name'), 'phone.example', 'hardware-keyed subclass wins over else');
    assert.equal(ePhone!.get('new_filename'), undefined);

    assert.match(ePlain!.get('new_ip_address') ?? '', /^192\.0\.2\.1[56]\d$/);
    assert.equal(ePlain!.get('new_domain_name'), 'plain.example');
    assert.equal(ePlain!.get('new_ntp_servers'), undefined);
    assert.equal(ePlain!.get('new_host_name'), host(plain.mac));
  } finally {
    await Promise.all(started.map((c) => c.stop()));
    await srv.stop(5000);
  }
});

test('on commit runs a program that writes a file; on release logs', async (t) => {
  if (!tools(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, clients } = await bridgedTopology(lab, 1);
  const client = clients[0]!;
  const hook = join(dir, 'on-commit.sh');
  const out = join(dir, 'committed');
  writeFileSync(hook, `#!/bin/sh\necho "$1 $2" > "${out}.tmp" && mv -f "${out}.tmp" "${out}"\n`);
  chmodSync(hook, 0o755);
  const conf = `authoritative;
option domain-name-servers 192.0.2.1;
subnet 192.0.2.0 netmask 255.255.255.0 {
  range 192.0.2.150 192.0.2.169;
  on commit {
    execute ("${hook}", binary-to-ascii (10, 8, ".", leased-address), binary-to-ascii (16, 8, ":", substring (hardware, 1, 6)));
  }
  on release {
    log (info, concat ("released ", binary-to-ascii (10, 8, ".", leased-address)));
  }
}
`;
  const files = serverFiles(dir, conf);
  const srv = await startLeasehold(lab, server, files);
  const cconf = clientConf(dir, 'a', []);
  // The script configures the address: the release goes out by unicast from it.
  const a = startDhclient(lab, client.ns, dir, 'a', { conf: cconf, configure: true });
  let address = '';
  try {
    address = (await a.waitFor('BOUND', 30_000)).get('new_ip_address') ?? '';
    const mac = client.mac
      .split(':')
      .map((b) => Number.parseInt(b, 16).toString(16))
      .join(':');
    await waitFor(() => readIfThere(out) === `${address} ${mac}\n`, {
      what: 'the on commit program to write its file',
      seen: () => `${readIfThere(out) ?? '(no file)'}\n--- server\n${srv.stderr()}`,
    });
    await a.leaseWritten(address);
  } finally {
    await a.stop();
  }
  const rel = await releaseDhclient(lab, client.ns, dir, 'a', cconf);
  assert.equal(rel.code, 0, rel.stderr);
  await waitForLog(srv, new RegExp(`^released ${address.replaceAll('.', '\\.')}$`));
  await waitForLog(srv, new RegExp(`^DHCPRELEASE of ${address.replaceAll('.', '\\.')} from `));
  assert.equal((await srv.stop(5000)).code, 0);
});

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const LIMIT_CONF = `authoritative;
option domain-name-servers 192.0.2.1;
class "limited" { spawn with option vendor-class-identifier; lease limit 1; }
subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.150 192.0.2.169; }
`;

async function startDhcpd(lab: Lab, ns: Netns, f: ServerFiles): Promise<Spawned> {
  const proc = lab.spawn(ns, DHCPD, ['-4', '-f', '-d', '-cf', f.conf, '-lf', f.leases, '-pf', f.pid, 'srv0'], {
    timeoutMs: 120_000,
  });
  await waitForLog(proc, /^Server starting service\.$/, { name: 'dhcpd stderr' });
  return proc;
}

for (const kind of ['leasehold', 'isc'] as const) {
  test(`spawn with + lease limit 1 (${kind}): the second client of the class gets nothing until the first releases`, async (t) => {
    if (!tools(t, kind === 'isc' ? [DHCPD] : [])) return;
    const lab = createLab(t);
    const dir = tempDir(t);
    const { server, clients } = await bridgedTopology(lab, 2);
    const [one, two] = clients as [(typeof clients)[0], (typeof clients)[0]];
    const files = serverFiles(dir, LIMIT_CONF);
    const srv = kind === 'isc' ? await startDhcpd(lab, server, files) : await startLeasehold(lab, server, files);
    const send = ['vendor-class-identifier "site-7"'];
    const confOne = clientConf(dir, 'one', send);
    const first = startDhclient(lab, one.ns, dir, 'one', { conf: confOne, configure: true });
    let second: ReturnType<typeof startDhclient> | undefined;
    try {
      const address = (await first.waitFor('BOUND', 30_000)).get('new_ip_address') ?? '';
      assert.match(address, /^192\.0\.2\.1[56]\d$/);
      await first.leaseWritten(address);
      const lease = readFileSync(files.leases, 'latin1');
      assert.match(lease, /billing subclass "limited" "site-7";/, 'the lease is billed to the spawned subclass');

      second = startDhclient(lab, two.ns, dir, 'two', { conf: clientConf(dir, 'two', send) });
      const refused = new RegExp(
        `^DHCPDISCOVER from ${two.mac} via srv0: no available billing: lease limit reached in all matching classes \\(last: 'limited'\\)$`,
      );
      await waitForLog(srv, refused, { name: `${kind} stderr` });
      // Refused twice: the client asked again and got nothing in between.
      await waitFor(
        () =>
          srv
            .stderr()
            .split('\n')
            .filter((l) => refused.test(l)).length >= 2,
        {
          what: 'a second refusal',
          seen: () => srv.stderr(),
        },
      );
      assert.deepEqual(
        events(dir, 'two').filter((e) => e.startsWith('BOUND')),
        [],
        'no lease for the second client',
      );

      // The first client releases: the class has room again.
      await first.stop();
      const rel = await releaseDhclient(lab, one.ns, dir, 'one', confOne);
      assert.equal(rel.code, 0, rel.stderr);
      const got = await second.waitFor('BOUND', 40_000);
      assert.match(got.get('new_ip_address') ?? '', /^192\.0\.2\.1[56]\d$/);
    } finally {
      await first.stop();
      await second?.stop();
      await srv.stop(5000);
    }
  });
}
