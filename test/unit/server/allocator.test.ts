import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as table from '../../../src/server/address-table.js';
import { ACTIVE, Allocator, NO_SLOT } from '../../../src/server/allocator.js';
import type { ClientIdentity } from '../../../src/server/client-id.js';
import { ExpiryHeap } from '../../../src/server/expiry-heap.js';
import { ip, treeOf } from './helpers.js';

function client(n: number): ClientIdentity {
  const address = new Uint8Array([2, 0, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  return {
    uid: undefined,
    hardware: { type: 1, address },
    uidKey: undefined,
    hwKey: `1/${Buffer.from(address).toString('hex')}`,
  };
}

test('allocation cost is flat from an empty pool to 95% full (counted work, not time)', () => {
  const tree = treeOf('subnet 10.0.0.0 netmask 255.255.0.0 { range 10.0.0.1 10.0.195.80; }'); // 50,000 addresses
  const a = new Allocator(tree);
  assert.equal(a.slotCount, 50000);
  const per: number[] = [];
  const now = 1000;
  for (let i = 0; i < 47500; i++) {
    const before = a.steps;
    const id = client(i);
    const own = a.clientSlots(id);
    assert.equal(own.length, 0);
    const slot = a.allocate([0], false, now);
    assert.notEqual(slot, NO_SLOT);
    a.commit(slot, id, undefined, now, now + 3600, false);
    per.push(a.steps - before);
  }
  const early = per.slice(0, 2500);
  const late = per.slice(-2500);
  assert.equal(Math.max(...late), Math.max(...early));
  assert.ok(Math.max(...late) <= 3, `steps per allocation: ${Math.max(...late)}`);
  assert.equal(a.stats(0).free, 2500);
});

test('a 1,000,000-address pool is built and served', () => {
  const tree = treeOf('subnet 10.0.0.0 netmask 255.240.0.0 { range 10.0.0.1 10.15.66.64; }');
  const a = new Allocator(tree);
  assert.equal(a.slotCount, 1_000_000);
  const slot = a.allocate([0], false, 1000);
  assert.equal(a.address[slot], ip('10.0.0.1'));
  assert.equal(a.slotOf(ip('10.15.66.64')), 999_999);
  assert.equal(a.slotOf(ip('10.15.66.65')), NO_SLOT);
  assert.equal(a.stats(0).total, 1_000_000);
});

test('the expiry heap pops in time order', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { maxLength: 300 }), (times) => {
      const h = new ExpiryHeap();
      for (const [i, t] of times.entries()) h.push(t, i);
      const out: number[] = [];
      while (h.size > 0) {
        out.push(h.peekTime());
        h.pop();
      }
      assert.deepEqual(
        out,
        [...times].sort((x, y) => x - y),
      );
    }),
  );
});

test('property: no address is ever active for two clients, and free counts add up', () => {
  const tree = treeOf('subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.1 10.0.0.8; }');
  const op = fc.oneof(
    fc.record({ kind: fc.constant('take' as const), who: fc.integer({ min: 0, max: 11 }) }),
    fc.record({ kind: fc.constant('release' as const), who: fc.integer({ min: 0, max: 11 }) }),
    fc.record({ kind: fc.constant('decline' as const), who: fc.integer({ min: 0, max: 11 }) }),
    fc.record({ kind: fc.constant('tick' as const), secs: fc.integer({ min: 1, max: 400 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
      const a = new Allocator(tree);
      let now = 1000;
      for (const o of ops) {
        if (o.kind === 'tick') {
          now += o.secs;
          a.expire(now);
          continue;
        }
        const id = client(o.who);
        const mine = a.clientSlots(id).filter((s) => a.stateOf(s) === ACTIVE && a.endsOf(s) > now);
        if (o.kind === 'take') {
          const slot = mine[0] ?? a.allocate([0], false, now);
          if (slot === NO_SLOT) continue;
          const st = a.stateOf(slot);
          assert.ok(
            st !== ACTIVE || a.belongsTo(slot, id) || a.endsOf(slot) <= now,
            'never an address active for another',
          );
          a.commit(slot, id, undefined, now, now + 600, false);
        } else if (o.kind === 'release' && mine[0] !== undefined) a.release(mine[0], now);
        else if (o.kind === 'decline' && mine[0] !== undefined) a.abandon(mine[0], now, 86400);
        // Invariant: each active address belongs to exactly one client, and lists hold the rest.
        const owners = new Map<number, number>();
        let active = 0;
        for (let s = 0; s < a.slotCount; s++) {
          if (a.stateOf(s) !== ACTIVE) continue;
          active++;
          for (let w = 0; w < 12; w++) if (a.belongsTo(s, client(w))) owners.set(s, (owners.get(s) ?? 0) + 1);
        }
        for (const n of owners.values()) assert.equal(n, 1);
        const st = a.stats(0);
        assert.equal(st.free + st.abandoned + active, 8);
      }
    }),
    { numRuns: 200 },
  );
});

test('the numeric binding states name the lease file states they stand for', () => {
  const { FREE, ACTIVE: A, EXPIRED, RELEASED, ABANDONED, RESET, BACKUP, STATE_NAMES } = table;
  assert.deepEqual(
    [FREE, A, EXPIRED, RELEASED, ABANDONED, RESET, BACKUP].map((n) => STATE_NAMES[n]),
    ['free', 'active', 'expired', 'released', 'abandoned', 'reset', 'backup'],
  );
});
