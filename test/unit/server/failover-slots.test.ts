// The allocator's failover pools (failover-slots.ts): ISC 4.4.3's own failover lease files are read
// and written back byte for byte, the queues come out in ISC's order, and the steps a failover
// server takes (balancing, a partner's update, expiry, the ack, a commit) write the records ISC
// wrote for the same steps. Plain pools beside them behave as before.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { FileJournal } from '../../../src/leases/journal.js';
import { BINDING_STATES, type Lease } from '../../../src/leases/lease.js';
import { LeaseTextBuffer } from '../../../src/leases/lease-text.js';
import { parseLeases, parseLeasesBytes } from '../../../src/leases/reader.js';
import { formatFileHeader, formatLease, formatLeaseFile } from '../../../src/leases/writer.js';
import { ACTIVE, Allocator, BACKUP, EXPIRED, FREE, NO_SLOT, RELEASED } from '../../../src/server/allocator.js';
import type { ClientIdentity } from '../../../src/server/client-id.js';
import {
  ISC_104,
  ISC_108,
  ISC_CONF_PRIMARY,
  ISC_CONF_SECONDARY,
  ISC_PRIMARY,
  ISC_SECONDARY,
} from './failover-isc-leases.js';
import { ip, treeOf } from './helpers.js';

const NOW = 1_700_000_000;
/** The primary's configuration plus a plain subnet (pool 1), which has no peer. */
const PRIMARY = treeOf(
  `${ISC_CONF_PRIMARY}subnet 198.51.100.0 netmask 255.255.255.0 { range 198.51.100.10 198.51.100.19; }\n`,
);
const SECONDARY = treeOf(ISC_CONF_SECONDARY);

/** The lease blocks of a lease file text, as written. */
function blocks(text: string): string[] {
  return text.match(/^lease \S+ \{\n[\s\S]*?^\}\n/gm) ?? [];
}

const addressOf = (block: string): number => ip(/^lease (\S+)/.exec(block)![1]!);

function leaseOf(block: string): Lease {
  const r = parseLeases(block, 'block');
  assert.equal(r.error, undefined);
  return [...r.leases.values()][0]!;
}

function client(mac: string): ClientIdentity {
  const address = Uint8Array.from(mac.split(':'), (h) => Number.parseInt(h, 16));
  return { uid: undefined, hardware: { type: 1, address }, uidKey: undefined, hwKey: `1/${mac}` };
}

function tmpFile(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-failover-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'dhcpd.leases');
}

test('pools take the failover peer of their shared-network when declared after it; implicit pools have none', () => {
  const tree = treeOf(`failover peer "fo" {
  primary; address 192.0.2.1; peer address 192.0.2.2; mclt 30; split 128;
}
shared-network net {
  subnet 192.0.2.0 netmask 255.255.255.0 {
    pool { range 192.0.2.20 192.0.2.29; }
    range 192.0.2.30 192.0.2.39;
  }
  failover peer "fo";
  pool { range 192.0.2.40 192.0.2.49; }
}
subnet 198.51.100.0 netmask 255.255.255.0 { pool { failover peer "fo"; range 198.51.100.10 198.51.100.19; } }
`);
  const peerOf = (a: string) => tree.pools.find((p) => p.ranges.some((r) => r.low === ip(a)))?.failoverPeer;
  assert.equal(peerOf('192.0.2.20'), undefined, 'declared before the reference');
  assert.equal(peerOf('192.0.2.30'), undefined, 'the implicit pool of a range outside any pool');
  assert.equal(peerOf('192.0.2.40'), 'fo');
  assert.equal(peerOf('198.51.100.10'), 'fo', "the pool's own reference");
  const a = new Allocator(tree);
  assert.equal(a.isFailoverSlot(a.slotOf(ip('192.0.2.40'))), true);
  assert.equal(a.isFailoverSlot(a.slotOf(ip('192.0.2.20'))), false);
  assert.deepEqual(
    a.failoverPools('fo').map((p) => tree.pools[p]!.ranges[0]!.low),
    [ip('198.51.100.10'), ip('192.0.2.40')].sort((x, y) => x - y),
  );
});

