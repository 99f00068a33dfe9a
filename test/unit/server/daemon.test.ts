// The daemon's promises: an ACK never leaves before its lease is durable, OFFERs do not wait for the
// disk, bad packets are counted and logged once per cause, leases expire on time through the timer,
// and stop() lets packets in flight finish before closing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replyMessageType } from '../../../src/server/daemon.js';
import {
  FakeTransport,
  fixture,
  ManualStore,
  packet,
  type Req,
  requestBytes,
  SRV0,
  settle,
  yiaddrOf,
} from './daemon-helpers.js';

const DISCOVER = 1;
const REQUEST = 3;
const RELEASE = 7;

async function offer(f: ReturnType<typeof fixture>, mac?: string): Promise<string> {
  await f.daemon.process(packet({ type: DISCOVER, ...(mac ? { mac } : {}) }));
  const sent = f.transport.sent.at(-1);
  assert.ok(sent, f.log.lines.join('\n'));
  assert.equal(replyMessageType(sent.payload), 2);
  return yiaddrOf(sent.payload);
}

function requestFor(address: string, extra: Partial<Req> = {}) {
  return packet({ type: REQUEST, requested: address, serverId: '192.0.2.1', ...extra });
}

test('DISCOVER is answered with an OFFER at once, without a lease write', async () => {
  const f = fixture({ store: new ManualStore(false) });
  const address = await offer(f);
  assert.equal(address, '192.0.2.100');
  assert.equal(f.store.pending.length, 0, 'an offer writes nothing');
  assert.deepEqual(f.transport.sent[0]?.destination.kind, 'link', 'no broadcast flag, no ciaddr: to chaddr');
  assert.ok(f.log.lines.includes('DHCPOFFER on 192.0.2.100 to 02:00:00:00:00:01 via srv0'), f.log.lines.join('\n'));
});

test('the DHCPACK waits for its lease to be durable', async () => {
  const f = fixture({ store: new ManualStore(false) });
  const address = await offer(f);
  const done = f.daemon.process(requestFor(address));
  await settle();
  assert.equal(f.transport.sent.length, 1, 'ACK held back while the commit is pending');
  const [pending] = f.store.pending;
  assert.ok(pending);
  assert.equal(pending.records[0]?.kind, 'lease');
  pending.resolve();
  await done;
  assert.equal(f.transport.sent.length, 2);
  assert.equal(replyMessageType(f.transport.sent[1]!.payload), 5);
  assert.equal(f.daemon.stats.committed, 1);
});

test('concurrent REQUESTs share the store (group commit) and each ACK waits for its own commit', async () => {
  const f = fixture({ store: new ManualStore(false) });
  const a = await offer(f, '02:00:00:00:00:0a');
  const b = await offer(f, '02:00:00:00:00:0b');
  const pa = f.daemon.process(requestFor(a, { mac: '02:00:00:00:00:0a' }));
  const pb = f.daemon.process(requestFor(b, { mac: '02:00:00:00:00:0b' }));
  await settle();
  assert.equal(f.store.pending.length, 2);
  f.store.pending[1]!.resolve();
  await pb;
  assert.deepEqual(
    f.transport.sent.slice(2).map((s) => yiaddrOf(s.payload)),
    [b],
  );
  f.store.pending[0]!.resolve();
  await pa;
  assert.deepEqual(
    f.transport.sent.slice(2).map((s) => yiaddrOf(s.payload)),
    [b, a],
  );
});

test('no DHCPACK when the lease cannot be written', async () => {
  const f = fixture({ store: new ManualStore(false) });
  const address = await offer(f);
  const done = f.daemon.process(requestFor(address));
  await settle();
  f.store.pending[0]!.reject(new Error('EIO: disk on fire'));
  await done;
  assert.equal(f.transport.sent.length, 1, 'only the offer went out');
  assert.equal(f.daemon.stats.commitFailures, 1);
  assert.ok(f.log.lines.some((l) => l.includes('EIO: disk on fire')));
  assert.ok(f.log.lines.some((l) => l.startsWith('Not replying')));
});

test('a NAK goes out without waiting for the disk', async () => {
  const f = fixture({ store: new ManualStore(false) });
  await f.daemon.process(packet({ type: REQUEST, requested: '198.51.100.7' }));
  assert.equal(replyMessageType(f.transport.sent[0]!.payload), 6, f.log.lines.join('\n'));
});

test('malformed packets are counted by cause and logged once each, then summarised', async () => {
  const f = fixture();
  for (let i = 0; i < 5; i++) await f.daemon.process({ ...packet({ type: DISCOVER }), payload: new Uint8Array(100) });
  const bad = requestBytes({ type: DISCOVER });
  bad[0] = 9; // op
  for (let i = 0; i < 3; i++) await f.daemon.process({ ...packet({}), payload: bad });
  assert.equal(f.daemon.drops.count('too-short'), 5);
  assert.equal(f.daemon.drops.count('bad-op'), 3);
  assert.equal(f.log.lines.filter((l) => l.startsWith('Discarding packet')).length, 2);
  assert.equal(f.transport.sent.length, 0);
  f.clock.ms += 61_000;
  f.fireTimer();
  await settle();
  assert.ok(
    f.log.lines.includes('Discarded packets since last report: too-short 4, bad-op 2.'),
    f.log.lines.join('\n'),
  );
  // Still serving.
  await offer(f);
});

test('replies sent by a server are not requests; broadcasts from an unknown interface are dropped', async () => {
  const f = fixture();
  const reply = requestBytes({ type: DISCOVER });
  reply[0] = 2;
  await f.daemon.process({ ...packet({}), payload: reply });
  await f.daemon.process(packet({ type: DISCOVER }, { iface: undefined }));
  assert.equal(f.daemon.drops.count('not-a-request'), 1);
  assert.equal(f.daemon.drops.count('unknown-interface'), 1);
  assert.equal(f.transport.sent.length, 0);
});

