// The server's leases as one failover relationship reaches them (the LeaseSide of
// src/failover/relationship.ts), over the allocator's failover pools (failover-slots.ts). Each
// message is turned into ISC's lease rules (src/failover/binding-rules.ts, lease-rules.ts), and
// their result is installed in the allocator; the records that changed are kept for the shell to
// write (takeRecords) — a BNDACK leaves only after they are durable.
//
// ISC's desired_binding_state (the state our last BNDUPD carried, or the one it is queued to carry)
// is kept only where it differs from the binding state: our own changes set it to the new state
// (supersede_lease with propagate), as does queueing for an update request (ISC), and so does a
// partner's update we accept (a departure: binding-rules.ts processBindUpdate); it stays what an
// update carried until the update is acknowledged (ISC).

import {
  type BindUpdate,
  bindUpdateFor,
  needsUpdate,
  processBindAck,
  processBindUpdate,
} from '../failover/binding-rules.js';
import type { FoContext, FoLease } from '../failover/lease-rules.js';
import type { PeerSettings } from '../failover/peer-config.js';
import { type BalancePool, balancePools, type PoolLease, poolCheck } from '../failover/pool-balance.js';
import type { BindUpdateOutcome, LeaseSide, Relationship } from '../failover/relationship.js';
import { bindingStatusName, type FailoverMessage, failoverStateName, parseBindingStatus } from '../failover/wire.js';
import type { BindingState, LeaseFileRecord } from '../leases/lease.js';
import type { Allocator } from './allocator.js';
import { networkName } from './log.js';
import { NO_SLOT } from './slot-lists.js';

export class ServerLeaseSide implements LeaseSide {
  private readonly a: Allocator;
  private readonly name: string;
  private readonly settings: PeerSettings;
  private readonly rel: () => Relationship;
  private readonly log: (level: 'info' | 'error', text: string) => void;
  private records: LeaseFileRecord[] = [];
  private queued: number[] = [];
  private readonly desired = new Map<number, BindingState>();
  private lastBalance = 0;
  private schedBalance = 0;
  /** ISC's random() % 5 seconds added to a rebalance time (injected: the simulation runs from a seed). */
  private readonly jitter: () => number;

  constructor(
    allocator: Allocator,
    name: string,
    settings: PeerSettings,
    relationship: () => Relationship,
    log: (level: 'info' | 'error', text: string) => void,
    random: () => number = Math.random,
  ) {
    this.a = allocator;
    this.name = name;
    this.settings = settings;
    this.rel = relationship;
    this.log = log;
    this.jitter = () => Math.floor(random() * 5);
  }

  /** The lease records changed since last asked (to be written before any BNDACK leaves). */
  takeRecords(): LeaseFileRecord[] {
    const out = this.records;
    this.records = [];
    return out;
  }

  takeQueued(): number[] {
    const out = this.queued;
    this.queued = [];
    return out;
  }

  private context(now: number): FoContext {
    const r = this.rel();
    return {
      role: r.role,
      myState: failoverStateName(r.me.state),
      partnerState: failoverStateName(r.partner.state),
      now,
      mclt: r.mclt,
      stos: r.me.stos,
      ...(r.hba !== undefined ? { hba: r.hba } : {}),
    };
  }

  /** The slot of an address in one of this relationship's pools, else NO_SLOT. */
  private slotOf(address: number): number {
    const slot = this.a.slotOf(address);
    if (slot === NO_SLOT || !this.a.isFailoverSlot(slot)) return NO_SLOT;
    return this.a.poolOfSlot(slot).failoverPeer === this.name ? slot : NO_SLOT;
  }