for (const [side, tree, isc] of [
  ['primary', PRIMARY, ISC_PRIMARY],
  ['secondary', SECONDARY, ISC_SECONDARY],
] as const) {
  test(`ISC's ${side} lease file is loaded and rewritten byte for byte (in address order)`, async (t) => {
    const file = tmpFile(t);
    const state = isc.slice(0, isc.indexOf('lease '));
    const leases = blocks(isc).sort((x, y) => addressOf(x) - addressOf(y));
    const text = `${formatFileHeader()}\n${state}${leases.join('')}`;
    fs.writeFileSync(file, text, 'latin1');
    const a = new Allocator(tree);
    const journal = new FileJournal(file, { clock: () => NOW * 1000 });
    t.after(() => journal.close());
    const loaded = await journal.load(a.leaseHolder(NOW));
    assert.equal(loaded.leaseCount, 13);
    await journal.rewrite();
    const after = fs.readFileSync(file, 'latin1');
    const body = (s: string) => s.slice(s.indexOf('authoring-byte-order'));
    assert.equal(body(after), body(text));
  });

  test(`the ${side}'s queues are ISC's: written in queue order they are ISC's start-up rewrite`, () => {
    const a = new Allocator(tree);
    const sorted = blocks(isc).sort((x, y) => addressOf(x) - addressOf(y));
    a.loadAll(
      sorted.map((b) => leaseOf(b)),
      NOW,
    );
    const active = [...a.failoverSlotsOf(0, 'active')].sort((x, y) => a.endsOf(x) - a.endsOf(y));
    const order = [...a.failoverQueue(0, 'free'), ...active, ...a.failoverQueue(0, 'expired')];
    order.push(...a.failoverQueue(0, 'abandoned'), ...a.failoverQueue(0, 'backup'));
    // write_leases4 writes a lease with a client, a tsfp or a state other than free.
    const written = order.filter((s) => {
      const i = a.failoverSlotInfo(s)!;
      return i.hardware !== undefined || i.uid !== undefined || i.tsfp !== 0 || i.state !== 'free';
    });
    assert.equal(written.map((s) => formatLease(a.record(s))).join(''), blocks(isc).join(''));
    const free = side === 'primary' ? 4 : 4; // .109 and the three addresses never leased (.113-.115)
    assert.deepEqual(a.stats(0), { total: 16, free, backup: 5, abandoned: 0 });
  });
}

test("the primary's steps for 192.0.2.104 write ISC's records: balance, send, ack, partner's update, expiry, ack, balance", () => {
  const isc = blocks(ISC_104).slice(1); // the first is the address before any use
  const rec = isc.map(leaseOf);
  const a = new Allocator(PRIMARY);
  a.setFailoverPolicy('fo', { stepRewind: true }); // NORMAL: cooperating
  const slot = a.slotOf(ip('192.0.2.104'));
  const step = (k: number, written: Lease) => assert.equal(formatLease(written), isc[k], `record ${k}`);
  const t0 = rec[0]!.starts!;
  // Pool balancing gives the never-used lease to the secondary (dhcp_failover_pool_dobalance).
  step(0, a.setState(slot, 'backup', t0, { starts: t0, tstp: t0, propagate: true, scrub: true }));
  assert.deepEqual(a.stats(0), { total: 16, free: 15, backup: 1, abandoned: 0 });
  step(1, a.setFailoverTimes(slot, { rewind: 'backup' })); // the BNDUPD goes out
  step(2, a.setFailoverTimes(slot, { tsfp: t0, atsfp: t0 })); // its BNDACK
  // The secondary allocates it and tells the primary.
  const up = rec[3]!;
  const fields = { starts: up.starts!, ends: up.ends!, tsfp: up.tsfp!, atsfp: up.atsfp!, hardware: up.hardware! };
  step(3, a.applyPeerUpdate(slot, { state: 'active', ...fields }, up.starts!));
  assert.deepEqual(a.stats(0), { total: 16, free: 15, backup: 0, abandoned: 0 });
  assert.equal(a.stateOf(slot), ACTIVE);
  // It ends: EXPIRED, on the expired queue, not free.
  const ended = a.expire(up.ends!);
  assert.equal(ended.length, 1);
  step(4, ended[0]!);
  assert.equal(a.stateOf(slot), EXPIRED);
  assert.deepEqual([...a.failoverQueue(0, 'expired')], [slot]);
  assert.equal(a.stats(0).free, 15);
  // The secondary acks the expiry: free (tstp becomes its end; the client stays recorded).
  const tstp = a.failoverSlotInfo(slot)!.tstp;
  step(5, a.setState(slot, 'free', up.ends!, { tsfp: tstp, atsfp: tstp, rewind: 'free' }));
  assert.equal(a.stats(0).free, 16);
  assert.deepEqual([...a.failoverQueue(0, 'expired')], []);
  const t6 = rec[6]!.starts!;
  step(6, a.setState(slot, 'backup', t6, { starts: t6, tstp: t6, propagate: true, scrub: true }));
  step(7, a.setFailoverTimes(slot, { rewind: 'backup' }));
  step(8, a.setFailoverTimes(slot, { tsfp: t6, atsfp: t6 }));
  assert.deepEqual(a.stats(0), { total: 16, free: 15, backup: 1, abandoned: 0 });
  assert.deepEqual([...a.failoverQueue(0, 'backup')], [slot]);
});

