import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BINDING, FO_STATE as S } from '../../../src/failover/wire.js';
import { config, PairSim } from './pair-sim.js';

const T0 = 1_800_000_000;

test('a new pair goes from recover through recover-done to normal, as ISC logs it', () => {
  const sim = new PairSim(T0);
  sim.start();
  sim.run(T0 + 5);
  assert.equal(sim.a.rel.me.state, S.NORMAL);
  assert.equal(sim.b.rel.me.state, S.NORMAL);
  assert.equal(sim.a.rel.partner.state, S.NORMAL);
  assert.equal(sim.a.rel.service, 'cooperating');
  assert.equal(sim.a.log[0], 'failover peer pair: I move from recover to startup');
  assert.ok(sim.a.log.includes('failover peer pair: I move from startup to recover'));
  assert.ok(sim.a.log.includes('Sent update request all message to pair'));
  assert.ok(sim.b.log.includes('Update request all from pair: nothing pending'));
  assert.ok(sim.a.log.includes('failover peer pair: I move from recover to recover-done'));
  assert.ok(
    sim.a.log.includes('failover peer pair: Both servers normal') ||
      sim.b.log.includes('failover peer pair: Both servers normal'),
  );
  // The secondary learnt the primary's mclt and hash buckets from CONNECT.
  assert.equal(sim.b.rel.mclt, 60);
  assert.equal(sim.b.rel.hba?.[0], 0x55);
  assert.ok(sim.a.persisted > 0 && sim.b.persisted > 0);
  assert.deepEqual(sim.b.rel.stateRecord().mclt, 60);
});

test('a lost link interrupts communications; the pair returns to normal when it reconnects', () => {
  const sim = new PairSim(T0);
  sim.start();
  sim.run(T0 + 5);
  sim.partitioned = true;
  sim.cut();
  sim.run(T0 + 6);
  assert.equal(sim.a.rel.me.state, S.COMMUNICATIONS_INTERRUPTED);
  assert.equal(sim.b.rel.me.state, S.COMMUNICATIONS_INTERRUPTED);
  assert.equal(sim.a.rel.service, 'not-cooperating');
  assert.ok(sim.a.log.includes('peer pair: disconnected'));
  sim.partitioned = false;
  sim.run(T0 + 30);
  assert.equal(sim.a.rel.me.state, S.NORMAL);
  assert.equal(sim.b.rel.me.state, S.NORMAL);
});

test('binding updates reach the partner and are acknowledged; unacked ones are sent again after a cut', () => {
  const sim = new PairSim(T0);
  sim.start();
  sim.run(T0 + 5);
  const ip = 0xc0000264;
  sim.a.leases.leases.set(ip, { status: BINDING.ACTIVE, ends: T0 + 600, chaddr: new Uint8Array([0, 1, 2, 3, 4, 5]) });
  sim.effects('a', sim.a.rel.queueUpdate(ip, sim.now));
  sim.run(T0 + 6);
  assert.equal(sim.b.leases.leases.get(ip)?.status, BINDING.ACTIVE);
  assert.deepEqual(sim.a.leases.acked, [ip]);
  assert.ok(sim.a.rel.updates.empty);

  // An update in flight when the link drops is rescinded and sent again once the pair is back.
  sim.a.leases.leases.set(ip, { status: BINDING.EXPIRED, ends: T0 + 7, chaddr: new Uint8Array([0, 1, 2, 3, 4, 5]) });
  sim.effects('a', sim.a.rel.queueUpdate(ip, sim.now));
  sim.partitioned = true;
  sim.cut();
  assert.equal(sim.a.rel.updates.pendingCount, 1);
  sim.partitioned = false;
  sim.run(T0 + 40);
  assert.equal(sim.b.leases.leases.get(ip)?.status, BINDING.EXPIRED);
  assert.ok(sim.a.rel.updates.empty);
});

