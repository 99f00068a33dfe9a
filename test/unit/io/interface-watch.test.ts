// The interface watcher over a hand-fed interface list and a recording transport (no timers run: the test calls
// poll()), the plan it makes, and the UDP transport's add/remove on loopback addresses.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { planInterfaces, watchInterfaces } from '../../../src/io/interface-watch.js';
import { type SystemInterface, selectInterfaces } from '../../../src/io/interfaces.js';
import type { ReceivedPacket, ServedInterface } from '../../../src/io/transport.js';
import { UdpTransport } from '../../../src/io/udp-transport.js';
import { waitFor } from '../../e2e/lib/wait.js';

const ip = (s: string) => s.split('.').reduce((n, p) => ((n << 8) | Number(p)) >>> 0, 0);
const MASK = ip('255.255.255.0');

const sys = (name: string, address: string | undefined, index = 2): SystemInterface => ({
  name,
  index,
  broadcast: true,
  loopback: false,
  up: true,
  addresses: address === undefined ? [] : [{ address: ip(address), mask: MASK }],
});

const subnetOf = (a: number) =>
  (a & MASK) >>> 0 === ip('192.0.2.0')
    ? '192.0.2.0/24'
    : (a & MASK) >>> 0 === ip('198.51.100.0')
      ? '198.51.100.0/24'
      : undefined;

const served = (name: string, address: string, index = 2): ServedInterface => ({
  name,
  index,
  addresses: [ip(address)],
  masks: [MASK],
  networkName: subnetOf(ip(address)) ?? '',
});

/** A transport that records what it is told; `failOn` names interfaces whose add rejects. */
function recordingTransport(initial: ServedInterface[], failOn = new Set<string>()) {
  const interfaces = [...initial];
  const calls: string[] = [];
  return {
    calls,
    transport: {
      interfaces,
      addInterface: async (iface: ServedInterface) => {
        calls.push(`add ${iface.name} ${iface.addresses.length}`);
        if (failOn.has(iface.name)) throw Object.assign(new Error('bind ENETDOWN'), { code: 'ENETDOWN' });
        const at = interfaces.findIndex((i) => i.name === iface.name);
        if (at >= 0) interfaces.splice(at, 1);
        interfaces.push(iface);
        return [`Listening on X/${iface.name}`];
      },
      removeInterface: async (name: string) => {
        calls.push(`remove ${name}`);
        const at = interfaces.findIndex((i) => i.name === name);
        if (at < 0) return [];
        interfaces.splice(at, 1);
        return [`No longer listening on X/${name}`];
      },
    },
  };
}

function recordingLog() {
  const lines: string[] = [];
  return { lines, log: { info: (l: string) => lines.push(l), error: (l: string) => lines.push(l) } };
}

const noTimer = () => () => {};

test('planInterfaces: new and changed ones to add, vanished ones to remove, unchanged left alone', () => {
  const current = [served('srv0', '192.0.2.1'), served('srv1', '198.51.100.1')];
  assert.deepEqual(planInterfaces(current, current), { add: [], remove: [] });
  const moved = served('srv0', '192.0.2.9');
  const plan = planInterfaces(current, [moved, served('srv2', '198.51.100.7', 5)]);
  assert.deepEqual(
    plan.add.map((i) => i.name),
    ['srv0', 'srv2'],
  );
  assert.deepEqual(plan.remove, ['srv1']);
  assert.deepEqual(planInterfaces(current, [served('srv0', '192.0.2.1', 9), current[1]!]).add.length, 1, 'new index');
});

test('selectInterfaces: a named interface that is absent is waited for, unless nothing else can be served', () => {
  const system = [sys('srv0', '192.0.2.1')];
  const s = selectInterfaces(system, ['srv0', 'srv1'], subnetOf);
  assert.equal(s.error, undefined);
  assert.deepEqual(s.missing, ['srv1']);
  assert.deepEqual(s.log, ['Interface srv1 not found or has no IPv4 address; it will be served once it has one.']);
  assert.equal(selectInterfaces(system, ['srv1'], subnetOf).error, 'Interface srv1 not found or has no IPv4 address.');
});

test('watcher: serves what appears, drops what goes, says each left-out interface once', async () => {
  let system = [sys('srv0', '192.0.2.1')];
  const { transport, calls } = recordingTransport([served('srv0', '192.0.2.1')]);
  const { lines, log } = recordingLog();
  const w = watchInterfaces({ transport, requested: [], subnetOf, log, list: () => system, timer: noTimer });

  await w.poll();
  assert.deepEqual(calls, [], 'nothing changed');

  system = [sys('srv0', '192.0.2.1'), sys('srv1', '198.51.100.1', 3), sys('eth2', '203.0.113.1', 4)];
  await w.poll();
  assert.deepEqual(calls, ['add srv1 1']);
  assert.ok(lines.includes('Listening on X/srv1'));
  assert.ok(lines.includes('No subnet declaration for eth2 (203.0.113.1).'));
  const said = lines.length;
  await w.poll();
  assert.equal(lines.length, said, 'nothing new: nothing said');

  // srv1 moves out of every declared subnet; srv0 gains an address.
  system = [
    {
      ...sys('srv0', '192.0.2.1'),
      addresses: [
        { address: ip('192.0.2.1'), mask: MASK },
        { address: ip('192.0.2.2'), mask: MASK },
      ],
    },
    sys('srv1', '203.0.113.9', 3),
    sys('eth2', '203.0.113.1', 4),
  ];
  await w.poll();
  assert.deepEqual(calls.slice(1), ['remove srv1', 'add srv0 2']);
  assert.ok(lines.includes('No subnet declaration for srv1 (203.0.113.9).'));
  assert.ok(lines.includes('No longer listening on X/srv1'));
  assert.equal(lines.filter((l) => l.startsWith('No subnet declaration for eth2')).length, 1);

  system = [];
  await w.poll();
  assert.deepEqual(transport.interfaces, [], 'everything gone');
  await w.stop();
  system = [sys('srv0', '192.0.2.1')];
  await w.poll();
  assert.deepEqual(transport.interfaces, [], 'stopped: no more changes');
});

