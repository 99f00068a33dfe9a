// The binding-update rules of ISC DHCP 4.4.3's failover protocol (server/failover.c), as pure
// functions over the lease record of lease-rules.ts: what a BNDUPD from the peer may do to a lease
// and what the BNDACK says, what a BNDACK for our own update does, what our BNDUPD carries, and
// which leases an update request resends. lease-rules.ts holds the record, the state step every
// change goes through, and what a server does with a lease on its own (lease time, allocation,
// timer).
//
// What this promises, and the choices made:
// - ISC's order of checks, its messages and its reject reasons (includes/failover.h FTR_*), including
//   its quirks, each marked "ISC:" where it is kept on purpose (the unused reserved toggle, the
//   BNDACK potential-expiry test, the scope that survives a client change).
// - Nothing here owns a queue, a socket or a clock: the lease record carries ISC's ON_ACK_QUEUE and
//   ON_UPDATE_QUEUE flags and last_xid, the caller passes `now` and the relationship's state, and a
//   result says what to do next (queue the lease, commit, run the expiry or release event).
// - A result's lease is a new object; the input is never changed.
// - Times are seconds since the epoch. ISC's MAX_TIME (0x7fffffff, `never`) is NEVER here, as in
//   the Lease record; toWireTime/fromWireTime convert at the message boundary.

import type { BindingState } from '../leases/lease.js';
import { ipv4ToString, NEVER } from '../leases/lease.js';
import {
  commitAndPropagate,
  type FoContext,
  type FoLease,
  isTransitional,
  MAX_TIME,
  ownFreeState,
  poolCountsAfter,
  type Role,
  type TransitionEvent,
  transition,
  withRewind,
} from './lease-rules.js';
import { peerWantsLease } from './load-balance.js';
import { secondaryNotHoarding } from './pool-balance.js';
import { IP_FLAG, REJECT, rejectReasonText } from './wire.js';

export type { FoContext, FoLease, Role } from './lease-rules.js';

/** A decoded BNDUPD, already mapped from wire codes. address and bindingStatus are required by
 * the protocol; absent means the message lacked them. Times are as on the wire (u32). */
export interface BindUpdate {
  address?: number;
  bindingStatus?: BindingState;
  clientId?: Uint8Array;
  /** FTO_CHADDR: ISC sends hbuf, the hardware type octet and then the address. */
  chaddr?: { htype: number; address: Uint8Array };
  leaseExpiry?: number;
  potentialExpiry?: number;
  stos?: number;
  cltt?: number;
  ipFlags?: number;
}

/** includes/dhcpd.h: hbuf is HARDWARE_ADDR_LEN (20) + 1 octets, the type octet first. */
const HBUF_SIZE = 21;

export function toWireTime(t: number | undefined): number {
  if (t === undefined) return 0;
  return t === NEVER ? MAX_TIME : t;
}

export function fromWireTime(t: number): number {
  return t === MAX_TIME ? NEVER : t;
}

/** What tells a partner's update about an earlier binding from one about ours. */
export interface StaleFacts {
  /** The update's lease-expiry. */
  ends?: number;
  /** The update's chaddr. */
  chaddr?: { htype: number; address: Uint8Array };
  /** Our own update of the lease is queued or in flight: we hold a binding the partner has not acknowledged. */
  ourNews?: boolean;
}

/**
 * ISC refuses the partner's EXPIRED for an active lease with more than 65 s to run by our clock ("if
 * we don't agree about expiry, it's invalid. 65 should allow for max clock skew (60) plus some
 * fudge"), and otherwise lets the partner end an active lease. Departure: while our active lease
 * runs, a partner's update that ends it (free, backup, expired, released) is refused when it is about
 * an earlier binding than ours - while our own update of the lease is unacknowledged (we bound it
 * since the partner last heard), when it expires an earlier end than ours, or when it releases
 * another client's binding. The partner's queued updates from before a crash, a partition or a restart came
 * back after the address had been bound again; ISC took them (a lease in its last 65 s, a release
 * or a stale FREE's past potential expiry), freed the address under the client that held it, and
 * both servers gave it out again. A refused update leaves the address bound until our update
 * reaches the partner, or the lease expires.
 */