  private lease(slot: number, xid = 0): FoLease | undefined {
    const info = this.a.failoverSlotInfo(slot);
    if (info === undefined) return undefined;
    const r = this.rel();
    const lease: FoLease = {
      address: info.address,
      state: info.state,
      nextState: info.nextState,
      desiredState: this.desired.get(slot) ?? info.state,
      rewindState: info.rewindState,
      reserved: info.reserved,
      bootp: info.bootp,
      onAckQueue: r.updates.isFlying(info.address),
      onUpdateQueue: r.updates.isPending(info.address),
      lastXid: xid,
    };
    // The allocator's 0 is "none"; the rules' is an absent field.
    if (info.starts > 0) lease.starts = info.starts;
    if (info.ends > 0) lease.ends = info.ends;
    if (info.tstp > 0) lease.tstp = info.tstp;
    if (info.tsfp > 0) lease.tsfp = info.tsfp;
    if (info.atsfp > 0) lease.atsfp = info.atsfp;
    if (info.cltt > 0) lease.cltt = info.cltt;
    if (info.hardware !== undefined) lease.hardware = info.hardware;
    if (info.uid !== undefined) lease.uid = info.uid;
    return lease;
  }

  private poolCounts(slot: number): { free: number; backup: number } {
    const s = this.a.stats(this.a.poolIndexOf(this.a.poolOfSlot(slot)));
    return { free: s.free, backup: s.backup };
  }

  /**
   * The server changed the lease itself (an ACK, a release, an expiry: supersede_lease with propagate):
   * the state it now has is the one the partner is to hear.
   */
  localChange(address: number): void {
    const slot = this.slotOf(address);
    if (slot !== NO_SLOT) this.desired.delete(slot);
  }

  private remember(slot: number, lease: FoLease): void {
    if (lease.desiredState !== lease.state) this.desired.set(slot, lease.desiredState);
    else this.desired.delete(slot);
  }

  bindUpdate(address: number, _now: number): Partial<FailoverMessage> | undefined {
    const slot = this.slotOf(address);
    const lease = slot === NO_SLOT ? undefined : this.lease(slot);
    if (lease === undefined) return undefined;
    // send_bind_update: the rewind state steps up to the binding state as the update leaves.
    if (lease.rewindState !== lease.state) this.records.push(this.a.setFailoverTimes(slot, { rewind: lease.state }));
    // The desired state stays what this update carries until the ack: if the partner's update changed
    // the lease since it was queued, the ack puts it back in the state we told the partner (ISC
    // dhcp_failover_process_bind_ack), so the two agree.
    const u = bindUpdateFor(lease);
    const msg: Partial<FailoverMessage> = {
      bindingStatus: parseBindingStatus(u.bindingStatus ?? lease.state) ?? 1,
      ...(u.clientId !== undefined ? { clientIdentifier: u.clientId } : {}),
      ...(u.chaddr !== undefined ? { chaddr: u.chaddr } : {}),
      ...(u.leaseExpiry !== undefined ? { leaseExpiry: u.leaseExpiry } : {}),
      ...(u.potentialExpiry !== undefined ? { potentialExpiry: u.potentialExpiry } : {}),
      ...(u.stos !== undefined ? { stos: u.stos } : {}),
      ...(u.cltt !== undefined ? { cltt: u.cltt } : {}),
      ...(u.ipFlags !== undefined ? { ipFlags: u.ipFlags } : {}),
    };
    return msg;
  }