test('watcher: a named interface is picked up when it appears; a failed open is said once, retried on change', async () => {
  let system = [sys('srv0', '192.0.2.1')];
  const { transport, calls } = recordingTransport([served('srv0', '192.0.2.1')], new Set(['srv1']));
  const { lines, log } = recordingLog();
  let ticks = 0;
  const w = watchInterfaces({
    transport,
    requested: ['srv0', 'srv1'],
    subnetOf,
    log,
    list: () => system,
    intervalMs: 2000,
    timer: (_fn, ms) => {
      ticks = ms;
      return () => {
        ticks = -1;
      };
    },
  });
  assert.equal(ticks, 2000);
  system = [sys('srv0', '192.0.2.1'), sys('srv1', '198.51.100.1', 3), sys('srv2', '198.51.100.2', 4)];
  await w.poll();
  await w.poll();
  assert.deepEqual(calls, ['add srv1 1', 'remove srv1'], 'srv2 is not named; srv1 failed once, not retried');
  assert.deepEqual(
    lines.filter((l) => l.startsWith("Can't listen")),
    ["Can't listen on srv1: the network interface is down (bind ENETDOWN); will retry when its addresses change."],
  );
  system = [sys('srv0', '192.0.2.1'), sys('srv1', '198.51.100.5', 3)];
  await w.poll();
  assert.deepEqual(calls.slice(2), ['add srv1 1', 'remove srv1'], 'a new address: tried again');
  await w.stop();
  assert.equal(ticks, -1, 'timer cancelled');
});

test('UDP transport: an interface added later gets its own socket; removing it closes that socket', async (t) => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const got: ReceivedPacket[] = [];
  let tr: UdpTransport;
  try {
    tr = await UdpTransport.open({
      interfaces: [],
      ports: { server: port, client: port + 1 },
      onPacket: (p) => got.push(p),
      onError: () => {},
      wildcardAddress: '127.0.0.1',
    });
  } catch (e) {
    t.skip(`cannot bind 127.0.0.1:${port}: ${(e as Error).message}`);
    return;
  }
  const lo2: ServedInterface = {
    name: 'lo2',
    index: 1,
    addresses: [ip('127.0.0.2')],
    masks: [0xff000000],
    networkName: 'lab',
  };
  assert.deepEqual(await tr.addInterface(lo2), ['Listening on Socket/lo2/lab', 'Sending on   Socket/lo2/lab']);
  assert.deepEqual(
    tr.interfaces.map((i) => i.name),
    ['lo2'],
  );
  const client = createSocket('udp4');
  await new Promise<void>((resolve, reject) =>
    client.send('hello', port, '127.0.0.2', (err) => (err ? reject(err) : resolve())),
  );
  await waitFor(() => got.length > 0, { timeoutMs: 10_000, intervalMs: 5, what: 'the datagram to 127.0.0.2' });
  client.close();
  assert.equal(got[0]?.iface?.name, 'lo2', 'unicast to its address arrives on its socket');
  // A second interface: UDP sockets cannot tell their broadcasts apart, and the added lines say so.
  const lo3: ServedInterface = { ...lo2, name: 'lo3', addresses: [ip('127.0.0.3')] };
  assert.deepEqual(await tr.addInterface(lo3), [
    'Listening on Socket/lo3/lab',
    'Sending on   Socket/lo3/lab',
    'UDP sockets cannot tell lo2, lo3 apart: broadcasts from clients without an address are dropped; relayed and renewing clients are served.',
  ]);
  // New addresses for an interface already served are not a new interface: no second warning.
  assert.equal((await tr.addInterface({ ...lo3, addresses: [ip('127.0.0.4')] })).length, 2);
  assert.deepEqual(await tr.removeInterface('lo3'), [
    'No longer listening on Socket/lo3/lab',
    'No longer sending on   Socket/lo3/lab',
  ]);
  assert.deepEqual(await tr.removeInterface('lo2'), [
    'No longer listening on Socket/lo2/lab',
    'No longer sending on   Socket/lo2/lab',
  ]);
  assert.deepEqual(tr.interfaces, []);
  await assert.rejects(tr.send(Buffer.from('x'), { kind: 'broadcast' }, lo2), /no socket/);
  await tr.close();
});