function staleAgainstActive(
  lease: Pick<FoLease, 'ends' | 'hardware'>,
  to: BindingState,
  now: number,
  upd: StaleFacts | undefined,
): boolean {
  if (upd === undefined || (to !== 'free' && to !== 'backup' && to !== 'expired' && to !== 'released')) return false;
  // A lease that has ended by our clock is ended whatever the partner says of it.
  const ends = lease.ends ?? 0;
  if (ends <= now) return false;
  if (upd.ourNews === true) return true;
  if (to === 'expired') return upd.ends !== undefined && upd.ends < ends;
  if (to !== 'released') return false;
  const hw = lease.hardware;
  return (
    hw !== undefined &&
    upd.chaddr !== undefined &&
    (hw.type !== upd.chaddr.htype || !sameBytes(hw.address, upd.chaddr.address))
  );
}

/**
 * normal_binding_state_transition_check: the state a peer's BNDUPD may move the lease to while we
 * are in normal. Returns `to` when allowed, else the lease's state (the update is then rejected).
 * `tsfp` is the update's potential expiry (0 when absent); `upd` what tells a stale update.
 */
export function normalTransitionCheck(
  lease: Pick<FoLease, 'state' | 'ends' | 'hardware'>,
  to: BindingState,
  tsfp: number,
  role: Role,
  now: number,
  upd?: StaleFacts,
): BindingState {
  const from = lease.state;
  if (to === from) return to;
  switch (from) {
    case 'free':
    case 'abandoned':
      // The secondary takes anything from the primary; the primary takes it too ("the error has
      // already been made"), so every transition out of free/abandoned is allowed.
      return to;
    case 'active':
      if (staleAgainstActive(lease, to, now, upd)) return from;
      if (role === 'primary') return to === 'released' || to === 'abandoned' ? to : from;
      if (to === 'free' || to === 'backup') return tsfp > now ? from : to;
      if (to === 'expired') return (lease.ends ?? 0) - 65 > now ? from : to;
      return to;
    case 'expired':
    case 'reset':
      if (to === 'free' || to === 'backup') return tsfp > now ? from : to;
      return to;
    case 'released':
    case 'backup':
      return to;
  }
}

/** conflict_binding_state_transition_check: the same outside normal. */
export function conflictTransitionCheck(
  lease: Pick<FoLease, 'state' | 'ends' | 'hardware'>,
  to: BindingState,
  now: number,
  upd?: StaleFacts,
): BindingState {
  const from = lease.state;
  if (to === from || from !== 'active') return to;
  if (to === 'free' || to === 'backup') return from;
  if (staleAgainstActive(lease, to, now, upd)) return from;
  if (to === 'expired') return (lease.ends ?? 0) - 65 > now ? from : to;
  return to;
}

/**
 * failover_lease_is_better: for dueling updates (ours in flight, the peer's arriving), true when
 * ours wins. Two actives: the later cltt wins, then the primary. Else an incoming active wins, an
 * incoming expired beats our active, and otherwise the primary's update wins.
 */
export function leaseIsBetter(
  lease: Pick<FoLease, 'desiredState' | 'cltt'>,
  incoming: BindingState,
  incomingCltt: number | undefined,
  role: Role,
): boolean {
  // ISC takes desired_binding_state when it differs from binding_state, else binding_state: always
  // the desired state.
  const local = lease.desiredState;
  if (local === 'active') {
    if (incoming === 'active') {
      const msg = incomingCltt ?? 0;
      const mine = lease.cltt ?? 0;
      if (msg < mine) return true;
      if (msg > mine) return false;
      return role === 'primary';
    }
    if (incoming === 'expired') return false;
  }
  if (incoming === 'active') return false;
  return role === 'primary';
}

/** ISC's reserved toggle in dhcp_failover_send_bind_update: a reserved free lease is offered to the
 * peer as its free state (free <-> backup). ISC 4.4.3 computes it and then sends the untoggled
 * desired state (bindUpdateFor does the same); this is the value the draft intends. */
export function reservedToggle(state: BindingState, role: Role): BindingState {
  if (role === 'primary' && state === 'free') return 'backup';
  if (role === 'secondary' && state === 'backup') return 'free';
  return state;
}

/**
 * What dhcp_failover_send_bind_update puts in a BNDUPD: the desired state (ISC: not the toggled
 * one, see reservedToggle), client-id and chaddr when known, ends, tstp as potential expiry, starts
 * as stos, cltt when set, ip-flags when reserved or bootp.
 */