test("the primary's own allocation of 192.0.2.108 writes ISC's records: ACK, send, ack, renewal", () => {
  const isc = blocks(ISC_108).slice(1);
  const rec = isc.map(leaseOf);
  const a = new Allocator(PRIMARY);
  a.setFailoverPolicy('fo', { stepRewind: true });
  const slot = a.slotOf(ip('192.0.2.108'));
  const who = client('02:00:00:00:00:02');
  const step = (k: number, written: Lease) => assert.equal(formatLease(written), isc[k], `record ${k}`);
  const r0 = rec[0]!;
  step(0, a.commit(slot, who, 'vm', r0.starts!, r0.ends!, false, undefined, { tstp: r0.tstp! }));
  step(1, a.setFailoverTimes(slot, { rewind: 'active' }));
  step(2, a.setFailoverTimes(slot, { tsfp: r0.tstp!, atsfp: r0.tstp! }));
  const r3 = rec[3]!;
  step(3, a.commit(slot, who, 'vm', r3.starts!, r3.ends!, false, undefined, { tstp: r3.tstp! }));
  assert.equal(a.failoverSlotInfo(slot)!.nextState, 'expired');
});

test('expiry: ACTIVE -> EXPIRED in a failover pool (and it stays off the free queue), ACTIVE -> FREE in a plain one', () => {
  const a = new Allocator(PRIMARY);
  const f = a.allocateFailover([0], false, NOW);
  const p = a.allocate([1], false, NOW);
  assert.notEqual(f, NO_SLOT);
  a.commit(f, client('02:00:00:00:01:01'), 'one', NOW, NOW + 30, false, undefined, { tstp: NOW + 45 });
  a.commit(p, client('02:00:00:00:01:02'), 'two', NOW, NOW + 30, false);
  assert.deepEqual(a.expire(NOW + 29), []);
  const out = a.expire(NOW + 30);
  const byAddress = new Map(out.map((l) => [l.address, l]));
  const fl = byAddress.get(a.address[f]!)!;
  const pl = byAddress.get(a.address[p]!)!;
  assert.equal(fl.bindingState, 'expired');
  assert.equal(fl.nextBindingState, 'free');
  assert.equal(fl.tstp, NOW + 45);
  assert.equal(fl.clientHostname, 'one', 'kept until the lease is free');
  assert.equal(pl.bindingState, 'free');
  assert.equal(pl.tstp, undefined, 'plain pools write no failover times');
  assert.equal(pl.clientHostname, undefined);
  assert.equal(a.stateOf(f), EXPIRED);
  assert.equal(a.stateOf(p), FREE);
  assert.deepEqual(a.stats(0), { total: 16, free: 15, backup: 0, abandoned: 0 });
  assert.deepEqual(a.stats(1), { total: 10, free: 10, backup: 0, abandoned: 0 });
  assert.deepEqual([...a.failoverQueue(0, 'expired')], [f]);
  assert.deepEqual([...a.failoverQueue(1, 'expired')], [], 'no queue walk for a plain pool');
  assert.equal(a.failoverSlotInfo(p), undefined);
  // The expired lease is never allocated meanwhile: the other fifteen are, then nothing.
  const taken = new Set<number>();
  for (let k = 0; k < 15; k++) {
    const s = a.allocateFailover([0], false, NOW + 40);
    assert.notEqual(s, NO_SLOT);
    assert.notEqual(s, f);
    a.commit(s, client(`02:00:00:00:02:${k.toString(16).padStart(2, '0')}`), undefined, NOW + 40, NOW + 999, false);
    taken.add(s);
  }
  assert.equal(taken.size, 15);
  assert.equal(a.allocateFailover([0], false, NOW + 40), NO_SLOT);
});

