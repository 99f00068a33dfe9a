// The server's shared ARP prober over a fake addon and a hand-driven timer: probes leave at 0 and half-way,
// a reply from the holder ends the check at once, silence ends it at the timeout, several addresses share
// one socket. No sleeping, no sockets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMac } from '../../../src/io/addr.js';
import { ARP_REPLY, ARP_REQUEST, decodeArpFrame, encodeArpFrame } from '../../../src/io/arp.js';
import { type OneShotTimer, openArpProber } from '../../../src/io/arp-prober.js';
import { errnoError, fakeAddon } from './fake-addon.js';

/** Timers run when the test advances the clock. */
export function manualTimer() {
  let now = 0;
  const queue: { at: number; fn: () => void; live: boolean }[] = [];
  const timer: OneShotTimer = (fn, ms) => {
    const entry = { at: now + ms, fn, live: true };
    queue.push(entry);
    return () => {
      entry.live = false;
    };
  };
  return {
    timer,
    pending: () => queue.filter((e) => e.live).length,
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = queue.filter((e) => e.live && e.at <= end).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        now = due.at;
        due.live = false;
        due.fn();
      }
      now = end;
    },
  };
}

const PEER = parseMac('02:00:00:00:00:99');
const flush = () => new Promise((r) => setImmediate(r));

function reply(senderIp: string, targetIp = '0.0.0.0', op = ARP_REPLY): Buffer {
  return encodeArpFrame({ srcMac: PEER, op, senderIp, targetIp });
}

test('silence: two probes (0 and half the timeout) from 0.0.0.0, then undefined at the timeout', async () => {
  const fake = fakeAddon();
  const clock = manualTimer();
  const p = openArpProber({ ifname: 'srv0', timer: clock.timer, native: fake.load });
  assert.equal(p.ifindex, 7);
  assert.deepEqual(fake.refs, [false], 'the socket does not hold the process open');
  let result: unknown = 'pending';
  void p.probe('192.0.2.100', 1000).then((r) => {
    result = r;
  });
  assert.equal(fake.sent.length, 1);
  const probe = decodeArpFrame(fake.sent[0] as Buffer);
  assert.deepEqual(
    { op: probe?.op, senderIp: probe?.senderIp, targetIp: probe?.targetIp },
    { op: ARP_REQUEST, senderIp: '0.0.0.0', targetIp: '192.0.2.100' },
  );
  clock.advance(499);
  assert.equal(fake.sent.length, 1);
  clock.advance(1);
  assert.equal(fake.sent.length, 2);
  clock.advance(499);
  await flush();
  assert.equal(result, 'pending');
  clock.advance(1);
  await flush();
  assert.equal(result, undefined);
  assert.equal(clock.pending(), 0);
  p.close();
  assert.equal(fake.closed, 1);
});

test('a reply from the holder ends the check at once; other addresses on the same socket go on', async () => {
  const fake = fakeAddon();
  const clock = manualTimer();
  const p = openArpProber({ ifname: 'srv0', timer: clock.timer, native: fake.load });
  const a = p.probe('192.0.2.100', 1000);
  let bDone = false;
  const b = p.probe('192.0.2.101', 1000).then((r) => {
    bDone = true;
    return r;
  });
  fake.deliver(undefined, [reply('192.0.2.77'), reply('192.0.2.100')], [0, 0]);
  const got = await a;
  assert.equal(got?.senderIp, '192.0.2.100');
  assert.equal(got?.senderMac, '02:00:00:00:00:99');
  await flush();
  assert.equal(bDone, false, 'the other check still waits');
  clock.advance(1000);
  assert.equal(await b, undefined);
  assert.equal(clock.pending(), 0, 'the answered check cancelled its timers');
  p.close();
});

test('another host probing the same address conflicts; our own frames and plain questions do not', async () => {
  const fake = fakeAddon();
  const clock = manualTimer();
  const p = openArpProber({ ifname: 'srv0', timer: clock.timer, native: fake.load });
  const a = p.probe('192.0.2.100', 1000);
  const own = encodeArpFrame({
    srcMac: parseMac('02:00:00:00:00:01'),
    op: ARP_REPLY,
    senderIp: '192.0.2.100',
    targetIp: '0.0.0.0',
  });
  fake.deliver(undefined, [own, reply('192.0.2.5', '192.0.2.100', ARP_REQUEST)], [0, 0]);
  await flush();
  fake.deliver(undefined, [reply('0.0.0.0', '192.0.2.100', ARP_REQUEST)], [0]);
  assert.equal((await a)?.senderIp, '0.0.0.0');
  p.close();
});

test('close() ends pending checks as silent; a failed first send rejects; open errors throw', async () => {
  const fake = fakeAddon();
  const clock = manualTimer();
  const p = openArpProber({ ifname: 'srv0', timer: clock.timer, native: fake.load });
  const a = p.probe('192.0.2.100', 1000);
  p.close();
  p.close();
  assert.equal(await a, undefined);
  assert.equal(clock.pending(), 0);
  assert.equal(await p.probe('192.0.2.100', 1000), undefined, 'closed: silent at once');

  const down = fakeAddon({ sendError: errnoError('ENETDOWN', 'sendto') });
  const q = openArpProber({ ifname: 'srv0', timer: clock.timer, native: down.load });
  await assert.rejects(q.probe('192.0.2.100', 1000), { code: 'ENETDOWN' });
  q.close();

  const denied = fakeAddon({ openError: errnoError('EPERM') });
  assert.throws(() => openArpProber({ ifname: 'srv0', native: denied.load }), { code: 'EPERM' });
});