export function bindUpdateFor(lease: FoLease): BindUpdate {
  const flags = (lease.reserved ? IP_FLAG.RESERVE : 0) | (lease.bootp ? IP_FLAG.BOOTP : 0);
  const upd: BindUpdate = {
    address: lease.address,
    bindingStatus: lease.desiredState,
    leaseExpiry: toWireTime(lease.ends),
    potentialExpiry: toWireTime(lease.tstp),
    stos: toWireTime(lease.starts),
  };
  if (lease.uid !== undefined && lease.uid.length > 0) upd.clientId = lease.uid;
  if (lease.hardware !== undefined) upd.chaddr = { htype: lease.hardware.type, address: lease.hardware.address };
  if (lease.cltt !== undefined && lease.cltt !== 0) upd.cltt = toWireTime(lease.cltt);
  if (flags !== 0) upd.ipFlags = flags;
  return upd;
}

/**
 * What sending the BNDUPD does to the lease (send_bind_update, send_updates): last_xid = xid (the
 * link's counter, which skips 0), rewind = the current state ("we can't know if the peer received
 * our update"), off the update queue onto the ack queue. When the rewind state changed ISC writes
 * and commits the lease before the message leaves: mustCommit.
 */
export function markUpdateSent(lease: FoLease, xid: number): { lease: FoLease; mustCommit: boolean } {
  const l = withRewind(lease);
  const mustCommit = l.rewindState !== l.state;
  return {
    lease: { ...l, lastXid: xid, rewindState: l.state, onUpdateQueue: false, onAckQueue: true },
    mustCommit,
  };
}

/**
 * dhcp_failover_generate_update_queue's test (UPDREQ: everything = false; UPDREQALL: true): the
 * lease is on no queue and either everything is asked for, the peer has not acknowledged the
 * latest tstp (tstp > atsfp), or it is expired/released/reset. ISC then sets desired = state and
 * queues the lease.
 */
export function needsUpdate(lease: FoLease, everything: boolean): boolean {
  if (lease.onUpdateQueue || lease.onAckQueue) return false;
  return everything || (lease.tstp ?? 0) > (lease.atsfp ?? 0) || isTransitional(lease.state);
}

export interface UpdateContext extends FoContext {
  /** The lease's pool belongs to this relationship. */
  inThisRelationship: boolean;
  /** The pool's free_leases and backup_leases before this message. */
  pool: { free: number; backup: number };
  /** max-lease-ownership, percent. */
  maxLeaseOwnership: number;
}

export type BindUpdateResult =
  | {
      kind: 'reject';
      /** REJECT (ISC's FTR_*) for the BNDACK's reject-reason. */
      reason: number;
      /** The BNDACK's message. */
      message: string;
      /** Set when the lease changed anyway (ISC takes it off the ack queue before later checks). */
      lease?: FoLease;
      log: string[];
    }
  | {
      kind: 'accept';
      lease: FoLease;
      /** The state the peer is told it now has (msg->binding_status after ISC rewrites it). ISC's
       * BNDACK itself carries only the address. */
      ackStatus: BindingState;
      /** The lease was moved on to backup for client affinity and is on the update queue: send
       * its BNDUPD after the BNDACK. */
      sendToBackup: boolean;
      /** Drop the lease's binding scope (`set` variables): abandoned without chaddr. */
      clearScope: boolean;
      /** Run DDNS removals for the old client (active, chaddr or client-id changed). ISC: the
       * scope itself survives, as lease_copy holds a reference to it. */
      ddnsRemovals: boolean;
      /** Relay agent options stay only while the lease is active. */
      keepAgentOptions: boolean;
      event?: TransitionEvent;
      log: string[];
    };

/** peer_wants_lease (load-balance.ts) for a lease record, whose hardware address load-balance.ts
 * reads as ISC keeps it: hbuf, the type octet first. */
function peerWantsLeaseOf(lease: FoLease, ctx: Pick<FoContext, 'role' | 'hba'>): boolean {
  const hw = lease.hardware;
  const hardware = hw === undefined ? undefined : Uint8Array.of(hw.type, ...hw.address);
  return peerWantsLease(ctx.role, ctx.hba, { uid: lease.uid, hardware });
}

/** secondary_not_hoarding (pool-balance.ts) with the pool's counts after `before` became `after`. */
function notHoardingAfter(
  ctx: Pick<UpdateContext, 'pool' | 'maxLeaseOwnership'>,
  before: FoLease,
  after: FoLease,
): boolean {
  const pool = poolCountsAfter(ctx.pool, before, after);
  return secondaryNotHoarding(ctx, pool.free, pool.backup);
}

