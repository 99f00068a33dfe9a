// The failover lease rules against ISC DHCP 4.4.3 (server/failover.c, server/dhcp.c, server/mdb.c);
// each expected value names the ISC line it comes from.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BindUpdate,
  bindUpdateFor,
  conflictTransitionCheck,
  fromWireTime,
  leaseIsBetter,
  markUpdateSent,
  needsUpdate,
  normalTransitionCheck,
  processBindAck,
  processBindUpdate,
  reservedToggle,
  toWireTime,
  type UpdateContext,
} from '../../../src/failover/binding-rules.js';
import {
  type AllocContext,
  allocateCandidate,
  commitAndPropagate,
  type FoLease,
  failoverLeaseTime,
  INFINITE_LEASE_TIME,
  MAX_TIME,
  mayOfferFound,
  mineToReallocate,
  nextStateOnTimer,
  onEnterPartnerDown,
  peerHoldsLeases,
  releaseLease,
  requestVerdict,
  serving,
  timerDueAt,
} from '../../../src/failover/lease-rules.js';
import { serviceState } from '../../../src/failover/service-state.js';
import { IP_FLAG } from '../../../src/failover/wire.js';
import { type BindingState, NEVER } from '../../../src/leases/lease.js';

const NOW = 1_700_000_000;
const IP = 0xc000020a; // 192.0.2.10
const MAC = Uint8Array.from([0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]);
const MAC2 = Uint8Array.from([0x02, 0x00, 0x5e, 0x10, 0x00, 0x02]);
const NO_HBA = new Uint8Array(32); // every bucket the secondary's
const ALL_PRIMARY = new Uint8Array(32).fill(0xff);

function lease(over: Partial<FoLease> = {}): FoLease {
  return {
    address: IP,
    state: 'free',
    desiredState: over.state ?? 'free',
    starts: NOW - 1000,
    ends: NOW - 500,
    tstp: NOW - 500,
    tsfp: NOW - 500,
    atsfp: NOW - 500,
    cltt: NOW - 1000,
    reserved: false,
    bootp: false,
    onAckQueue: false,
    onUpdateQueue: false,
    lastXid: 0,
    ...over,
  };
}

function ctx(over: Partial<UpdateContext & { peerName: string }> = {}): UpdateContext & { peerName: string } {
  return {
    role: 'secondary',
    myState: 'normal',
    now: NOW,
    mclt: 3600,
    stos: NOW - 86400,
    inThisRelationship: true,
    pool: { free: 50, backup: 50 },
    maxLeaseOwnership: 10,
    peerName: 'dhcp-failover',
    ...over,
  };
}

const upd = (over: Partial<BindUpdate> = {}): BindUpdate => ({
  address: IP,
  bindingStatus: 'active',
  chaddr: { htype: 1, address: MAC },
  leaseExpiry: NOW + 7200,
  potentialExpiry: NOW + 10800,
  stos: NOW,
  cltt: NOW,
  ...over,
});

function rejected(r: ReturnType<typeof processBindUpdate>, reason: number, message: string) {
  assert.equal(r.kind, 'reject');
  if (r.kind !== 'reject') return;
  assert.equal(r.reason, reason);
  assert.equal(r.message, message);
}

function accepted(r: ReturnType<typeof processBindUpdate>) {
  assert.equal(r.kind, 'accept', r.kind === 'reject' ? r.message : '');
  if (r.kind !== 'accept') throw new Error('rejected');
  return r;
}

test('BNDUPD reject paths, in ISC order', () => {
  const c = ctx();
  // failover.c:5184-5187: address and binding status are required.
  rejected(
    processBindUpdate(lease(), { ...upd(), bindingStatus: undefined }, c),
    3,
    'binding update lacks required options',
  );
  rejected(processBindUpdate(lease(), { ...upd(), address: undefined }, c), 3, 'binding update lacks required options');
  // failover.c:5194-5196
  rejected(processBindUpdate(undefined, upd(), c), 1, 'unknown IP address');
  // failover.c:5203-5208
  rejected(
    processBindUpdate(lease(), upd(), ctx({ inThisRelationship: false })),
    1,
    'IP address is covered by a different failover relationship state',
  );
  // failover.c:5222-5226: ours (active, later cltt) is in flight.
  const flying = lease({ state: 'active', desiredState: 'active', cltt: NOW, onAckQueue: true, lastXid: 7 });
  rejected(
    processBindUpdate(flying, upd({ cltt: NOW - 5 }), c),
    16,
    'incoming update is less critical than outgoing update',
  );
  // failover.c:5241-5242 (reason stays FTR_MISC_REJECT, failover.c:5175)
  rejected(processBindUpdate(lease(), upd({ bindingStatus: 'abandoned' }), c), 6, 'BNDUPD to ABANDONED with a CHADDR');
  // failover.c:5245-5246: hbuf holds 21 octets, type included (dhcpd.h:486-490).
  rejected(
    processBindUpdate(lease(), upd({ chaddr: { htype: 1, address: new Uint8Array(21) } }), c),
    6,
    'chaddr too long',
  );
  assert.equal(
    processBindUpdate(lease(), upd({ chaddr: { htype: 1, address: new Uint8Array(20) } }), c).kind,
    'accept',
  );
  // failover.c:5257-5262: active, expired and released need a chaddr.
  for (const s of ['active', 'expired', 'released'] as const)
    rejected(processBindUpdate(lease(), upd({ bindingStatus: s, chaddr: undefined }), c), 3, 'BNDUPD without CHADDR');
  // failover.c:5276-5277
  rejected(
    processBindUpdate(lease(), upd({ bindingStatus: 'abandoned', chaddr: undefined, clientId: MAC }), c),
    6,
    'BNDUPD to ABANDONED with client-id',
  );
  // failover.c:5370-5375: reserved flag on a lease in our own free state that is not reserved.
  rejected(
    processBindUpdate(lease({ state: 'backup' }), upd({ ipFlags: IP_FLAG.RESERVE }), c),
    19,
    'Address is not reserved.',
  );
  rejected(
    processBindUpdate(lease({ state: 'free' }), upd({ ipFlags: IP_FLAG.RESERVE }), ctx({ role: 'primary' })),
    19,
    'Address is not reserved.',
  );
  // ...but not on the peer's free state, nor when we have it reserved too.
  assert.equal(processBindUpdate(lease({ state: 'free' }), upd({ ipFlags: IP_FLAG.RESERVE }), c).kind, 'accept');
  assert.equal(
    processBindUpdate(lease({ state: 'backup', reserved: true }), upd({ ipFlags: IP_FLAG.RESERVE }), c).kind,
    'accept',
  );
  // failover.c:5384-5389 (reason FTR_MISC_REJECT)
  rejected(
    processBindUpdate(lease({ state: 'backup' }), upd({ ipFlags: IP_FLAG.BOOTP }), c),
    6,
    'Address is not allocated to BOOTP.',
  );
  // failover.c:5426-5436: the primary does not let the secondary free an active lease.
  rejected(
    processBindUpdate(
      lease({ state: 'active', ends: NOW + 100 }),
      upd({ bindingStatus: 'free', chaddr: undefined }),
      ctx({ role: 'primary' }),
    ),
    2,
    '192.0.2.10: invalid state transition: active to free',
  );
});