test('a partner whose clock is more than 60 s off is refused', () => {
  const sim = new PairSim(T0);
  sim.skewB = 120;
  sim.start();
  sim.run(T0 + 3);
  assert.ok(sim.b.log.includes('Failover CONNECT from pair: time offset too large'), sim.b.log.join('\n'));
  assert.ok(
    sim.a.log.includes('Failover CONNECT to pair rejected: Connection rejected, time mismatch too great.'),
    sim.a.log.join('\n'),
  );
  assert.notEqual(sim.a.rel.me.state, S.NORMAL);
  assert.equal(sim.a.rel.connected, false);
});

test('a partner of another relationship name is refused', () => {
  const sim = new PairSim(T0, config('primary', { name: 'one' }), config('secondary', { name: 'two' }));
  sim.start();
  sim.run(T0 + 3);
  assert.ok(sim.b.log.includes('Failover CONNECT from one: unknown failover relationship name'), sim.b.log.join('\n'));
  assert.equal(sim.b.rel.connected, false);
});

test('a silent partner is dropped after max-response-delay; CONTACT keeps a quiet link alive', () => {
  const sim = new PairSim(T0);
  sim.start();
  sim.run(T0 + 200);
  // Quiet but alive: contact every max-response-delay / 3 keeps both sides normal.
  assert.equal(sim.a.rel.me.state, S.NORMAL);
  assert.ok(!sim.a.log.some((l) => l.startsWith('timeout waiting')));
  // Now b stops answering (its messages are lost, the link stays up).
  sim.delay = 1e9;
  sim.run(T0 + 230);
  assert.ok(sim.a.log.includes('timeout waiting for failover peer pair'));
  assert.equal(sim.a.rel.me.state, S.COMMUNICATIONS_INTERRUPTED);
});

test('auto-partner-down moves to partner-down after its delay', () => {
  const sim = new PairSim(T0, config('primary', { autoPartnerDown: 30 }));
  sim.start();
  sim.run(T0 + 5);
  sim.b.up = false;
  sim.partitioned = true;
  sim.cut();
  sim.run(T0 + 40);
  assert.equal(sim.a.rel.me.state, S.PARTNER_DOWN);
  assert.equal(sim.a.rel.service, 'partner-down');
});

test('restarted in communications-interrupted with the partner waiting in recover-done: both go on to normal', () => {
  // The secondary, back in NORMAL from PARTNER-DOWN when it heard RECOVER-DONE, lost the link before the
  // primary heard it, then restarted: it returns to COMMUNICATIONS-INTERRUPTED knowing the partner in
  // RECOVER-DONE, and the primary waits there for it. ISC returned to the saved state and waited for a
  // state change that never came; the saved state now acts on the partner's (REEVALUATE).
  const at = T0 - 100;
  const sim = new PairSim(T0, config('primary'), config('secondary', { mclt: 60 }), [
    { my: { state: S.RECOVER_DONE, at }, partner: { state: S.PARTNER_DOWN, at } },
    { my: { state: S.COMMUNICATIONS_INTERRUPTED, at }, partner: { state: S.RECOVER_DONE, at }, mclt: 60 },
  ]);
  // The primary runs on, in RECOVER-DONE; the secondary comes back a minute later.
  sim.b.up = false;
  sim.effects('a', sim.a.rel.start(T0));
  sim.run(T0 + 60);
  assert.equal(sim.a.rel.me.state, S.RECOVER_DONE);
  sim.b.up = true;
  sim.effects('b', sim.b.rel.start(T0 + 60));
  sim.run(T0 + 90);
  assert.equal(sim.b.rel.me.state, S.NORMAL, sim.b.log.join('\n'));
  assert.equal(sim.a.rel.me.state, S.NORMAL, sim.a.log.join('\n'));
  assert.ok(sim.b.log.includes('failover peer pair: I move from startup to communications-interrupted'));
  assert.ok(sim.b.log.includes('failover peer pair: I move from communications-interrupted to normal'));
});