test('release: ACTIVE -> RELEASED until the ack; the ack frees it and the binding goes then', () => {
  const a = new Allocator(PRIMARY);
  a.setFailoverPolicy('fo', { stepRewind: true });
  const s = a.allocateFailover([0], false, NOW);
  a.commit(s, client('02:00:00:00:03:01'), 'pc', NOW, NOW + 30, false, undefined, { tstp: NOW + 45 });
  const r = a.release(s, NOW + 10);
  assert.equal(r.bindingState, 'released');
  assert.equal(r.nextBindingState, 'free');
  assert.equal(r.rewindBindingState, undefined, 'stepped to released (cooperating)');
  assert.equal(r.ends, NOW + 10);
  assert.equal(r.tstp, NOW + 10);
  assert.equal(r.clientHostname, 'pc');
  assert.equal(a.stateOf(s), RELEASED);
  assert.equal(a.stats(0).free, 15);
  assert.deepEqual([...a.failoverQueue(0, 'expired')], [s]);
  const freed = a.setState(s, 'free', NOW + 11, { tsfp: NOW + 10, atsfp: NOW + 10, rewind: 'free' });
  assert.equal(freed.bindingState, 'free');
  assert.equal(freed.clientHostname, undefined);
  assert.deepEqual(freed.hardware?.address, client('02:00:00:00:03:01').hardware.address, 'the client stays recorded');
  assert.equal(a.stats(0).free, 16);
  // Not cooperating, a lease whose rewind state is free goes straight back to it.
  a.setFailoverPolicy('fo', { rewindTo: 'free' });
  const t = a.allocateFailover([0], false, NOW + 20);
  a.commit(t, client('02:00:00:00:03:02'), undefined, NOW + 20, NOW + 50, false, undefined, { tstp: NOW + 65 });
  assert.equal(a.failoverSlotInfo(t)!.rewindState, 'free');
  assert.equal(a.release(t, NOW + 30).bindingState, 'free');
  assert.equal(a.stats(0).free, 16);
});

test("the secondary allocates from BACKUP in ISC's queue order; the primary's FREE leases only in partner-down", () => {
  const a = new Allocator(SECONDARY);
  const slots = ['192.0.2.100', '192.0.2.101', '192.0.2.102', '192.0.2.103'].map((s) => a.slotOf(ip(s)));
  const ends = [NOW - 500, NOW - 800, 0, 0];
  slots.forEach((s, k) => {
    a.applyPeerUpdate(s, { state: 'backup', starts: NOW - 10, ends: ends[k]!, tsfp: NOW - 10, atsfp: NOW - 10 }, NOW);
  });
  // Sorted by end; of two with the same end the one queued later goes first (lease_insert).
  const [s100, s101, s102, s103] = slots as [number, number, number, number];
  assert.deepEqual([...a.failoverQueue(0, 'backup')], [s103, s102, s101, s100]);
  assert.deepEqual(a.stats(0), { total: 16, free: 12, backup: 4, abandoned: 0 });
  const order: number[] = [];
  for (;;) {
    const s = a.allocateFailover([0], true, NOW);
    if (s === NO_SLOT) break;
    assert.equal(a.stateOf(s), BACKUP);
    order.push(s);
    a.commit(s, client(`02:00:00:00:04:0${order.length}`), undefined, NOW, NOW + 30, false, undefined, {
      tstp: NOW + 45,
    });
  }
  assert.deepEqual(order, [s103, s102, s101, s100]);
  assert.equal(a.peerHasLeases, true, "the primary's FREE leases are there, not this server's");
  // Partner-down since NOW: the primary's leases are this server's once stos + mclt has passed.
  a.setFailoverPolicy('fo', { partnerDown: { stos: NOW, mclt: 30 } });
  assert.equal(a.allocateFailover([0], true, NOW + 30), NO_SLOT);
  const s = a.allocateFailover([0], true, NOW + 31);
  assert.notEqual(s, NO_SLOT);
  assert.equal(a.stateOf(s), FREE);
});

