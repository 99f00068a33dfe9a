// Start-up as dhcpd does it, on real files in a temporary directory (sockets and interfaces are
// injected): a lease file that does not parse stops the start and is left byte for byte as it was;
// a good one is rewritten through a temporary file; the PID file appears once ready and goes on stop.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { SystemInterface } from '../../../src/io/interfaces.js';
import { memoryLogger } from '../../../src/server/daemon-log.js';
import { type StartDeps, type StartSettings, startServer, udpLimits } from '../../../src/server/daemon-start.js';
import { CONF, FakeTransport, ip } from './daemon-helpers.js';

const ETH0: SystemInterface = {
  name: 'eth0',
  index: 2,
  broadcast: true,
  loopback: false,
  up: true,
  addresses: [{ address: ip('192.0.2.1'), mask: ip('255.255.255.0') }],
};
const ETH2: SystemInterface = {
  ...ETH0,
  name: 'eth2',
  index: 4,
  addresses: [{ address: ip('203.0.113.1'), mask: ip('255.255.255.0') }],
};

function setup(t: TestContext, leases: string | undefined, conf = CONF) {
  const dir = mkdtempSync(join(tmpdir(), 'lh-daemon-start-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const settings: StartSettings = {
    configFile: join(dir, 'dhcpd.conf'),
    leaseFile: join(dir, 'dhcpd.leases'),
    pidFile: join(dir, 'dhcpd.pid'),
    port: 67,
    quiet: false,
    interfaces: [],
  };
  writeFileSync(settings.configFile, conf);
  if (leases !== undefined) writeFileSync(settings.leaseFile, leases);
  const log = memoryLogger();
  let transport: FakeTransport | undefined;
  const deps: StartDeps = {
    log,
    pid: 4242,
    clock: () => 1_700_000_000_000,
    listInterfaces: () => [ETH0, ETH2],
    openTransport: async (ifaces) => {
      transport = new FakeTransport(ifaces);
      return transport;
    },
    daemon: { timer: () => () => undefined },
  };
  return { dir, settings, deps, log, transport: () => transport };
}

const GOOD_LEASES = `lease 192.0.2.105 {
  starts 2 2023/11/14 22:13:20;
  ends 6 2033/11/19 22:13:20;
  binding state active;
  next binding state free;
  hardware ethernet 02:00:00:00:00:05;
}
`;

test('a good lease file is loaded, rewritten through a temporary file, and the PID file written last', async (t) => {
  const s = setup(t, GOOD_LEASES);
  const r = await startServer(s.settings, s.deps);
  assert.ok(r.ok, s.log.lines.join('\n'));
  const lines = s.log.lines;
  assert.equal(lines.at(-1), 'Server starting service.');
  assert.ok(lines.includes('Wrote 1 leases to leases file.'), lines.join('\n'));
  assert.ok(lines.includes('No subnet declaration for eth2 (203.0.113.1).'), lines.join('\n'));
  assert.ok(lines.includes('** Ignoring requests on eth2.  If this is not what'));
  assert.deepEqual(
    s.transport()?.interfaces.map((i) => i.name),
    ['eth0'],
  );
  assert.equal(readFileSync(s.settings.pidFile!, 'utf8'), '4242\n');
  const rewritten = readFileSync(s.settings.leaseFile, 'latin1');
  assert.match(rewritten, /^# The format of this file is documented/);
  assert.match(rewritten, /lease 192\.0\.2\.105 \{/);
  assert.equal(
    readFileSync(`${s.settings.leaseFile}~`, 'latin1'),
    GOOD_LEASES,
    'the previous file kept as dhcpd.leases~',
  );
  // The loaded lease is honoured: its address is not offered to anyone else.
  assert.equal(r.server.daemon.stats.received, 0);
  await r.server.stop();
  assert.equal(existsSync(s.settings.pidFile!), false);
  assert.equal(s.transport()?.closed, true);
});

test('a lease file that does not parse stops the start with FILE:LINE and is never written', async (t) => {
  const bad = `${GOOD_LEASES}lease 192.0.2.106 {\n  starts bogus;\n}\nlease 192.0.2.107 {\n  binding state active;\n}\n`;
  const s = setup(t, bad);
  const r = await startServer(s.settings, s.deps);
  assert.equal(r.ok, false);
  assert.equal(r.ok ? 0 : r.code, 1);
  const err = s.log.lines.find((l) => l.startsWith(`${s.settings.leaseFile}:`));
  assert.ok(err, s.log.lines.join('\n'));
  assert.match(err, new RegExp(`^${s.settings.leaseFile.replaceAll('.', '\\.')}:9: `));
  assert.equal(readFileSync(s.settings.leaseFile, 'latin1'), bad, 'untouched');
  assert.equal(existsSync(`${s.settings.leaseFile}~`), false);
  assert.equal(existsSync(s.settings.pidFile!), false, 'no PID file for a server that did not start');
  assert.equal(s.transport(), undefined, 'no socket opened');
});

test('a missing lease file stops the start with ISC words', async (t) => {
  const s = setup(t, undefined);
  const r = await startServer(s.settings, s.deps);
  assert.equal(r.ok, false);
  assert.ok(
    s.log.lines.some((l) =>
      l.startsWith(`Can't open lease database ${s.settings.leaseFile}: No such file or directory`),
    ),
  );
  assert.equal(existsSync(s.settings.leaseFile), false, 'not created');
});

test('a configuration error stops the start before the lease file is read', async (t) => {
  const s = setup(t, GOOD_LEASES, 'subnet 192.0.2.0 netmask 255.255.255.0 {\n  range 192.0.2.10\n}\n');
  const r = await startServer(s.settings, s.deps);
  assert.equal(r.ok, false);
  assert.equal(s.log.lines.at(-1), 'Configuration file errors encountered -- exiting');
  assert.ok(
    s.log.lines.some((l) => l.startsWith(`${s.settings.configFile}:`)),
    s.log.lines.join('\n'),
  );
  assert.equal(readFileSync(s.settings.leaseFile, 'latin1'), GOOD_LEASES);
});

test('no interface with a subnet: "Not configured to listen on any interfaces!"', async (t) => {
  const s = setup(t, '');
  const r = await startServer({ ...s.settings, interfaces: ['eth2'] }, s.deps);
  assert.equal(r.ok, false);
  assert.equal(s.log.lines.at(-1), 'Not configured to listen on any interfaces!');
  assert.equal(existsSync(s.settings.pidFile!), false);
});

test('--no-pid writes no PID file; -q drops the banner', async (t) => {
  const s = setup(t, '');
  const r = await startServer({ ...s.settings, pidFile: undefined, quiet: true }, s.deps);
  assert.ok(r.ok, s.log.lines.join('\n'));
  assert.equal(existsSync(s.settings.pidFile!), false);
  assert.equal(
    s.log.lines.some((l) => l.startsWith('Leasehold DHCP Server')),
    false,
  );
  await r.server.stop();
});

test('a transport that cannot bind stops the start and releases the lease file', async (t) => {
  const s = setup(t, '');
  const r = await startServer(s.settings, {
    ...s.deps,
    openTransport: async () => {
      throw new Error("Can't bind to 0.0.0.0:67: EADDRINUSE");
    },
  });
  assert.equal(r.ok, false);
  assert.ok(s.log.lines.includes("Can't bind to 0.0.0.0:67: EADDRINUSE"));
  assert.equal(existsSync(s.settings.pidFile!), false);
});

test('a PID file naming a live process stops the start before the lease file is touched; a stale one does not', async (t) => {
  const s = setup(t, GOOD_LEASES);
  writeFileSync(s.settings.pidFile!, '777\n');
  const refused = await startServer(s.settings, { ...s.deps, processAlive: (pid) => pid === 777 });
  assert.equal(refused.ok, false);
  assert.ok(s.log.lines.includes(`There's already a DHCP server running (PID 777, ${s.settings.pidFile}).`));
  assert.equal(readFileSync(s.settings.leaseFile, 'latin1'), GOOD_LEASES);
  assert.equal(readFileSync(s.settings.pidFile!, 'utf8'), '777\n');

  const started = await startServer(s.settings, { ...s.deps, processAlive: () => false });
  assert.ok(started.ok, s.log.lines.join('\n'));
  assert.equal(readFileSync(s.settings.pidFile!, 'utf8'), '4242\n');
  await started.server.stop();
});

test('the UDP transport says what it cannot tell apart', () => {
  const served = (name: string) => ({ name, index: 1, addresses: [1], masks: [0], networkName: 'n' });
  assert.deepEqual(udpLimits([ETH0], [served('eth0')]), []);
  assert.match(
    udpLimits([ETH0, ETH2], [served('eth0')])[0] ?? '',
    /arriving on eth2 will be answered as if they came in on eth0/,
  );
  assert.match(udpLimits([ETH0, ETH2], [served('eth0'), served('eth2')])[0] ?? '', /cannot tell eth0, eth2 apart/);
});

test('host names in the configuration are looked up before the server says it is ready', async (t) => {
  const conf = `${CONF}\noption ntp-servers ntp.example;\nhost h { hardware ethernet 02:00:00:00:00:77; fixed-address fixed.example; }\n`;
  const s = setup(t, '', conf);
  const asked: string[] = [];
  const r = await startServer(s.settings, {
    ...s.deps,
    lookup: async (name) => {
      asked.push(name);
      s.log.info(`looked up ${name}`);
      return [ip('192.0.2.123')];
    },
  });
  assert.ok(r.ok, s.log.lines.join('\n'));
  assert.deepEqual(asked.sort(), ['fixed.example', 'ntp.example']);
  assert.ok(s.log.lines.indexOf('looked up ntp.example') < s.log.lines.indexOf('Server starting service.'));
  await r.server.stop();
});

test('a torn last record (a crash mid-write) is skipped with a warning, and the start goes on', async (t) => {
  const s = setup(t, `${GOOD_LEASES}lease 192.0.2.106 {\n  starts 2 2023/11/14 22:1`);
  const r = await startServer(s.settings, s.deps);
  assert.ok(r.ok, s.log.lines.join('\n'));
  assert.ok(
    s.log.lines.some((l) => l.startsWith(`${s.settings.leaseFile}:8: `)),
    s.log.lines.join('\n'),
  );
  const rewritten = readFileSync(s.settings.leaseFile, 'latin1');
  assert.match(rewritten, /lease 192\.0\.2\.105 \{/);
  assert.doesNotMatch(rewritten, /192\.0\.2\.106/);
  await r.server.stop();
});