test('a reject after the dueling check still takes the lease off the ack queue', () => {
  // failover.c:5227-5230 removes it before the later checks can fail.
  const flying = lease({ state: 'free', desiredState: 'free', onAckQueue: true, lastXid: 9 });
  const r = processBindUpdate(flying, upd({ bindingStatus: 'abandoned' }), ctx({ role: 'secondary' }));
  assert.equal(r.kind, 'reject');
  assert.equal(r.kind === 'reject' && r.lease?.onAckQueue, false);
  assert.equal(r.kind === 'reject' && r.lease?.lastXid, 9); // last_xid is not cleared
});

test('dueling updates: cltt decides two actives, then the primary wins (failover_lease_is_better)', () => {
  const ours = { desiredState: 'active' as BindingState, cltt: NOW };
  assert.equal(leaseIsBetter(ours, 'active', NOW - 1, 'secondary'), true); // failover.c:5134-5135
  assert.equal(leaseIsBetter(ours, 'active', NOW + 1, 'primary'), false); // failover.c:5136-5137
  assert.equal(leaseIsBetter(ours, 'active', NOW, 'primary'), true); // failover.c:5138-5139
  assert.equal(leaseIsBetter(ours, 'active', NOW, 'secondary'), false); // failover.c:5140-5141
  assert.equal(leaseIsBetter(ours, 'active', undefined, 'secondary'), true); // no CLTT = 0, failover.c:5128-5131
  assert.equal(leaseIsBetter(ours, 'expired', NOW, 'primary'), false); // failover.c:5142-5143
  assert.equal(leaseIsBetter(ours, 'released', NOW, 'primary'), true); // falls through, failover.c:5155-5156
  assert.equal(leaseIsBetter(ours, 'released', NOW, 'secondary'), false); // failover.c:5157-5158
  const free = { desiredState: 'free' as BindingState, cltt: NOW };
  assert.equal(leaseIsBetter(free, 'active', 0, 'primary'), false); // failover.c:5153-5154
  assert.equal(leaseIsBetter(free, 'backup', 0, 'primary'), true); // failover.c:5155-5156
  // The peer's update wins: accepted and ours leaves the ack queue (failover.c:5228-5230).
  const flying = lease({ state: 'active', desiredState: 'active', cltt: NOW - 10, onAckQueue: true, lastXid: 3 });
  const r = accepted(processBindUpdate(flying, upd({ cltt: NOW }), ctx({ role: 'primary' })));
  assert.equal(r.lease.onAckQueue, false);
  assert.equal(r.lease.lastXid, 3);
});

test('normal_binding_state_transition_check, every case', () => {
  const n = (from: BindingState, to: BindingState, role: 'primary' | 'secondary', tsfp = 0, ends = NOW - 1000) =>
    normalTransitionCheck({ state: from, ends }, to, tsfp, role, NOW);
  const all: BindingState[] = ['free', 'active', 'expired', 'released', 'abandoned', 'reset', 'backup'];
  for (const s of all) assert.equal(n(s, s, 'primary'), s); // no transition, failover.c:6069-6070
  for (const from of ['free', 'abandoned'] as const)
    for (const to of all) for (const role of ['primary', 'secondary'] as const) assert.equal(n(from, to, role), to); // failover.c:6086-6095
  // Active, we are primary: only released or abandoned (failover.c:6105-6114).
  assert.equal(n('active', 'released', 'primary'), 'released');
  assert.equal(n('active', 'abandoned', 'primary'), 'abandoned');
  for (const to of ['free', 'backup', 'expired', 'reset'] as const) assert.equal(n('active', to, 'primary'), 'active');
  // Active, we are secondary (failover.c:6119-6144).
  assert.equal(n('active', 'free', 'secondary', NOW + 1), 'active'); // tsfp ahead, failover.c:6123-6124
  assert.equal(n('active', 'free', 'secondary', NOW), 'free'); // failover.c:6127
  assert.equal(n('active', 'backup', 'secondary', NOW + 1), 'active');
  assert.equal(n('active', 'expired', 'secondary', 0, NOW + 66), 'active'); // ends - 65 > now, failover.c:6135-6136
  assert.equal(n('active', 'expired', 'secondary', 0, NOW + 65), 'expired'); // falls through, failover.c:6144
  for (const to of ['released', 'abandoned', 'reset'] as const) assert.equal(n('active', to, 'secondary'), to);
  // Expired and reset: free/backup wait for tsfp (failover.c:6153-6161, 6194-6202).
  for (const from of ['expired', 'reset'] as const)
    for (const role of ['primary', 'secondary'] as const) {
      assert.equal(n(from, 'free', role, NOW + 1), from);
      assert.equal(n(from, 'backup', role, NOW + 1), from);
      assert.equal(n(from, 'free', role, NOW), 'free');
      for (const to of all.filter((s) => s !== 'free' && s !== 'backup')) assert.equal(n(from, to, role), to);
    }
  // Released and backup: anything (failover.c:6176-6186, 6217-6232).
  for (const from of ['released', 'backup'] as const)
    for (const to of all) for (const role of ['primary', 'secondary'] as const) assert.equal(n(from, to, role), to);
});