test('partner-down frees expired leases at stos + mclt (or their end); a secondary in NORMAL holds ending leases', () => {
  const a = new Allocator(PRIMARY);
  const s = a.allocateFailover([0], false, NOW);
  a.commit(s, client('02:00:00:00:05:01'), undefined, NOW, NOW + 30, false, undefined, { tstp: NOW + 45 });
  assert.equal(a.expire(NOW + 30)[0]!.bindingState, 'expired');
  a.setFailoverPolicy('fo', { partnerDown: { stos: NOW + 40, mclt: 30 } });
  assert.equal(a.failoverSlotInfo(s)!.tsfp, NOW + 70);
  assert.deepEqual(a.expire(NOW + 69), []);
  const freed = a.expire(NOW + 70);
  assert.equal(freed.length, 1);
  assert.equal(freed[0]!.bindingState, 'free');
  assert.equal(a.stats(0).free, 16);

  const b = new Allocator(SECONDARY);
  b.setFailoverPolicy('fo', { holdActive: true });
  const t = b.slotOf(ip('192.0.2.110'));
  const hw = client('02:00:00:00:05:02').hardware;
  b.applyPeerUpdate(t, { state: 'active', starts: NOW, ends: NOW + 30, hardware: hw }, NOW);
  assert.deepEqual(b.expire(NOW + 60), [], 'the primary expires it');
  assert.equal(b.stateOf(t), ACTIVE);
  b.setFailoverPolicy('fo', {}); // communications-interrupted: this server may expire it
  const out = b.expire(NOW + 61);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.bindingState, 'expired');
});

test('a partner update FREE -> ACTIVE -> EXPIRED -> FREE -> BACKUP moves the lease between the queues', () => {
  const a = new Allocator(PRIMARY);
  const s = a.slotOf(ip('192.0.2.105'));
  const hw = client('02:00:00:00:06:01').hardware;
  const queues = () => ({
    free: [...a.failoverQueue(0, 'free')].includes(s),
    expired: [...a.failoverQueue(0, 'expired')].includes(s),
    backup: [...a.failoverQueue(0, 'backup')].includes(s),
  });
  assert.deepEqual(queues(), { free: true, expired: false, backup: false });
  let r = a.applyPeerUpdate(s, { state: 'active', starts: NOW, ends: NOW + 300, hardware: hw }, NOW);
  assert.equal(r.bindingState, 'active');
  assert.equal(r.nextBindingState, 'expired');
  assert.deepEqual(queues(), { free: false, expired: false, backup: false });
  assert.deepEqual(a.stats(0), { total: 16, free: 15, backup: 0, abandoned: 0 });
  assert.deepEqual([...a.failoverSlotsOf(0, 'active')], [s]);
  r = a.applyPeerUpdate(s, { state: 'expired', ends: NOW + 100 }, NOW + 100);
  assert.equal(r.bindingState, 'expired');
  assert.deepEqual(queues(), { free: false, expired: true, backup: false });
  assert.equal(a.stats(0).free, 15);
  r = a.applyPeerUpdate(s, { state: 'free', tsfp: NOW + 100, atsfp: NOW + 100 }, NOW + 101);
  assert.equal(r.bindingState, 'free');
  assert.equal(r.tstp, NOW + 100, 'the expiry event sets tstp to the end');
  assert.deepEqual(queues(), { free: true, expired: false, backup: false });
  assert.deepEqual(a.stats(0), { total: 16, free: 16, backup: 0, abandoned: 0 });
  r = a.applyPeerUpdate(s, { state: 'backup', starts: NOW + 102 }, NOW + 102);
  assert.equal(r.bindingState, 'backup');
  assert.deepEqual(queues(), { free: false, expired: false, backup: true });
  assert.deepEqual(a.stats(0), { total: 16, free: 15, backup: 1, abandoned: 0 });
  assert.deepEqual(a.failoverSlotInfo(s)!.hardware?.address, hw.address);
  assert.throws(() => a.applyPeerUpdate(a.slotOf(ip('198.51.100.10')), { state: 'free' }, NOW), RangeError);
});