/** The same client: the same client identifier when both have one, else the same hardware address. */
function sameClient(a: Pick<FoLease, 'uid' | 'hardware'>, b: Pick<FoLease, 'uid' | 'hardware'>): boolean {
  if (a.uid !== undefined || b.uid !== undefined) return sameBytes(a.uid, b.uid);
  return (
    a.hardware !== undefined &&
    b.hardware !== undefined &&
    a.hardware.type === b.hardware.type &&
    sameBytes(a.hardware.address, b.hardware.address)
  );
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** dhcp_failover_process_bind_update: a BNDUPD from the peer for `lease` (undefined: not ours). */
export function processBindUpdate(lease: FoLease | undefined, upd: BindUpdate, ctx: UpdateContext): BindUpdateResult {
  const log: string[] = [];
  let dequeued: FoLease | undefined;
  const bad = (reason: number, message: string): BindUpdateResult =>
    dequeued === undefined
      ? { kind: 'reject', reason, message, log }
      : { kind: 'reject', reason, message, lease: dequeued, log };
  const status = upd.bindingStatus;
  if (upd.address === undefined || status === undefined)
    return bad(REJECT.MISSING_BINDINFO, 'binding update lacks required options');
  if (lease === undefined) return bad(REJECT.ILLEGAL_IP_ADDR, 'unknown IP address');
  if (!ctx.inThisRelationship)
    return bad(REJECT.ILLEGAL_IP_ADDR, 'IP address is covered by a different failover relationship state');
  let cur = withRewind(lease);
  // Departure: an update of ours still waiting on the update queue duels as one in flight does. ISC
  // duels only on the ack queue and takes the partner's update over a queued one ("we will send our
  // own BNDUPD after sending the BNDACK"), but by then its data has replaced ours: a partner back from
  // a restart sent an old binding of a lease renewed meanwhile, its earlier end went out in our
  // update, and the lease was freed under its client.
  if (cur.onAckQueue || cur.onUpdateQueue) {
    if (leaseIsBetter(cur, status, upd.cltt, ctx.role))
      return bad(REJECT.LESS_CRIT_BIND_INFO, 'incoming update is less critical than outgoing update');
    if (cur.onAckQueue) {
      cur = { ...cur, onAckQueue: false };
      dequeued = cur;
    }
  }
  const lt: FoLease = { ...cur };
  let chaddrChanged = false;
  let identChanged = false;
  let clearScope = false;
  if (upd.chaddr !== undefined) {
    if (status === 'abandoned') return bad(REJECT.MISC_REJECT, 'BNDUPD to ABANDONED with a CHADDR');
    if (upd.chaddr.address.length + 1 > HBUF_SIZE) return bad(REJECT.MISC_REJECT, 'chaddr too long');
    const hw = lt.hardware;
    if (hw === undefined || hw.type !== upd.chaddr.htype || !sameBytes(hw.address, upd.chaddr.address))
      chaddrChanged = true;
    lt.hardware = { type: upd.chaddr.htype, address: Uint8Array.from(upd.chaddr.address) };
  } else if (status === 'active' || status === 'expired' || status === 'released') {
    return bad(REJECT.MISSING_BINDINFO, 'BNDUPD without CHADDR');
  } else if (status === 'abandoned') {
    chaddrChanged = true;
    delete lt.hardware;
    clearScope = true;
  }
  if (upd.clientId !== undefined) {
    if (status === 'abandoned') return bad(REJECT.MISC_REJECT, 'BNDUPD to ABANDONED with client-id');
    if (!sameBytes(lt.uid, upd.clientId)) identChanged = true;
    lt.uid = Uint8Array.from(upd.clientId);
  } else if (lt.uid !== undefined && status !== 'reset' && status !== 'free' && status !== 'backup') {
    // No client-id option means the client sent none: forget the last one (but free, backup and
    // reset updates keep it).
    identChanged = true;
    delete lt.uid;
  }
  const ddnsRemovals = status === 'active' && (chaddrChanged || identChanged);
  if (upd.stos !== undefined) lt.starts = fromWireTime(upd.stos);
  if (upd.leaseExpiry !== undefined) lt.ends = fromWireTime(upd.leaseExpiry);
  if (upd.potentialExpiry !== undefined) lt.tsfp = lt.atsfp = fromWireTime(upd.potentialExpiry);
  if (upd.ipFlags !== undefined) {
    // A flag may be set on a lease in our own free state only when we already have it.
    const ownFree = cur.state === ownFreeState(ctx.role);
    if (upd.ipFlags & IP_FLAG.RESERVE) {
      if (ownFree && !cur.reserved) return bad(REJECT.IP_NOT_RESERVED, 'Address is not reserved.');
      lt.reserved = true;
    } else lt.reserved = false;
    if (upd.ipFlags & IP_FLAG.BOOTP) {
      if (ownFree && !cur.bootp) return bad(REJECT.MISC_REJECT, 'Address is not allocated to BOOTP.');
      lt.bootp = true;
    } else lt.bootp = false;
    if (upd.ipFlags & ~(IP_FLAG.RESERVE | IP_FLAG.BOOTP))
      log.push(`Unknown IP-flags set in BNDUPD (0x${upd.ipFlags.toString(16)}).`);
  } else {
    lt.reserved = false;
    lt.bootp = false;
  }
  const tsfpIn = upd.potentialExpiry === undefined ? 0 : fromWireTime(upd.potentialExpiry);
  const stale: StaleFacts = {
    ...(upd.leaseExpiry !== undefined ? { ends: fromWireTime(upd.leaseExpiry) } : {}),
    ...(upd.chaddr !== undefined ? { chaddr: upd.chaddr } : {}),
    ourNews: lease.onAckQueue || lease.onUpdateQueue,
  };
  const allowed =
    ctx.myState === 'normal'
      ? normalTransitionCheck(cur, status, tsfpIn, ctx.role, ctx.now, stale)
      : conflictTransitionCheck(cur, status, ctx.now, stale);
  if (allowed !== status)
    return bad(
      REJECT.FATAL_CONFLICT,
      `${ipv4ToString(cur.address)}: invalid state transition: ${cur.state} to ${status}`,
    );
  let next: BindingState = allowed;
  let wantsBackup = false;
  if (isTransitional(allowed)) {
    // The peer has the lease expired/released/reset and we agree: both sides take it as free.
    next = 'free';
    if (ctx.role === 'primary' && !lt.reserved && !lt.bootp) wantsBackup = peerWantsLeaseOf(lt, ctx);
  }
  // supersede_lease(lease, lt, 0, 0, 0, 0): lt's data, the lease's queue flags, desired state and
  // last_xid; rewind set to the accepted state ("we can't rewind behind the peer's state").
  if (
    cur.state === 'active' &&
    lt.state !== 'abandoned' &&
    next !== 'abandoned' &&
    (cur.uid !== undefined && lt.uid !== undefined
      ? !sameBytes(cur.uid, lt.uid)
      : cur.uid === undefined &&
        (cur.hardware?.type !== lt.hardware?.type || !sameBytes(cur.hardware?.address, lt.hardware?.address)))
  )
    log.push(`Lease conflict at ${ipv4ToString(cur.address)}`);
  // Departure: an active lease the partner's update keeps active for the same client keeps the later
  // end of the two. Both servers may ACK one REQUEST (ISC answers one naming its partner when the
  // lease is the client's: "both we and the peer are in a position to offer it ... I think it causes
  // no harm"), with different lease times; the client goes by whichever ACK reached it, and ISC's
  // duel kept the primary's, earlier, end - the address was given out again under the client.
  if (
    cur.state === 'active' &&
    next === 'active' &&
    sameClient(cur, lt) &&
    cur.ends !== undefined &&
    (lt.ends === undefined || lt.ends < cur.ends)
  )
    lt.ends = cur.ends;
  // Departure from ISC: the accepted state becomes the desired one. ISC's supersede_lease(lease, lt,
  // 0, 0, 0, 0) leaves desired_binding_state alone, so an update of ours still waiting on the update
  // queue (not on the ack queue: that is the duel above) went out afterwards with the state it was
  // queued with over the partner's newer one - a release queued before a partition undid the
  // partner's ACK of the address to a client during it, and both servers then gave it away.
  const moved = transition({ ...lt, rewindState: next, desiredState: next }, next, ctx);
  let out = moved.lease;
  let sendToBackup = false;
  if (wantsBackup && notHoardingAfter(ctx, cur, out)) {
    // supersede_lease(lease, NULL, 0, 1, 0, 0): not committed, so rewind stays free.
    out = transition({ ...out, tstp: ctx.now, starts: ctx.now, atsfp: 0 }, 'backup', ctx).lease;
    out.desiredState = 'backup';
    out.onUpdateQueue = true;
    sendToBackup = true;
  }
  const result: BindUpdateResult = {
    kind: 'accept',
    lease: out,
    ackStatus: next,
    sendToBackup,
    clearScope,
    ddnsRemovals,
    keepAgentOptions: next === 'active' || next === 'expired',
    log,
  };
  if (moved.event !== undefined) result.event = moved.event;
  return result;
}

/** A decoded BNDACK. */
export interface BindAck {
  address: number;
  xid: number;
  rejectReason?: number;
  message?: string;
  potentialExpiry?: number;
  /** ISC: the ack's potential expiry is used only when the ack also carries a client identifier
   * (it tests FTO_POTENTIAL_EXPIRY, 18, as if it were the FTB_ bit mask: 0x12 = addresses-
   * transferred | client-identifier). ISC's own BNDACK carries neither, so tstp is used. */
  clientId?: Uint8Array;
}

export interface BindAckResult {
  /** The lease after the ack; undefined when there is none. */
  lease: FoLease | undefined;
  log?: { level: 'error' | 'info'; text: string };
  /** The lease was moved on to backup for client affinity and is on the update queue. */
  sendToBackup: boolean;
  event?: TransitionEvent;
  /** ISC commits the lease file now, or within 2 seconds (a burst of acks shares one commit). */
  commit: 'none' | 'now' | 'soon';
}

/** dhcp_failover_process_bind_ack: the peer's answer to our BNDUPD for `lease`. */
export function processBindAck(
  lease: FoLease | undefined,
  ack: BindAck,
  ctx: Omit<UpdateContext, 'inThisRelationship'> & { peerName: string },
): BindAckResult {
  const ip = ipv4ToString(ack.address);
  if (lease === undefined)
    return {
      lease: undefined,
      log: { level: 'info', text: `bind update on ${ip} got ack from ${ctx.peerName}: no such lease.` },
      sendToBackup: false,
      commit: 'none',
    };
  const cur = withRewind(lease);
  if (ack.rejectReason !== undefined) {
    const why = ack.message ?? rejectReasonText(ack.rejectReason);
    return {
      lease: { ...cur, onAckQueue: false },
      log: { level: 'error', text: `bind update on ${ip} from ${ctx.peerName} rejected: ${why}` },
      sendToBackup: false,
      commit: 'none',
    };
  }
  // Acks for leases we did not update (or repeated acks) are dropped silently.
  if (cur.lastXid === 0) return { lease: { ...cur, onAckQueue: false }, sendToBackup: false, commit: 'none' };
  if (cur.lastXid !== ack.xid)
    return {
      lease: cur,
      log: { level: 'info', text: `bind update on ${ip} got ack from ${ctx.peerName}: xid mismatch.` },
      sendToBackup: false,
      commit: 'none',
    };
  const pot = ack.clientId !== undefined ? fromWireTime(ack.potentialExpiry ?? 0) : (cur.tstp ?? 0);
  let l: FoLease = { ...cur, tsfp: pot, atsfp: pot };
  let event: TransitionEvent | undefined;
  let commit: BindAckResult['commit'];
  let wantsBackup = false;
  if (isTransitional(cur.desiredState)) {
    // The peer now has it expired/released/reset too: free (backup for a reserved lease on the
    // secondary), and the peer is taken to agree (rewind).
    const next: BindingState = ctx.role === 'secondary' && cur.reserved ? 'backup' : 'free';
    const moved = transition({ ...l, desiredState: next, rewindState: next }, next, ctx);
    l = moved.lease;
    event = moved.event;
    wantsBackup = ctx.role === 'primary' && !l.reserved && !l.bootp && peerWantsLeaseOf(l, ctx);
    commit = !wantsBackup && ctx.myState === 'normal' ? 'now' : 'none';
  } else {
    // ISC: desired differs from the state only when something changed it without propagating
    // (an accepted BNDUPD), and the lease is then put back in the desired state.
    if (cur.desiredState !== cur.state) {
      const moved = transition(l, cur.desiredState, ctx);
      l = moved.lease;
      event = moved.event;
    }
    commit = 'soon';
  }
  l.onAckQueue = false;
  let sendToBackup = false;
  if (wantsBackup && notHoardingAfter(ctx, cur, l)) {
    const moved = commitAndPropagate({ ...l, tstp: ctx.now, starts: ctx.now }, 'backup', ctx);
    l = moved.lease;
    sendToBackup = true;
    if (ctx.myState === 'normal') commit = 'now';
  }
  const result: BindAckResult = { lease: l, sendToBackup, commit };
  if (event !== undefined) result.event = event;
  return result;
}