test('conflict_binding_state_transition_check: only an active lease resists', () => {
  const all: BindingState[] = ['free', 'active', 'expired', 'released', 'abandoned', 'reset', 'backup'];
  for (const from of all.filter((s) => s !== 'active'))
    for (const to of all) assert.equal(conflictTransitionCheck({ state: from }, to, NOW), to); // failover.c:6269-6277
  const active = { state: 'active' as BindingState, ends: NOW + 100 };
  assert.equal(conflictTransitionCheck(active, 'free', NOW), 'active'); // failover.c:6284-6286
  assert.equal(conflictTransitionCheck(active, 'backup', NOW), 'active');
  assert.equal(conflictTransitionCheck(active, 'expired', NOW), 'active'); // failover.c:6294-6295
  assert.equal(conflictTransitionCheck({ state: 'active', ends: NOW + 65 }, 'expired', NOW), 'expired');
  for (const to of ['released', 'reset', 'abandoned'] as const)
    assert.equal(conflictTransitionCheck(active, to, NOW), to); // failover.c:6305-6309
  // Outside normal processBindUpdate uses it: an active -> free the normal check would allow with an
  // old tsfp is refused (failover.c:5416-5420).
  const r = processBindUpdate(
    lease({ state: 'active', ends: NOW + 100 }),
    upd({ bindingStatus: 'free', chaddr: undefined, potentialExpiry: 1 }),
    ctx({ myState: 'communications-interrupted' }),
  );
  rejected(r, 2, '192.0.2.10: invalid state transition: active to free');
});

test('an accepted expired update frees the lease on both sides', () => {
  const r = accepted(
    processBindUpdate(
      lease({
        state: 'active',
        desiredState: 'active',
        ends: NOW - 100,
        tstp: NOW + 500,
        hardware: { type: 1, address: MAC },
      }),
      upd({ bindingStatus: 'expired', leaseExpiry: NOW - 100, potentialExpiry: NOW - 100 }),
      ctx(),
    ),
  );
  assert.equal(r.ackStatus, 'free'); // expired -> next free, msg status rewritten, failover.c:5442-5458
  assert.equal(r.lease.state, 'free'); // supersede_lease makes the transition (mdb.c:1405-1406)
  assert.equal(r.lease.rewindState, 'free'); // failover.c:5464
  // ISC's supersede without propagate leaves it 'active' (mdb.c:1478-1479), and an update of ours still
  // queued would then carry it over the partner's; the accepted state is what the lease is now.
  assert.equal(r.lease.desiredState, 'free');
  assert.equal(r.event, 'expiry'); // active -> free in a failover pool, mdb.c:1518-1525
  assert.equal(r.lease.tstp, NOW - 100); // tstp = ends, mdb.c:1561
  assert.equal(r.lease.tsfp, NOW - 100); // failover.c:5365
  assert.equal(r.lease.atsfp, NOW - 100);
  assert.equal(r.keepAgentOptions, false); // mdb.c:1266-1269
  assert.equal(r.sendToBackup, false); // only the primary sends to backup, failover.c:5452
});

test('an accepted update installs the client, times and flags', () => {
  const old = lease({ state: 'free', hardware: { type: 1, address: MAC }, uid: Uint8Array.from([1, 2]) });
  // Same client: no DDNS removal (failover.c:5347-5355); stos/expiry/potential expiry installed
  // (failover.c:5358-5366); the peer's cltt is not (process_bind_update never reads it).
  const same = accepted(processBindUpdate(old, upd({ clientId: Uint8Array.from([1, 2]), cltt: NOW - 3 }), ctx()));
  assert.equal(same.ddnsRemovals, false);
  assert.equal(same.lease.state, 'active');
  assert.equal(same.lease.starts, NOW);
  assert.equal(same.lease.ends, NOW + 7200);
  assert.equal(same.lease.tsfp, NOW + 10800);
  assert.equal(same.lease.cltt, NOW - 1000);
  assert.equal(same.keepAgentOptions, true);
  // A new chaddr on an active update: DDNS removals for the old client (failover.c:5347-5355).
  const moved = accepted(
    processBindUpdate(old, upd({ chaddr: { htype: 1, address: MAC2 }, clientId: old.uid }), ctx()),
  );
  assert.equal(moved.ddnsRemovals, true);
  assert.deepEqual(moved.lease.hardware, { type: 1, address: MAC2 });
  // No client-id: the last one is dropped for active... (failover.c:5313-5321)
  const noId = accepted(processBindUpdate(old, upd(), ctx()));
  assert.equal(noId.lease.uid, undefined);
  assert.equal(noId.ddnsRemovals, true);
  // ...but kept for free, backup and reset (failover.c:5313-5315).
  const act = lease({ state: 'expired', uid: Uint8Array.from([1, 2]), hardware: { type: 1, address: MAC } });
  const kept = accepted(
    processBindUpdate(act, upd({ bindingStatus: 'free', chaddr: undefined, potentialExpiry: NOW }), ctx()),
  );
  assert.deepEqual(kept.lease.uid, Uint8Array.from([1, 2]));
  // Abandoned without chaddr: hardware address and scope go (failover.c:5263-5268).
  const ab = accepted(processBindUpdate(act, upd({ bindingStatus: 'abandoned', chaddr: undefined }), ctx()));
  assert.equal(ab.lease.hardware, undefined);
  assert.equal(ab.clearScope, true);
  assert.equal(ab.lease.state, 'abandoned');
  // Unknown ip-flags are logged (failover.c:5396-5398); absent flags clear reserved/bootp (5399-5400).
  const flagged = accepted(processBindUpdate(old, upd({ ipFlags: 0x10 | IP_FLAG.RESERVE }), ctx()));
  assert.deepEqual(flagged.log, ['Unknown IP-flags set in BNDUPD (0x11).']);
  assert.equal(flagged.lease.reserved, true);
  const cleared = accepted(processBindUpdate({ ...old, reserved: true, bootp: true }, upd(), ctx()));
  assert.equal(cleared.lease.reserved, false);
  assert.equal(cleared.lease.bootp, false);
  // The wire's MAX_TIME is `never` (print.c:1323-1324).
  const forever = accepted(processBindUpdate(old, upd({ leaseExpiry: MAX_TIME, potentialExpiry: MAX_TIME }), ctx()));
  assert.equal(forever.lease.ends, NEVER);
  assert.equal(forever.lease.tsfp, NEVER);
  // An active lease that changes client logs a conflict (mdb.c:1185-1202).
  const taken = accepted(
    processBindUpdate(
      lease({ state: 'active', hardware: { type: 1, address: MAC } }),
      upd({ chaddr: { htype: 1, address: MAC2 } }),
      ctx(),
    ),
  );
  assert.deepEqual(taken.log, ['Lease conflict at 192.0.2.10']);
});