const time = fc.oneof(fc.integer({ min: 1, max: 2_000_000_000 }), fc.constant(Number.POSITIVE_INFINITY));
const state = fc.constantFrom(...BINDING_STATES);

/** Leases of every shape in the failover pool (192.0.2.100-115). */
const leaseArb: fc.Arbitrary<Lease> = fc
  .record(
    {
      n: fc.integer({ min: 100, max: 115 }),
      starts: time,
      ends: time,
      tstp: time,
      tsfp: time,
      atsfp: time,
      cltt: time,
      bindingState: state,
      nextBindingState: state,
      rewindBindingState: state,
      reserved: fc.boolean(),
      bootp: fc.boolean(),
      hardware: fc.record({ type: fc.constantFrom(1, 6), address: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
      uid: fc.uint8Array({ minLength: 1, maxLength: 20 }),
      clientHostname: fc.string({ maxLength: 10 }),
    },
    { requiredKeys: ['n'] },
  )
  .map(({ n, ...rest }) => ({ kind: 'lease' as const, address: ip(`192.0.2.${n}`), ...rest }));

test('every lease a failover pool loads is written back as it was read (records and the rewrite)', () => {
  fc.assert(
    fc.property(fc.array(leaseArb, { minLength: 1, maxLength: 30 }), (leases) => {
      const a = new Allocator(PRIMARY);
      const holder = a.leaseHolder(NOW);
      const last = new Map<number, Lease>();
      for (const l of leases) {
        assert.equal(holder.take(l), true);
        last.set(l.address, l);
      }
      holder.finish();
      const expected = [...last.values()].sort((x, y) => x.address - y.address).map((l) => formatLease(l));
      assert.deepEqual(
        [...holder.records()].map((l) => formatLease(l)),
        expected,
      );
      const out = new LeaseTextBuffer(1 << 16);
      assert.equal(holder.writeText(out, 0, 4096, {}), -1);
      assert.equal(out.buf.toString('latin1', 0, out.used), expected.join(''));
    }),
    { numRuns: 200 },
  );
});

test('in a failover pool, canonical blocks read as fields load as the full parser loads them', () => {
  fc.assert(
    fc.property(fc.array(leaseArb, { minLength: 1, maxLength: 30 }), (leases) => {
      const text = [...formatLeaseFile(leases)].join('');
      const viaFields = new Allocator(PRIMARY);
      const holder = viaFields.leaseHolder(NOW);
      const fast = parseLeasesBytes(Buffer.from(text, 'latin1'), 'f', {
        onLease: holder.take,
        onLeaseFields: holder.takeFields!,
      });
      holder.finish();
      assert.equal(fast.error, undefined);
      const reference = new Allocator(PRIMARY);
      reference.loadAll(parseLeases(text, 'f', { fastPath: false }).leases.values(), NOW);
      const texts = (it: Iterable<Lease>) => [...it].map((l) => formatLease(l));
      assert.deepEqual(texts(holder.records()), texts(reference.recordedLeases()));
      for (let s = 0; s < reference.slotCount; s++) {
        assert.deepEqual(viaFields.failoverSlotInfo(s), reference.failoverSlotInfo(s));
      }
      // The same queues, each sorted by end (ties keep the order loaded: the full parser's map
      // moves a repeated address to the back, the stream does not).
      for (const q of ['free', 'backup', 'expired', 'abandoned'] as const) {
        const got = [...viaFields.failoverQueue(0, q)];
        assert.deepEqual(
          [...got].sort((x, y) => x - y),
          [...reference.failoverQueue(0, q)].sort((x, y) => x - y),
          q,
        );
        const ends = got.map((s) => viaFields.endsOf(s));
        assert.deepEqual(
          ends,
          [...ends].sort((x, y) => x - y),
          `${q} in order of ends`,
        );
      }
    }),
    { numRuns: 200 },
  );
});