test('a relayed request whose interface is unknown is served from giaddr and answered to the relay', async () => {
  const f = fixture();
  await f.daemon.process(packet({ type: DISCOVER, giaddr: '192.0.2.254' }, { iface: undefined, sourceAddress: 1 }));
  const sent = f.transport.sent[0];
  assert.ok(sent, f.log.lines.join('\n'));
  assert.deepEqual(sent.destination, { kind: 'relay', address: 0xc00002fe });
  assert.equal(sent.iface, SRV0);
});

test('a lease that ends is written as free by the timer, on time, with no packet to trigger it', async () => {
  const f = fixture();
  const address = await offer(f);
  await f.daemon.process(requestFor(address));
  assert.equal(f.store.durable.length, 1);
  f.clock.ms += 599_000;
  f.fireTimer();
  await settle();
  assert.equal(f.store.durable.length, 1, 'not before its end');
  f.clock.ms += 1_000;
  f.fireTimer();
  await settle();
  const last = f.store.durable.at(-1);
  assert.equal(last?.kind, 'lease');
  assert.equal(last?.kind === 'lease' ? last.bindingState : '', 'free');
});

test('the lease file is compacted on the interval, only when something was written', async () => {
  const f = fixture({ rewriteIntervalSec: 3600 });
  f.clock.ms += 3_600_000;
  f.fireTimer();
  await settle();
  assert.equal(f.store.rewrites, 0, 'nothing appended: nothing to compact');
  const address = await offer(f);
  await f.daemon.process(requestFor(address));
  f.clock.ms += 3_600_000;
  f.fireTimer();
  await settle();
  assert.equal(f.store.rewrites, 1);
});

test('RELEASE frees the lease through the store and sends nothing', async () => {
  const f = fixture();
  const address = await offer(f);
  await f.daemon.process(requestFor(address));
  await f.daemon.process(packet({ type: RELEASE, ciaddr: address }, { sourceAddress: 0xc0000264 }));
  const last = f.store.durable.at(-1);
  assert.equal(last?.kind === 'lease' ? last.bindingState : '', 'free');
  assert.equal(f.transport.sent.length, 2);
});

test('stop() lets an ACK in flight reach the disk and the wire, then closes transport and store', async () => {
  const f = fixture({ store: new ManualStore(false) });
  const address = await offer(f);
  f.daemon.onPacket(requestFor(address));
  await settle();
  const stopped = f.daemon.stop();
  f.daemon.onPacket(packet({ type: DISCOVER, mac: '02:00:00:00:00:99' })); // ignored: stopping
  await settle();
  assert.equal(f.transport.closed, false, 'the ACK in flight still needs the socket');
  f.store.pending[0]!.resolve();
  await stopped;
  assert.equal(f.transport.sent.length, 2);
  assert.equal(replyMessageType(f.transport.sent[1]!.payload), 5);
  assert.equal(f.transport.closed, true);
  assert.equal(f.store.closed, true);
  assert.equal(f.timerArmed(), false);
});

test('replyMessageType reads option 53 and tolerates junk', () => {
  assert.equal(replyMessageType(new Uint8Array(10)), undefined);
  const bytes = requestBytes({ type: 5 });
  assert.equal(replyMessageType(bytes), 5);
  assert.equal(replyMessageType(bytes.subarray(0, 241)), undefined);
  assert.ok(new FakeTransport().interfaces.length === 1);
});

test('the engine is handed the receiving interface, its MTU, the source address and the clock in seconds', async () => {
  const seen: { name: string; mtu: number | undefined; source: number | undefined; now: number }[] = [];
  const f = fixture({
    engine: (_req, ctx) => {
      seen.push({ name: ctx.interface.name, mtu: ctx.mtu, source: ctx.sourceAddress, now: ctx.now });
      return { changes: [], log: [] };
    },
  });
  await f.daemon.process(packet({ type: DISCOVER }, { iface: { ...SRV0, mtu: 1400 }, sourceAddress: 0xc0000205 }));
  assert.deepEqual(seen, [{ name: 'srv0', mtu: 1400, source: 0xc0000205, now: 1_700_000_000 }]);
});

test('ping-check: the OFFER waits for the probe; an answer abandons the address and withholds the offer', async () => {
  const probed: [number, number][] = [];
  let answer = true;
  let release: (() => void) | undefined;
  const f = fixture({
    probe: (address, timeoutMs) => {
      probed.push([address, timeoutMs]);
      return new Promise((resolve) => {
        release = () => resolve(answer);
      });
    },
  });
  const first = f.daemon.process(packet({ type: DISCOVER }));
  await settle();
  assert.deepEqual(probed, [[0xc0000264, 1000]], 'ISC default: ping-check on, 1 s');
  assert.equal(f.transport.sent.length, 0, 'the offer waits for the probe');
  release?.();
  await first;
  assert.equal(f.transport.sent.length, 0, 'someone answered: no offer');
  assert.equal(f.daemon.stats.conflicts, 1);
  assert.ok(f.log.lines.includes('Abandoning IP address 192.0.2.100: pinged before offer'), f.log.lines.join('\n'));
  const abandoned = f.store.durable.at(-1);
  assert.equal(abandoned?.kind === 'lease' ? abandoned.bindingState : '', 'abandoned');

  answer = false;
  const second = f.daemon.process(packet({ type: DISCOVER }));
  await settle();
  release?.();
  await second;
  assert.equal(yiaddrOf(f.transport.sent[0]!.payload), '192.0.2.101', 'silence: the next address is offered');
});