test('partner-down: an abandoned update gets tsfp = stos + mclt (mdb.c:1652-1662)', () => {
  const c = ctx({ myState: 'partner-down', stos: NOW - 10 });
  const r = accepted(processBindUpdate(lease(), upd({ bindingStatus: 'abandoned', chaddr: undefined }), c));
  assert.equal(r.lease.tsfp, NOW - 10 + 3600);
});

test('primary: a lease the secondary would serve goes to backup unless the secondary hoards', () => {
  const prim = ctx({ role: 'primary', hba: NO_HBA });
  const old = lease({ state: 'active', desiredState: 'active', ends: NOW - 100, hardware: { type: 1, address: MAC } });
  const r = accepted(processBindUpdate(old, upd({ bindingStatus: 'released', leaseExpiry: NOW - 100 }), prim));
  assert.equal(r.ackStatus, 'free'); // the BNDACK still says free, failover.c:5458
  assert.equal(r.sendToBackup, true); // failover.c:5452-5454, 5480
  assert.equal(r.lease.state, 'backup'); // failover.c:5481
  assert.equal(r.lease.tstp, NOW); // failover.c:5482
  assert.equal(r.lease.starts, NOW); // failover.c:5483
  assert.equal(r.lease.atsfp, 0); // propagate clears it, mdb.c:1343-1344
  assert.equal(r.lease.desiredState, 'backup'); // mdb.c:1479
  assert.equal(r.lease.onUpdateQueue, true); // mdb.c:1480
  assert.equal(r.lease.rewindState, 'free'); // not committed, so no rewind step (mdb.c:1461-1466)
  // The primary keeps a lease its own bucket serves...
  const own = accepted(processBindUpdate(old, upd({ bindingStatus: 'released' }), { ...prim, hba: ALL_PRIMARY }));
  assert.equal(own.sendToBackup, false);
  assert.equal(own.lease.state, 'free');
  // ...reserved or bootp leases (failover.c:5451-5452)...
  const res = accepted(processBindUpdate(old, upd({ bindingStatus: 'released', ipFlags: IP_FLAG.RESERVE }), prim));
  assert.equal(res.sendToBackup, false);
  // ...and all when the secondary already holds more than its share (failover.c:5480, 5508-5527).
  const hoard = accepted(
    processBindUpdate(old, upd({ bindingStatus: 'released' }), { ...prim, pool: { free: 0, backup: 100 } }),
  );
  assert.equal(hoard.sendToBackup, false);
  assert.equal(hoard.lease.state, 'free');
});

test('BNDACK: rejects, stray and mismatched acks', () => {
  const mine = lease({ state: 'active', desiredState: 'active', onAckQueue: true, lastXid: 5, tstp: NOW + 900 });
  const none = processBindAck(undefined, { address: IP, xid: 5 }, ctx());
  assert.deepEqual(none.log, {
    level: 'info',
    text: 'bind update on 192.0.2.10 got ack from dhcp-failover: no such lease.',
  }); // failover.c:5543-5545, 5681-5682
  const rej = processBindAck(mine, { address: IP, xid: 5, rejectReason: 16 }, ctx());
  // failover.c:5549-5563: the reason's text when no message came; off the ack queue.
  assert.deepEqual(rej.log, {
    level: 'error',
    text: 'bind update on 192.0.2.10 from dhcp-failover rejected: Less critical binding information.',
  });
  assert.equal(rej.lease?.onAckQueue, false);
  assert.equal(rej.lease?.state, 'active');
  const msg = processBindAck(mine, { address: IP, xid: 5, rejectReason: 2, message: 'x: invalid' }, ctx());
  assert.equal(msg.log?.text, 'bind update on 192.0.2.10 from dhcp-failover rejected: x: invalid');
  const stray = processBindAck({ ...mine, lastXid: 0 }, { address: IP, xid: 5 }, ctx());
  assert.equal(stray.log, undefined); // failover.c:5566-5567
  assert.equal(stray.lease?.onAckQueue, false);
  const wrong = processBindAck(mine, { address: IP, xid: 6 }, ctx());
  assert.equal(wrong.log?.text, 'bind update on 192.0.2.10 got ack from dhcp-failover: xid mismatch.'); // 5569-5571
  assert.equal(wrong.lease?.onAckQueue, true); // "bad" skips unqueue
});

test('BNDACK: tsfp takes tstp; transitional states become free (or backup)', () => {
  const active = lease({ state: 'active', desiredState: 'active', onAckQueue: true, lastXid: 5, tstp: NOW + 900 });
  const a = processBindAck(active, { address: IP, xid: 5, potentialExpiry: NOW + 1 }, ctx());
  // failover.c:5575-5578: ISC tests FTO_POTENTIAL_EXPIRY as a bit mask, so tstp is used.
  assert.equal(a.lease?.tsfp, NOW + 900);
  assert.equal(a.lease?.atsfp, NOW + 900);
  assert.equal(a.lease?.state, 'active');
  assert.equal(a.lease?.onAckQueue, false);
  assert.equal(a.commit, 'soon'); // failover.c:5645-5648
  // 18 & 0x10 (FTB_CLIENT_IDENTIFIER): with a client-id the ack's potential expiry is taken.
  const b = processBindAck(active, { address: IP, xid: 5, potentialExpiry: NOW + 1, clientId: MAC }, ctx());
  assert.equal(b.lease?.tsfp, NOW + 1);
  // Expired: free on both sides (failover.c:5590-5611).
  const exp = lease({
    state: 'expired',
    desiredState: 'expired',
    ends: NOW - 10,
    onAckQueue: true,
    lastXid: 5,
    tstp: NOW - 10,
  });
  const e = processBindAck(exp, { address: IP, xid: 5 }, ctx());
  assert.equal(e.lease?.state, 'free');
  assert.equal(e.lease?.desiredState, 'free'); // failover.c:5606
  assert.equal(e.lease?.rewindState, 'free'); // failover.c:5609
  assert.equal(e.event, 'expiry'); // expired -> free, mdb.c:1518-1525
  assert.equal(e.commit, 'now'); // failover.c:5627-5628
  // The secondary keeps a reserved lease as backup (failover.c:5599-5603).
  const r = processBindAck(
    { ...exp, reserved: true, state: 'released', desiredState: 'released' },
    { address: IP, xid: 5 },
    ctx(),
  );
  assert.equal(r.lease?.state, 'backup');
  assert.equal(r.event, 'release'); // released -> backup, mdb.c:1580-1587
  // desired != state: the lease is put in the desired state (failover.c:5634-5638).
  const back = processBindAck({ ...active, state: 'free' }, { address: IP, xid: 5 }, ctx());
  assert.equal(back.lease?.state, 'active');
});

