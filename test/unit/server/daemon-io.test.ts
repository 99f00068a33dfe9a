// The daemon's small I/O helpers: interface selection with ISC's log lines, where the UDP transport
// places a packet, the PID file, and the host-name cache the engine reads option values from.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type SystemInterface, selectInterfaces } from '../../../src/io/interfaces.js';
import { portsFor } from '../../../src/io/transport.js';
import { interfaceForSource } from '../../../src/io/udp-transport.js';
import { memoryLogger } from '../../../src/server/daemon-log.js';
import { icmpProber } from '../../../src/server/daemon-probe.js';
import { cachingResolver } from '../../../src/server/daemon-resolve.js';
import { removePidFile, writePidFile } from '../../../src/server/pid-file.js';
import { ip, SRV0, settle } from './daemon-helpers.js';

const sys = (name: string, address: string, more: Partial<SystemInterface> = {}): SystemInterface => ({
  name,
  index: 1,
  broadcast: true,
  loopback: false,
  up: true,
  addresses: [{ address: ip(address), mask: ip('255.255.255.0') }],
  ...more,
});
const SYSTEM = [
  sys('lo', '127.0.0.1', { broadcast: false, loopback: true }),
  sys('eth0', '192.0.2.1'),
  sys('eth1', '198.51.100.1'),
  sys('eth2', '203.0.113.1'),
  sys('tun0', '192.0.2.77', { broadcast: false }),
];
const declared = (a: number) =>
  (a & 0xffffff00) >>> 0 === ip('192.0.2.0')
    ? '192.0.2.0/24'
    : (a & 0xffffff00) >>> 0 === ip('198.51.100.0')
      ? 'lan'
      : undefined;

test('without names: every broadcast interface with an address in a declared subnet', () => {
  const s = selectInterfaces(SYSTEM, [], declared);
  assert.equal(s.error, undefined);
  assert.deepEqual(
    s.served.map((i) => [i.name, i.networkName]),
    [
      ['eth0', '192.0.2.0/24'],
      ['eth1', 'lan'],
    ],
  );
  assert.deepEqual(s.log, [
    '',
    'No subnet declaration for eth2 (203.0.113.1).',
    '** Ignoring requests on eth2.  If this is not what',
    '   you want, please write a subnet declaration',
    '   in your dhcpd.conf file for the network segment',
    '   to which interface eth2 is attached. **',
    '',
  ]);
});

test('named interfaces only; the address in a declared subnet goes first; a missing name is fatal', () => {
  const multi = sys('eth3', '203.0.113.9', {
    addresses: [
      { address: ip('203.0.113.9'), mask: ip('255.255.255.0') },
      { address: ip('192.0.2.9'), mask: ip('255.255.255.0') },
    ],
  });
  const s = selectInterfaces([...SYSTEM, multi], ['eth3'], declared);
  assert.deepEqual(
    s.served.map((i) => i.addresses),
    [[ip('192.0.2.9'), ip('203.0.113.9')]],
  );
  assert.equal(selectInterfaces(SYSTEM, ['eth9'], declared).error, 'Interface eth9 not found or has no IPv4 address.');
  assert.equal(selectInterfaces(SYSTEM, ['eth2'], declared).error, 'Not configured to listen on any interfaces!');
});

test('UDP transport: the receiving interface is inferred from the source subnet, or the only interface', () => {
  const other = { ...SRV0, name: 'srv1', addresses: [ip('198.51.100.1')] };
  assert.equal(interfaceForSource([SRV0, other], ip('198.51.100.77')), other);
  assert.equal(interfaceForSource([SRV0, other], ip('192.0.2.50')), SRV0);
  assert.equal(interfaceForSource([SRV0, other], 0), undefined, 'two interfaces: a 0.0.0.0 source is ambiguous');
  assert.equal(interfaceForSource([SRV0], 0), SRV0);
  assert.equal(interfaceForSource([SRV0], ip('203.0.113.5')), undefined);
  assert.deepEqual(portsFor(67), { server: 67, client: 68 });
  assert.deepEqual(portsFor(10067), { server: 10067, client: 10068 });
});

test('PID file: written whole, removed only while it still names us', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-pid-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'dhcpd.pid');
  await writePidFile(path, 123);
  assert.equal(readFileSync(path, 'utf8'), '123\n');
  writeFileSync(path, '456\n'); // a newer server took over
  await removePidFile(path, 123);
  assert.equal(readFileSync(path, 'utf8'), '456\n');
  await removePidFile(path, 456);
  assert.throws(() => readFileSync(path));
  await removePidFile(path, 456); // already gone: fine
});

test('host names: a miss starts one lookup and answers later from the cache; failures are retried after a while', async () => {
  let now = 0;
  const calls: string[] = [];
  const answers = new Map([['ntp.example', [ip('192.0.2.123')]]]);
  const log = memoryLogger();
  const resolve = cachingResolver({
    clock: () => now,
    log,
    lookup: async (name) => {
      calls.push(name);
      const a = answers.get(name);
      if (a === undefined) throw new Error('ENOTFOUND');
      return a;
    },
  });
  assert.equal(resolve('ntp.example'), undefined, 'first use misses');
  assert.equal(resolve('ntp.example'), undefined, 'still in flight: no second lookup');
  await resolve.pending();
  assert.deepEqual(resolve('ntp.example'), [ip('192.0.2.123')]);
  assert.equal(resolve('nowhere.example'), undefined);
  await resolve.pending();
  assert.equal(resolve('nowhere.example'), undefined);
  assert.deepEqual(calls, ['ntp.example', 'nowhere.example']);
  assert.ok(log.lines.some((l) => l.includes('Unable to resolve nowhere.example')));
  now += 61_000;
  resolve('nowhere.example');
  await settle();
  await resolve.pending();
  assert.deepEqual(calls, ['ntp.example', 'nowhere.example', 'nowhere.example']);
});

test('the MTU of an interface is carried to the served interface', () => {
  const s = selectInterfaces([sys('eth0', '192.0.2.1', { mtu: 9000 })], [], declared);
  assert.equal(s.served[0]?.mtu, 9000);
});

test('ping-check without ICMP: said once, then offers go out unchecked', async () => {
  const log = memoryLogger();
  let opens = 0;
  const prober = icmpProber(log, () => {
    opens++;
    throw new Error('raw sockets need root');
  });
  assert.equal(await prober.probe(ip('192.0.2.100'), 1000), false);
  assert.equal(await prober.probe(ip('192.0.2.101'), 1000), false);
  assert.equal(opens, 1);
  assert.deepEqual(log.lines, ['ping-check: cannot send ICMP echo (raw sockets need root); offering without it.']);
  prober.close();
});