  applyBindUpdate(msg: FailoverMessage, at: { myState: number; onAckQueue: boolean; now: number }): BindUpdateOutcome {
    // The relationship's clock has fractions; leases and the wire have whole seconds.
    const ctx = { ...at, now: Math.floor(at.now) };
    const status = msg.bindingStatus === undefined ? undefined : bindingStatusName(msg.bindingStatus);
    const upd: BindUpdate = {
      ...(msg.assignedIpAddress !== undefined ? { address: msg.assignedIpAddress } : {}),
      ...(status !== undefined ? { bindingStatus: status as BindingState } : {}),
      ...(msg.clientIdentifier !== undefined ? { clientId: msg.clientIdentifier } : {}),
      ...(msg.chaddr !== undefined ? { chaddr: msg.chaddr } : {}),
      ...(msg.leaseExpiry !== undefined ? { leaseExpiry: msg.leaseExpiry } : {}),
      ...(msg.potentialExpiry !== undefined ? { potentialExpiry: msg.potentialExpiry } : {}),
      ...(msg.stos !== undefined ? { stos: msg.stos } : {}),
      ...(msg.cltt !== undefined ? { cltt: msg.cltt } : {}),
      ...(msg.ipFlags !== undefined ? { ipFlags: msg.ipFlags } : {}),
    };
    const anySlot = msg.assignedIpAddress === undefined ? NO_SLOT : this.a.slotOf(msg.assignedIpAddress);
    const slot = msg.assignedIpAddress === undefined ? NO_SLOT : this.slotOf(msg.assignedIpAddress);
    const known = anySlot !== NO_SLOT && this.a.isFailoverSlot(anySlot);
    const lease = known ? this.lease(anySlot) : undefined;
    if (lease !== undefined) lease.onAckQueue = ctx.onAckQueue;
    const r = processBindUpdate(lease, upd, {
      ...this.context(ctx.now),
      inThisRelationship: slot !== NO_SLOT,
      pool: slot === NO_SLOT ? { free: 0, backup: 0 } : this.poolCounts(slot),
      maxLeaseOwnership: this.settings.maxLeaseOwnership,
    });
    for (const line of r.log) this.log('info', line);
    if (r.kind === 'reject') return { ok: false, reason: r.reason, message: r.message };
    const out = r.lease;
    this.records.push(
      this.a.applyPeerUpdate(
        slot,
        {
          state: out.state,
          ...(out.starts !== undefined ? { starts: out.starts } : {}),
          ...(out.ends !== undefined ? { ends: out.ends } : {}),
          ...(out.tstp !== undefined ? { tstp: out.tstp } : {}),
          ...(out.tsfp !== undefined ? { tsfp: out.tsfp } : {}),
          ...(out.atsfp !== undefined ? { atsfp: out.atsfp } : {}),
          hardware: out.hardware ?? null,
          uid: out.uid ?? null,
          reserved: out.reserved,
          bootp: out.bootp,
          rewind: out.rewindState ?? out.state,
        },
        ctx.now,
      ),
    );
    this.remember(slot, out);
    if (r.sendToBackup) this.queued.push(out.address);
    return { ok: true };
  }

  applyBindAck(address: number, msg: FailoverMessage, at: number): void {
    const now = Math.floor(at);
    const slot = this.slotOf(address);
    const lease = slot === NO_SLOT ? undefined : this.lease(slot, msg.xid);
    const r = processBindAck(
      lease,
      {
        address,
        xid: msg.xid,
        ...(msg.rejectReason !== undefined ? { rejectReason: msg.rejectReason } : {}),
        ...(msg.message !== undefined ? { message: msg.message } : {}),
        ...(msg.potentialExpiry !== undefined ? { potentialExpiry: msg.potentialExpiry } : {}),
        ...(msg.clientIdentifier !== undefined ? { clientId: msg.clientIdentifier } : {}),
      },
      {
        ...this.context(now),
        peerName: this.name,
        pool: slot === NO_SLOT ? { free: 0, backup: 0 } : this.poolCounts(slot),
        maxLeaseOwnership: this.settings.maxLeaseOwnership,
      },
    );
    if (r.log !== undefined) this.log(r.log.level, r.log.text);
    const out = r.lease;
    if (out === undefined || lease === undefined || msg.rejectReason !== undefined) return;
    const times = {
      ...(out.tstp !== undefined ? { tstp: out.tstp } : {}),
      ...(out.tsfp !== undefined ? { tsfp: out.tsfp } : {}),
      ...(out.atsfp !== undefined ? { atsfp: out.atsfp } : {}),
    };
    if (out.state !== lease.state) {
      this.records.push(
        this.a.setState(slot, out.state, now, {
          ...times,
          ...(out.starts !== undefined ? { starts: out.starts } : {}),
          rewind: out.rewindState ?? out.state,
          ...(r.sendToBackup ? { propagate: true } : {}),
        }),
      );
    } else {
      this.records.push(this.a.setFailoverTimes(slot, { ...times, rewind: out.rewindState ?? out.state }));
    }
    this.remember(slot, out);
    if (r.sendToBackup) this.queued.push(address);
  }