test('BNDACK on the primary: client affinity moves the freed lease to backup', () => {
  const exp = lease({
    state: 'expired',
    desiredState: 'expired',
    onAckQueue: true,
    lastXid: 5,
    hardware: { type: 1, address: MAC },
  });
  const r = processBindAck(exp, { address: IP, xid: 5 }, ctx({ role: 'primary', hba: NO_HBA }));
  assert.equal(r.sendToBackup, true); // failover.c:5621-5624, 5661
  assert.equal(r.lease?.state, 'backup'); // failover.c:5663
  assert.equal(r.lease?.tstp, NOW); // failover.c:5664
  assert.equal(r.lease?.starts, NOW);
  assert.equal(r.lease?.atsfp, 0); // mdb.c:1343-1344
  assert.equal(r.lease?.rewindState, 'backup'); // committed while cooperating, mdb.c:1461-1466
  assert.equal(r.lease?.onUpdateQueue, true);
  assert.equal(r.lease?.onAckQueue, false);
  assert.equal(r.commit, 'now'); // failover.c:5671-5672
});

test('BNDUPD contents, the reserved toggle, and what sending does', () => {
  const l = lease({
    state: 'free',
    desiredState: 'free',
    reserved: true,
    bootp: true,
    uid: Uint8Array.from([1, 9]),
    hardware: { type: 1, address: MAC },
    ends: NEVER,
    tstp: NOW + 60,
    starts: NOW - 5,
    cltt: 0,
  });
  const u = bindUpdateFor(l);
  assert.equal(u.bindingStatus, 'free'); // desired_binding_state, not transmit_state (failover.c:4745-4746)
  assert.equal(u.ipFlags, IP_FLAG.RESERVE | IP_FLAG.BOOTP); // failover.c:4697-4700
  assert.equal(u.leaseExpiry, MAX_TIME); // ends, failover.c:4757-4758
  assert.equal(u.potentialExpiry, NOW + 60); // tstp, failover.c:4759-4760
  assert.equal(u.stos, NOW - 5); // starts, failover.c:4761-4762
  assert.equal(u.cltt, undefined); // only when cltt != 0, failover.c:4763-4765
  assert.deepEqual(u.clientId, Uint8Array.from([1, 9]));
  assert.deepEqual(u.chaddr, { htype: 1, address: MAC });
  const bare = bindUpdateFor(lease({ cltt: NOW }));
  assert.equal(bare.ipFlags, undefined); // failover.c:4766-4768
  assert.equal(bare.clientId, undefined);
  assert.equal(bare.chaddr, undefined);
  assert.equal(bare.cltt, NOW);
  // The toggle ISC computes (failover.c:4684-4695) and does not send.
  assert.equal(reservedToggle('free', 'primary'), 'backup');
  assert.equal(reservedToggle('backup', 'secondary'), 'free');
  assert.equal(reservedToggle('backup', 'primary'), 'backup');
  assert.equal(reservedToggle('active', 'secondary'), 'active');
  // Sending: last_xid, rewind = state (committed first when it changes), ack queue (failover.c:4706,
  // 4732-4737, 2838, 2866).
  const s = markUpdateSent(lease({ state: 'active', rewindState: 'free', onUpdateQueue: true }), 42);
  assert.equal(s.mustCommit, true);
  assert.equal(s.lease.rewindState, 'active');
  assert.equal(s.lease.lastXid, 42);
  assert.equal(s.lease.onAckQueue, true);
  assert.equal(s.lease.onUpdateQueue, false);
  assert.equal(markUpdateSent(lease(), 1).mustCommit, false);
  assert.equal(toWireTime(undefined), 0);
  assert.equal(fromWireTime(MAX_TIME), NEVER);
});

test('generate_update_queue: unacknowledged tstp, transitional states, or everything', () => {
  // failover.c:5722-5726
  assert.equal(needsUpdate(lease({ tstp: NOW, atsfp: NOW - 1 }), false), true);
  assert.equal(needsUpdate(lease({ tstp: NOW, atsfp: NOW }), false), false);
  assert.equal(needsUpdate(lease({ tstp: NOW, atsfp: undefined }), false), true);
  for (const s of ['expired', 'released', 'reset'] as const)
    assert.equal(needsUpdate(lease({ state: s, tstp: 0, atsfp: 0 }), false), true);
  assert.equal(needsUpdate(lease({ state: 'abandoned', tstp: 0, atsfp: 0 }), false), false);
  assert.equal(needsUpdate(lease({ tstp: 0, atsfp: 0 }), true), true);
  assert.equal(needsUpdate(lease({ state: 'expired', onAckQueue: true }), true), false); // ON_QUEUE
  assert.equal(needsUpdate(lease({ state: 'expired', onUpdateQueue: true }), true), false);
});

test('MCLT cap on the lease time and tstp (ack_lease)', () => {
  const M = 3600;
  // Lease times up to the MCLT are not a concern (dhcp.c:2902-2903).
  assert.deepEqual(failoverLeaseTime(600, { tsfp: 0, tstp: 0 }, M, NOW, true), {
    leaseTime: 600,
    tstp: NOW + 600 + 300, // now + lease_time + new_lease_time / 2, dhcp.c:2928-2933
    tsfp: 0,
  });
  // tsfp <= now: the MCLT (dhcp.c:2910-2911).
  const a = failoverLeaseTime(86400, { tsfp: NOW, tstp: NOW }, M, NOW, true);
  assert.equal(a.leaseTime, M);
  assert.equal(a.tstp, NOW + 86400 + M / 2);
  // tsfp ahead, but now + desired beyond tsfp + MCLT: (tsfp - now) + MCLT (dhcp.c:2912-2915).
  const b = failoverLeaseTime(86400, { tsfp: NOW + 1000, tstp: NOW + 1000 }, M, NOW, true);
  assert.equal(b.leaseTime, 1000 + M);
  assert.equal(b.tstp, NOW + 86400 + Math.floor((1000 + M) / 2));
  assert.equal(b.tsfp, NOW + 1000);
  // Within tsfp + MCLT: the desired time.
  assert.equal(failoverLeaseTime(7200, { tsfp: NOW + 7200, tstp: 0 }, M, NOW, true).leaseTime, 7200);
  // Infinite: capped like any other, tstp MAX_TIME = never (dhcp.c:2925-2926).
  const inf = failoverLeaseTime(INFINITE_LEASE_TIME, { tsfp: 0, tstp: 0 }, M, NOW, true);
  assert.equal(inf.leaseTime, M);
  assert.equal(inf.tstp, NEVER);
  // A shorter lease lowers tstp, and tsfp with it (dhcp.c:2941-2942).
  const low = failoverLeaseTime(600, { tsfp: NOW + 50000, tstp: NOW + 90000 }, M, NOW, true);
  assert.equal(low.tstp, NOW + 900);
  assert.equal(low.tsfp, NOW + 900);
  // DHCPOFFER: capped, tstp and tsfp untouched (dhcp.c:2944-2945).
  assert.deepEqual(failoverLeaseTime(86400, { tsfp: NOW - 1, tstp: NOW + 5 }, M, NOW, false), {
    leaseTime: M,
    tstp: NOW + 5,
    tsfp: NOW - 1,
  });
  // leaseTimeCheck: past 0xffffffff becomes MAX_TIME - 1 (dhcp.c:5866-5870).
  assert.equal(failoverLeaseTime(0xfffffff0, { tsfp: 0 }, M, NOW, true).tstp, MAX_TIME - 1);
});

const alloc = (over: Partial<AllocContext> = {}): AllocContext => ({
  role: 'primary',
  myState: 'normal',
  now: NOW,
  mclt: 3600,
  stos: NOW - 100,
  ...over,
});

test('lease_mine_to_reallocate by state, role and service state', () => {
  const pr = alloc();
  const se = alloc({ role: 'secondary' });
  assert.equal(mineToReallocate({ state: 'active' }, pr), false); // failover.c:6355-6357
  assert.equal(mineToReallocate({ state: 'free' }, pr), true); // failover.c:6369-6370
  assert.equal(mineToReallocate({ state: 'abandoned' }, pr), true);
  assert.equal(mineToReallocate({ state: 'free' }, se), false); // failover.c:6372-6375
  assert.equal(mineToReallocate({ state: 'backup' }, se), true); // failover.c:6427-6428
  assert.equal(mineToReallocate({ state: 'backup' }, pr), false);
  // Partner-down: the peer's leases after max(tsfp, stos) + MCLT (failover.c:6372-6375, 6430-6433).
  const pd = alloc({ myState: 'partner-down', stos: NOW - 3601 });
  assert.equal(mineToReallocate({ state: 'backup', tsfp: NOW - 4000 }, pd), true); // stos + mclt < now
  assert.equal(mineToReallocate({ state: 'backup', tsfp: NOW - 100 }, pd), false); // tsfp + mclt >= now
  assert.equal(mineToReallocate({ state: 'backup', tsfp: NOW - 100 }, { ...pd, stos: NOW - 50 }), false);
  assert.equal(mineToReallocate({ state: 'free', tsfp: 0 }, { ...pd, role: 'secondary' }), true);
  // The partner's state can stop partner-down service (failover.c:1722-1726).
  assert.equal(mineToReallocate({ state: 'backup', tsfp: 0 }, { ...pd, partnerState: 'partner-down' }), false);
  // Expired/released: rewind to our own free state (failover.c:6398-6403), else partner-down after tsfp.
  assert.equal(mineToReallocate({ state: 'expired', rewindState: 'free' }, pr), true);
  assert.equal(mineToReallocate({ state: 'released', rewindState: 'backup' }, se), true);
  assert.equal(mineToReallocate({ state: 'expired', rewindState: 'backup' }, pr), false);
  assert.equal(mineToReallocate({ state: 'expired', rewindState: 'active', tsfp: NOW - 1 }, pd), true); // 6418-6419
  assert.equal(mineToReallocate({ state: 'reset', tsfp: NOW + 1 }, pd), false);
  assert.equal(mineToReallocate({ state: 'reset', tsfp: NOW - 1 }, pr), false);
  // No peer: free or backup (failover.c:6442-6444).
  assert.equal(mineToReallocate({ state: 'backup' }, undefined), true);
  assert.equal(mineToReallocate({ state: 'abandoned' }, undefined), false);
});

/** lease_mine_to_reallocate with pool-balance.test.ts's defaults (stos NOW - 7200, rewind free, tsfp
 * 0); partnerDown is our state being partner-down. */
const realloc = (
  over: {
    role?: 'primary' | 'secondary';
    state?: BindingState;
    rewindState?: BindingState;
    partnerDown?: boolean;
    tsfp?: number;
  } = {},
): boolean =>
  mineToReallocate(
    { state: over.state ?? 'free', rewindState: over.rewindState ?? 'free', tsfp: over.tsfp ?? 0 },
    alloc({ role: over.role ?? 'primary', myState: over.partnerDown ? 'partner-down' : 'normal', stos: NOW - 7200 }),
  );

test('lease_mine_to_reallocate: FREE is the primary’s, BACKUP the secondary’s, partner-down after MCLT', () => {
  assert.equal(realloc({}), true);
  assert.equal(realloc({ role: 'secondary' }), false);
  // Secondary in partner-down: stos + mclt = NOW - 3600 < NOW.
  assert.equal(realloc({ role: 'secondary', partnerDown: true }), true);
  // ... but a tsfp later than stos counts from tsfp: NOW - 1000 + 3600 > NOW.
  assert.equal(realloc({ role: 'secondary', partnerDown: true, tsfp: NOW - 1000 }), false);
  assert.equal(realloc({ state: 'backup' }), false);
  assert.equal(realloc({ role: 'secondary', state: 'backup' }), true);
  assert.equal(realloc({ state: 'abandoned' }), true);
  assert.equal(realloc({ state: 'active' }), false);
  // Expired: ours again when the partner last knew it as our kind, else partner-down past tsfp.
  assert.equal(realloc({ state: 'expired', rewindState: 'free' }), true);
  assert.equal(realloc({ state: 'expired', rewindState: 'active' }), false);
  assert.equal(realloc({ state: 'released', rewindState: 'active', partnerDown: true, tsfp: NOW - 1 }), true);
  assert.equal(realloc({ role: 'secondary', state: 'expired', rewindState: 'backup' }), true);
  assert.equal(realloc({ state: 'reset', rewindState: 'free' }), false);
});