  /**
   * dhcp_failover_generate_update_queue: the leases to queue, each with its desired state set to the
   * binding state as it is queued - the partner hears the state the lease has, not one an update of
   * the partner's superseded since our last BNDUPD.
   */
  *updateCandidates(everything: boolean): Iterable<number> {
    for (const pool of this.a.failoverPools(this.name)) {
      for (const slot of this.a.failoverSlotsOf(pool)) {
        const lease = this.lease(slot);
        if (lease === undefined || !needsUpdate(lease, everything)) continue;
        this.desired.delete(slot);
        yield lease.address;
      }
    }
  }

  balance(at: number, mayRequest: boolean): { moved: number[]; poolRequest: boolean; logs: string[] } {
    const now = Math.floor(at);
    const r = this.rel();
    const pools = this.a.failoverPools(this.name);
    const input: BalancePool[] = pools.map((p) => ({
      id: p + 1,
      network: networkName(this.a.pools[p]!.sharedNetwork),
      leaseCount: this.a.stats(p).total,
      free: this.queue(p, 'free'),
      backup: this.queue(p, 'backup'),
    }));
    const res = balancePools({
      trigger: mayRequest ? 'timer' : 'enter-normal',
      peer: {
        name: this.name,
        role: r.role,
        normal: failoverStateName(r.me.state) === 'normal',
        hba: r.hba,
        config: this.settings,
        lastBalance: this.lastBalance,
      },
      pools: input,
      now,
      jitter: this.jitter,
    });
    this.lastBalance = res.lastBalance;
    this.schedBalance = res.schedBalance;
    const moved: number[] = [];
    for (const m of res.moves) {
      const slot = this.slotOf(m.address);
      if (slot === NO_SLOT) continue;
      this.records.push(
        this.a.setState(slot, m.to, now, { starts: m.starts, tstp: m.tstp, propagate: true, scrub: true }),
      );
      this.desired.delete(slot);
      moved.push(m.address);
    }
    for (const l of res.log) if (l.level === 'error') this.log('error', l.text);
    return { moved, poolRequest: res.sendPoolReq, logs: res.log.filter((l) => l.level !== 'error').map((l) => l.text) };
  }

  private queue(pool: number, which: 'free' | 'backup'): PoolLease[] {
    const out: PoolLease[] = [];
    for (const slot of this.a.failoverQueue(pool, which)) {
      const info = this.a.failoverSlotInfo(slot);
      if (info === undefined || info.reserved) continue;
      const hw = info.hardware;
      out.push({
        address: info.address,
        ends: info.ends,
        ...(info.uid !== undefined ? { uid: info.uid } : {}),
        ...(hw !== undefined ? { hardware: Uint8Array.of(hw.type, ...hw.address) } : {}),
      });
    }
    return out;
  }

  nextBalance(clock: number): number | undefined {
    const now = Math.floor(clock);
    const r = this.rel();
    let at = this.schedBalance > 0 ? this.schedBalance : undefined;
    for (const p of this.a.failoverPools(this.name)) {
      const next = poolCheck({
        role: r.role,
        normal: failoverStateName(r.me.state) === 'normal',
        config: this.settings,
        now,
        lastBalance: this.lastBalance,
        schedBalance: at ?? 0,
        freeHeadEnds: this.headEnds(p, 'free'),
        backupHeadEnds: this.headEnds(p, 'backup'),
        jitter: this.jitter,
      });
      if (next !== undefined && (at === undefined || next < at)) at = next;
    }
    if (at !== undefined) this.schedBalance = at;
    return at;
  }

  private headEnds(pool: number, which: 'free' | 'backup'): number | undefined {
    for (const slot of this.a.failoverQueue(pool, which)) return this.a.failoverSlotInfo(slot)?.ends;
    return undefined;
  }

  enterPartnerDown(stos: number, mclt: number, _now: number): void {
    this.a.setFailoverPolicy(this.name, { partnerDown: { stos, mclt } });
  }
}