test('allocate_lease, dhcpdiscover and dhcprequest gates', () => {
  type Head = { state: BindingState; ends: number; tsfp?: number };
  const free: Head = { state: 'free', ends: NOW - 50 };
  const backup: Head = { state: 'backup', ends: NOW - 900, tsfp: NOW - 100 };
  // The primary takes its free head; the backup head is the peer's (dhcp.c:5016-5031).
  assert.deepEqual(allocateCandidate({ free, backup }, alloc()), { lease: free, peerHasLeases: true });
  // ...unless in partner-down after MCLT and it ended earlier.
  const pd = alloc({ myState: 'partner-down', stos: NOW - 5000 });
  assert.deepEqual(allocateCandidate({ free, backup: { ...backup, tsfp: 0 } }, pd).lease, { ...backup, tsfp: 0 });
  // Secondary mirror; abandoned only as a last resort and only if ours (dhcp.c:5032-5052).
  const ab: Head = { state: 'abandoned', ends: NOW + 999 };
  assert.deepEqual(allocateCandidate({ backup, abandoned: ab }, alloc({ role: 'secondary' })).lease, backup);
  assert.deepEqual(allocateCandidate({ abandoned: ab }, alloc()), { lease: ab, peerHasLeases: false });
  assert.deepEqual(allocateCandidate({ abandoned: ab }, alloc({ role: 'secondary' })), { peerHasLeases: false });
  // A free lease whose ends is ahead (just offered) is not used (dhcp.c:5069-5073).
  assert.deepEqual(allocateCandidate({ free: { ...free, ends: NOW + 120 } }, alloc()), { peerHasLeases: false });
  assert.equal(peerHoldsLeases('primary', { free: 0, backup: 1 }), true); // dhcp.c:4205-4207
  assert.equal(peerHoldsLeases('secondary', { free: 0, backup: 1 }), false);
  // dhcpdiscover keeps a found lease that is/was active or ours (dhcp.c:376-379).
  assert.equal(mayOfferFound({ state: 'expired', rewindState: 'active' }, alloc()), true);
  assert.equal(mayOfferFound({ state: 'backup' }, alloc()), false);
  // dhcprequest (dhcp.c:591-621)
  assert.deepEqual(requestVerdict({ state: 'backup' }, alloc()), { action: 'ignore', log: 'lease owned by peer' });
  assert.deepEqual(requestVerdict({ state: 'released', rewindState: 'released' }, alloc()), {
    action: 'ignore',
    log: 'lease in transition state released',
  });
  assert.deepEqual(requestVerdict({ state: 'expired', rewindState: 'active' }, alloc()), { action: 'serve' });
  assert.deepEqual(requestVerdict({ state: 'reset' }, alloc()), { action: 'nak', log: 'lease reset by administrator' });
  assert.deepEqual(requestVerdict({ state: 'active' }, alloc({ role: 'secondary' })), { action: 'serve' });
});

test('service states (dhcp_failover_set_service_state)', () => {
  assert.deepEqual(serviceState('normal'), { state: 'cooperating', nrr: '' }); // failover.c:1667-1670
  assert.deepEqual(serviceState('communications-interrupted'), { state: 'not-cooperating', nrr: '' });
  assert.deepEqual(serviceState('recover'), { state: 'not-responding', nrr: ' (recovering)' });
  assert.deepEqual(serviceState('startup'), { state: 'startup', nrr: ' (startup)' });
  assert.deepEqual(serviceState('normal', 'potential-conflict'), {
    state: 'not-responding',
    nrr: ' (peer demands: resolving conflicts)',
  }); // failover.c:1728-1733
  assert.equal(serving({ myState: 'partner-down' }), true);
  assert.equal(serving({ myState: 'startup' }), false); // dhcp.c:417-423
});

test('the pool timer: expired and released leases wait for the peer outside partner-down', () => {
  const exp = lease({ state: 'expired', desiredState: 'expired', ends: NOW - 10, tsfp: NOW - 10 });
  for (const myState of ['normal', 'communications-interrupted'])
    for (const role of ['primary', 'secondary'] as const)
      assert.equal(nextStateOnTimer(exp, alloc({ myState, role })), undefined); // mdb.c:1969-1970
  // The secondary in normal does not expire active leases (mdb.c:1961-1964).
  const act = lease({ state: 'active', desiredState: 'active', ends: NOW - 10 });
  assert.equal(nextStateOnTimer(act, alloc({ role: 'secondary' })), undefined);
  // The primary does: active -> expired, no expiry event yet, queued (mdb.c:1638-1641, 1343, 1479).
  const p = nextStateOnTimer(act, alloc());
  assert.equal(p?.lease.state, 'expired');
  assert.equal(p?.event, undefined);
  assert.equal(p?.lease.desiredState, 'expired');
  assert.equal(p?.lease.rewindState, 'expired'); // cooperating: rewind steps (mdb.c:1461-1466)
  assert.equal(p?.lease.atsfp, 0);
  assert.equal(p?.lease.onUpdateQueue, true);
  // Not yet due.
  assert.equal(nextStateOnTimer({ ...act, ends: NOW + 1 }, alloc()), undefined);
  // Communications-interrupted: rewind to our free state (mdb.c:2005-2016), an expiry event.
  const rw = nextStateOnTimer(
    { ...act, rewindState: 'backup' },
    alloc({ role: 'secondary', myState: 'communications-interrupted' }),
  );
  assert.equal(rw?.lease.state, 'backup');
  assert.equal(rw?.event, 'expiry');
  assert.equal(rw?.lease.rewindState, 'backup'); // not-cooperating: no rewind step (mdb.c:1461-1466)
  // Abandoned leases free themselves at ends even outside partner-down (mdb.c:1646-1651).
  assert.equal(nextStateOnTimer(lease({ state: 'abandoned', ends: NOW - 1 }), alloc())?.lease.state, 'free');
  // Partner-down: expired waits for max(tsfp, ends) (mdb.c:2720-2723), then free with the expiry event.
  const pd = alloc({ myState: 'partner-down', stos: NOW - 100 });
  const entered = onEnterPartnerDown(exp, pd.stos, pd.mclt);
  assert.equal(entered.tsfp, NOW - 100 + 3600); // failover.c:1983
  assert.equal(timerDueAt(entered, 'partner-down'), NOW + 3500);
  assert.equal(timerDueAt(entered, 'normal'), NOW - 10);
  assert.equal(nextStateOnTimer(entered, pd), undefined);
  const later = nextStateOnTimer(entered, { ...pd, now: NOW + 3500 });
  assert.equal(later?.lease.state, 'free');
  assert.equal(later?.event, 'expiry');
  assert.equal(later?.lease.tstp, NOW - 10); // tstp = ends, mdb.c:1561
  // An active lease expiring in partner-down gets tsfp = stos + mclt (mdb.c:1652-1662).
  assert.equal(nextStateOnTimer(act, pd)?.lease.tsfp, NOW - 100 + 3600);
  assert.equal(onEnterPartnerDown(act, 0, 0), act);
});

test('release_lease in a failover pool', () => {
  const act = lease({ state: 'active', desiredState: 'active', ends: NOW + 500, tstp: NOW + 900 });
  const r = releaseLease(act, alloc());
  assert.equal(r?.lease.state, 'released'); // mdb.c:1815
  assert.equal(r?.lease.ends, NOW); // mdb.c:1790
  assert.equal(r?.lease.tstp, NOW); // mdb.c:1795
  assert.equal(r?.event, undefined); // release_lease ran the release itself (mdb.c:1757-1770)
  assert.equal(r?.lease.onUpdateQueue, true);
  // Communications-interrupted with an unacknowledged allocation: straight back (mdb.c:1807-1813).
  const back = releaseLease({ ...act, rewindState: 'free' }, alloc({ myState: 'communications-interrupted' }));
  assert.equal(back?.lease.state, 'free');
  assert.equal(releaseLease(lease({ state: 'expired' }), alloc()), undefined); // mdb.c:1777-1781
  // commitAndPropagate is what DHCPACK uses too: active, desired active, rewind active.
  const ack = commitAndPropagate(lease(), 'active', alloc());
  assert.equal(ack.lease.state, 'active');
  assert.equal(ack.lease.rewindState, 'active');
  assert.equal(ack.lease.desiredState, 'active');
});

// ---- departures the failover simulation (server-sim.test.ts) called for ---------------------------

test('while our active lease runs, a partner update about an earlier binding does not end it', () => {
  const ours = lease({
    state: 'active',
    desiredState: 'active',
    ends: NOW + 100,
    hardware: { type: 1, address: MAC },
  });
  const bad = `192.0.2.10: invalid state transition: active to `;
  // An expiry of an earlier end than ours (ISC takes it within its 65 s fudge).
  rejected(
    processBindUpdate(ours, upd({ bindingStatus: 'expired', leaseExpiry: NOW - 50, potentialExpiry: NOW - 50 }), ctx()),
    2,
    `${bad}expired`,
  );
  // Another client's release (ISC always takes it).
  rejected(
    processBindUpdate(ours, upd({ bindingStatus: 'released', chaddr: { htype: 1, address: MAC2 } }), ctx()),
    2,
    `${bad}released`,
  );
  // Anything that ends it while our update of it has not been acknowledged (a FREE whose potential
  // expiry has passed, which ISC takes in NORMAL from the primary).
  const queued = { ...ours, onUpdateQueue: true };
  rejected(
    processBindUpdate(queued, upd({ bindingStatus: 'free', leaseExpiry: NOW + 100, potentialExpiry: NOW - 1 }), ctx()),
    2,
    `${bad}free`,
  );
  rejected(
    processBindUpdate(queued, upd({ bindingStatus: 'released', leaseExpiry: NOW - 1 }), ctx({ myState: 'recover' })),
    2,
    `${bad}released`,
  );
  // The same client's release, the same end expiring, are the partner's news: taken.
  accepted(processBindUpdate(ours, upd({ bindingStatus: 'released', leaseExpiry: NOW }), ctx()));
  accepted(processBindUpdate(ours, upd({ bindingStatus: 'expired', leaseExpiry: NOW + 100 }), ctx({ now: NOW + 70 })));
  // Once our lease has ended by our clock, it is ended whatever the update is about.
  const over = { ...queued, ends: NOW - 1 };
  accepted(processBindUpdate(over, upd({ bindingStatus: 'expired', leaseExpiry: NOW - 50 }), ctx()));
  accepted(processBindUpdate(over, upd({ bindingStatus: 'released', chaddr: { htype: 1, address: MAC2 } }), ctx()));
});

test('an update of ours still queued duels as one in flight does', () => {
  const ours = lease({
    state: 'active',
    desiredState: 'active',
    ends: NOW + 600,
    cltt: NOW - 10,
    hardware: { type: 1, address: MAC2 },
    onUpdateQueue: true,
  });
  // The partner's binding is older (cltt): ours, queued, wins (ISC dueled only on the ack queue).
  rejected(
    processBindUpdate(ours, upd({ cltt: NOW - 300, leaseExpiry: NOW + 60 }), ctx()),
    16,
    'incoming update is less critical than outgoing update',
  );
  // A newer one wins; it stays queued (the update goes with the accepted state).
  const r = accepted(processBindUpdate(ours, upd({ cltt: NOW }), ctx()));
  assert.equal(r.lease.onUpdateQueue, true);
  assert.equal(r.lease.desiredState, 'active');
});

test("the same client's active lease keeps the later end of ours and the partner's", () => {
  const ours = lease({ state: 'active', desiredState: 'active', ends: NOW + 30, hardware: { type: 1, address: MAC } });
  // Both servers ACKed one REQUEST, ours with the longer lease: the client may hold either.
  assert.equal(accepted(processBindUpdate(ours, upd({ leaseExpiry: NOW + 15 }), ctx())).lease.ends, NOW + 30);
  assert.equal(accepted(processBindUpdate(ours, upd({ leaseExpiry: NOW + 90 }), ctx())).lease.ends, NOW + 90);
  // Another client's binding is the partner's to say.
  const other = upd({ leaseExpiry: NOW + 15, chaddr: { htype: 1, address: MAC2 } });
  assert.equal(accepted(processBindUpdate(ours, other, ctx())).lease.ends, NOW + 15);
});
