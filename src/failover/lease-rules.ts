// ISC DHCP 4.4.3's failover lease record and what a server does with it on its own: the state step
// every change goes through (mdb.c supersede_lease, make_binding_state_transition), the pool counts
// client affinity reads, the MCLT cap on the lease time a client is given (dhcp.c ack_lease), which
// leases a server may hand out in which service state (failover.c lease_mine_to_reallocate, dhcp.c
// allocate_lease / dhcpdiscover / dhcprequest), and what time alone does to a lease in a failover
// pool (mdb.c pool_timer, lease_enqueue, release_lease, failover.c dhcp_failover_set_state entering
// partner-down). What the peer's messages do is binding-rules.ts; the service state is
// service-state.ts; client affinity (peer_wants_lease, secondary_not_hoarding) is load-balance.ts
// and pool-balance.ts.
//
// Pure: the caller passes the lease, the relationship's state and `now`, and applies the result; a
// result's lease is a new object. Times are seconds since the epoch, NEVER for ISC's MAX_TIME.

import type { BindingState, HardwareAddress } from '../leases/lease.js';
import { NEVER } from '../leases/lease.js';
import { type ServiceState, serviceState } from './service-state.js';

export type Role = 'primary' | 'secondary';

/** A lease as the failover rules see it (ISC struct lease, the fields failover reads or writes). */
export interface FoLease {
  /** IPv4 address as an unsigned 32-bit integer. */
  address: number;
  /** binding_state. */
  state: BindingState;
  /** next_binding_state when it is not the one ISC derives from the state (defaultNextState). */
  nextState?: BindingState;
  /** desired_binding_state: the state our last BNDUPD for this lease carried, or will carry. */
  desiredState: BindingState;
  /** rewind_binding_state: the last state the peer is known to agree with; absent = state. */
  rewindState?: BindingState;
  starts?: number;
  ends?: number;
  tstp?: number;
  tsfp?: number;
  atsfp?: number;
  cltt?: number;
  hardware?: HardwareAddress;
  uid?: Uint8Array;
  /** RESERVED_LEASE. */
  reserved: boolean;
  /** BOOTP_LEASE. */
  bootp: boolean;
  /** ON_ACK_QUEUE: our BNDUPD is in flight. */
  onAckQueue: boolean;
  /** ON_UPDATE_QUEUE: a BNDUPD waits to be sent. */
  onUpdateQueue: boolean;
  /** The xid of our last BNDUPD for this lease; 0 = none. */
  lastXid: number;
}

/** The relationship as a lease rule needs it. */
export interface FoContext {
  role: Role;
  /** Our failover state, by ISC's name ('normal', 'communications-interrupted', 'partner-down', ...). */
  myState: string;
  /** The partner's state; it can stop service (serviceState). Absent = no effect. */
  partnerState?: string;
  now: number;
  mclt: number;
  /** me.stos: when we entered myState. */
  stos: number;
  /** The hash bucket assignment (32 octets, ISC state->hba); absent = no load balancing. */
  hba?: Uint8Array;
}

/** The state a lease goes to next, as make_binding_state_transition sets it in a failover pool. */
export function defaultNextState(state: BindingState): BindingState {
  if (state === 'active') return 'expired';
  if (state === 'free' || state === 'backup') return state;
  return 'free';
}

/** The state only this server may allocate from: free for the primary, backup for the secondary. */
export function ownFreeState(role: Role): BindingState {
  return role === 'primary' ? 'free' : 'backup';
}

const TRANSITIONAL: ReadonlySet<BindingState> = new Set(['expired', 'released', 'reset']);

/** Expired, released or reset: ISC's expired queue, waiting for the peer. */
export function isTransitional(state: BindingState): boolean {
  return TRANSITIONAL.has(state);
}

/** The lease with rewindState filled in (absent means the current state). */
export function withRewind(l: FoLease): FoLease {
  return l.rewindState === undefined ? { ...l, rewindState: l.state } : { ...l };
}

/** What make_binding_state_transition runs besides the state change. */
export type TransitionEvent = 'expiry' | 'release';

/**
 * make_binding_state_transition in a failover pool: the lease enters `next`. Leaving active or
 * expired for free/backup is the expiry event, leaving released for free/backup the release event
 * (the caller runs `on expiry`/`on release`, DDNS removal, unbilling, and drops agent options and the
 * client hostname); either sets tstp to ends. Entering a transitional or abandoned state in
 * partner-down sets tsfp to stos + mclt, when the lease may become free.
 */
export function transition(
  lease: FoLease,
  next: BindingState,
  ctx: Pick<FoContext, 'myState' | 'stos' | 'mclt'>,
): { lease: FoLease; event?: TransitionEvent } {
  const l: FoLease = { ...lease };
  let event: TransitionEvent | undefined;
  if (next !== l.state && (next === 'free' || next === 'backup')) {
    if (l.state === 'expired' || l.state === 'active') event = 'expiry';
    else if (l.state === 'released') event = 'release';
    if (event !== undefined) l.tstp = l.ends;
  }
  l.state = next;
  delete l.nextState;
  if (next !== 'active' && next !== 'free' && next !== 'backup' && ctx.myState === 'partner-down')
    l.tsfp = ctx.stos + ctx.mclt;
  return event === undefined ? { lease: l } : { lease: l, event };
}

/**
 * supersede_lease(lease, 0, commit=1, propagate=1): the change every locally made state change
 * goes through (DHCPACK, release, decline, the pool timer). atsfp is cleared (the peer has not
 * acknowledged the new state), the state steps to `next`, rewind follows it when the peer is
 * reachable (service cooperating or not-responding), desired = the new state, and the lease goes
 * on the update queue (off the ack queue).
 */
export function commitAndPropagate(
  lease: FoLease,
  next: BindingState,
  ctx: Pick<FoContext, 'myState' | 'partnerState' | 'stos' | 'mclt'>,
): { lease: FoLease; event?: TransitionEvent } {
  const moved = transition({ ...withRewind(lease), atsfp: 0 }, next, ctx);
  const l = moved.lease;
  const service = serviceState(ctx.myState, ctx.partnerState).state;
  if (service === 'cooperating' || service === 'not-responding') l.rewindState = l.state;
  l.desiredState = l.state;
  l.onAckQueue = false;
  l.onUpdateQueue = true;
  return moved.event === undefined ? { lease: l } : { lease: l, event: moved.event };
}

/** The pool's free_leases/backup_leases after `before` became `after` (reserved leases count in
 * neither: they sit on the pool's reserved queue). */
export function poolCountsAfter(pool: { free: number; backup: number }, before: FoLease, after: FoLease) {
  const p = { ...pool };
  if (!before.reserved && before.state === 'free') p.free--;
  if (!before.reserved && before.state === 'backup') p.backup--;
  if (!after.reserved && after.state === 'free') p.free++;
  if (!after.reserved && after.state === 'backup') p.backup++;
  return p;
}

/** ISC INFINITE_TIME: the lease time of an infinite lease (as server/lease-times.ts has it). */
export const INFINITE_LEASE_TIME = 0xffffffff;
/** ISC MAX_TIME: ISC's (and the wire's) `never`, NEVER in a lease record. */
export const MAX_TIME = 0x7fffffff;

/**
 * ack_lease's failover part. A lease time above the MCLT is cut to the MCLT when the peer has not
 * acknowledged a potential expiry in the future (tsfp <= now), else to what tsfp + MCLT allows.
 * On a DHCPACK tstp becomes now + desired + leaseTime/2 (the desired time plus half the granted
 * one, an estimate of the renewal, so the client gets the desired time when it renews; NEVER for
 * an infinite lease) and tsfp is lowered to tstp when tstp is below it. ISC does not keep the
 * larger of the old and new tstp: a shorter lease lowers it. On a DHCPOFFER tstp and tsfp stay.
 * `desired` is the lease time after default/max/min-lease-time (INFINITE_LEASE_TIME for infinite).
 */
export function failoverLeaseTime(
  desired: number,
  lease: Pick<FoLease, 'tstp' | 'tsfp'>,
  mclt: number,
  now: number,
  isAck: boolean,
): { leaseTime: number; tstp: number | undefined; tsfp: number | undefined } {
  const tsfp = lease.tsfp ?? 0;
  let leaseTime = desired;
  if (desired > mclt) {
    if (tsfp <= now) leaseTime = mclt;
    else if (now + desired > tsfp + mclt) leaseTime = tsfp - now + mclt;
  }
  if (!isAck) return { leaseTime, tstp: lease.tstp, tsfp: lease.tsfp };
  let tstp: number;
  if (desired >= INFINITE_LEASE_TIME) tstp = NEVER;
  else {
    // leaseTimeCheck(calculated, MAX_TIME - 1)
    tstp = now + desired + Math.floor(leaseTime / 2);
    if (tstp >= INFINITE_LEASE_TIME || tstp < now) tstp = MAX_TIME - 1;
  }
  return { leaseTime, tstp, tsfp: tstp < tsfp ? tstp : lease.tsfp };
}

/** The relationship as the allocation rules need it; undefined = the pool has no failover peer. */
export type AllocContext = Pick<FoContext, 'role' | 'myState' | 'partnerState' | 'now' | 'mclt' | 'stos'>;

function service(ctx: AllocContext): ServiceState {
  return serviceState(ctx.myState, ctx.partnerState).state;
}

/** In partner-down, a lease the peer might have allocated is safe once MCLT has passed since the
 * later of tsfp and our partner-down stos. */
function peerLeaseSafe(lease: Pick<FoLease, 'tsfp'>, ctx: AllocContext): boolean {
  const tsfp = lease.tsfp ?? 0;
  return service(ctx) === 'partner-down' && (tsfp < ctx.stos ? ctx.stos + ctx.mclt : tsfp + ctx.mclt) < ctx.now;
}

/**
 * lease_mine_to_reallocate: may this server give the lease to a new client?
 * - active: never.
 * - free/abandoned: the primary; the secondary only in partner-down after MCLT (peerLeaseSafe).
 * - backup: the secondary; the primary only in partner-down after MCLT.
 * - expired/released: when it can be rewound to this server's free state (the peer never heard it
 *   left it); else as reset.
 * - reset: in partner-down once tsfp has passed.
 * Without a peer: free or backup.
 */
export function mineToReallocate(
  lease: Pick<FoLease, 'state' | 'rewindState' | 'tsfp'>,
  ctx: AllocContext | undefined,
): boolean {
  if (ctx === undefined) return lease.state === 'free' || lease.state === 'backup';
  const rewind = lease.rewindState ?? lease.state;
  switch (lease.state) {
    case 'active':
      return false;
    case 'free':
    case 'abandoned':
      return ctx.role === 'primary' || peerLeaseSafe(lease, ctx);
    case 'backup':
      return ctx.role === 'secondary' || peerLeaseSafe(lease, ctx);
    case 'released':
    case 'expired':
      if (rewind === ownFreeState(ctx.role)) return true;
      return service(ctx) === 'partner-down' && (lease.tsfp ?? 0) < ctx.now;
    case 'reset':
      return service(ctx) === 'partner-down' && (lease.tsfp ?? 0) < ctx.now;
  }
}

/**
 * find_lease / dhcpdiscover: a lease found for the client (by client-id, chaddr or the requested
 * address) may be offered to it when it is active, was last active (rewind), or is this server's
 * to reallocate. Otherwise it is discarded and a new one allocated.
 */
export function mayOfferFound(lease: Pick<FoLease, 'state' | 'rewindState' | 'tsfp'>, ctx: AllocContext): boolean {
  return lease.state === 'active' || lease.rewindState === 'active' || mineToReallocate(lease, ctx);
}

/** The service states in which the server answers no DHCP message for the pool (the log adds
 * "not responding" / "ignored" and serviceState's nrr). */
export function serving(ctx: Pick<FoContext, 'myState' | 'partnerState'>): boolean {
  const s = serviceState(ctx.myState, ctx.partnerState).state;
  return s !== 'not-responding' && s !== 'startup';
}

/** find_lease's quick test ("peer holds all free leases" rather than "no free leases"): the peer's
 * free state has leases in the pool. */
export function peerHoldsLeases(role: Role, pool: { free: number; backup: number }): boolean {
  return role === 'primary' ? pool.backup > 0 : pool.free > 0;
}

/**
 * allocate_lease for one failover pool. `heads` are the first (earliest sort time, i.e. ends) lease
 * of the pool's free, backup and abandoned queues; reserved leases are on a queue of their own and
 * never here. The own free state's head is the candidate; the peer's head replaces it when it
 * ended earlier and is ours to reallocate (partner-down after MCLT), else peerHasLeases is set; an
 * abandoned lease is the last resort. A non-abandoned candidate whose ends is still ahead (just
 * offered to someone) is not used. Across pools ISC then prefers free/backup over abandoned, a
 * lease with no client identity over one with, and the earlier ends.
 */
export function allocateCandidate<L extends Pick<FoLease, 'state' | 'rewindState' | 'tsfp' | 'ends'>>(
  heads: { free?: L; backup?: L; abandoned?: L },
  ctx: AllocContext,
): { lease?: L; peerHasLeases: boolean } {
  let cand = ctx.role === 'primary' ? heads.free : heads.backup;
  const peerl = ctx.role === 'primary' ? heads.backup : heads.free;
  let peerHasLeases = false;
  if (peerl !== undefined) {
    if ((cand === undefined || (cand.ends ?? 0) > (peerl.ends ?? 0)) && mineToReallocate(peerl, ctx)) cand = peerl;
    else peerHasLeases = true;
  }
  if (cand === undefined && heads.abandoned !== undefined && mineToReallocate(heads.abandoned, ctx))
    cand = heads.abandoned;
  if (cand === undefined || (cand.state !== 'abandoned' && (cand.ends ?? 0) > ctx.now)) return { peerHasLeases };
  return { lease: cand, peerHasLeases };
}

/**
 * dhcprequest's failover gates for the lease the request names, after the service check (serving):
 * - free/backup not ours to reallocate: ignored, "lease owned by peer";
 * - expired/released, not last active and not ours: ignored, "lease in transition state ...";
 * - reset not ours: DHCPNAK, "lease reset by administrator".
 * The log text follows ISC's "<msgbuf>: ".
 */
export function requestVerdict(
  lease: Pick<FoLease, 'state' | 'rewindState' | 'tsfp'>,
  ctx: AllocContext,
): { action: 'serve' } | { action: 'ignore' | 'nak'; log: string } {
  const mine = () => mineToReallocate(lease, ctx);
  if ((lease.state === 'free' || lease.state === 'backup') && !mine())
    return { action: 'ignore', log: 'lease owned by peer' };
  if ((lease.state === 'released' || lease.state === 'expired') && lease.rewindState !== 'active' && !mine())
    return { action: 'ignore', log: `lease in transition state ${lease.state}` };
  if (lease.state === 'reset' && !mine()) return { action: 'nak', log: 'lease reset by administrator' };
  return { action: 'serve' };
}

/**
 * lease_enqueue's sort time, when the pool timer next looks at the lease: its ends, except that an
 * expired/released/reset lease in partner-down waits for the later of tsfp and ends.
 */
export function timerDueAt(lease: Pick<FoLease, 'state' | 'ends' | 'tsfp'>, myState: string): number {
  const ends = lease.ends ?? 0;
  if (TRANSITIONAL.has(lease.state) && myState === 'partner-down') return Math.max(lease.tsfp ?? 0, ends);
  return ends;
}

/**
 * pool_timer for one lease of a failover pool: what happens when its sort time (timerDueAt) has
 * come; undefined when nothing does.
 * - Outside partner-down an expired/released/reset lease never moves on a timer: it waits for the
 *   peer's BNDACK (processBindAck: then free, or backup for a reserved lease on the secondary) or
 *   the peer's BNDUPD. In partner-down it becomes free at max(tsfp, ends), tsfp being stos + MCLT.
 * - The secondary in normal does not expire active leases (the primary does and tells it).
 * - Otherwise the lease takes its next state (active -> expired, expired/released/abandoned/reset
 *   -> free), except that in communications-interrupted an active lease whose rewind state is
 *   this server's free state goes straight back to it. The change is committed and propagated
 *   (commitAndPropagate: atsfp 0, desired = new state, queued for an immediate BNDUPD).
 * The expiry event runs when a lease leaves active or expired for free/backup, not on
 * active -> expired.
 */
export function nextStateOnTimer(
  lease: FoLease,
  ctx: AllocContext,
): { lease: FoLease; event?: TransitionEvent } | undefined {
  if (ctx.myState !== 'partner-down') {
    if (lease.state === 'active' && ctx.role === 'secondary' && ctx.myState === 'normal') return undefined;
    if (TRANSITIONAL.has(lease.state)) return undefined;
  }
  if (timerDueAt(lease, ctx.myState) > ctx.now) return undefined;
  let next = lease.nextState ?? defaultNextState(lease.state);
  if (next === lease.state) return undefined;
  const rewind = lease.rewindState ?? lease.state;
  if (service(ctx) === 'not-cooperating' && next === 'expired' && rewind === ownFreeState(ctx.role)) next = rewind;
  return commitAndPropagate(lease, next, ctx);
}

/**
 * dhcp_failover_set_state entering partner-down: every expired/released/reset lease of the
 * relationship gets tsfp = stos + MCLT (and so a sort time of max(tsfp, ends)). Other leases are
 * returned unchanged.
 */
export function onEnterPartnerDown(lease: FoLease, stos: number, mclt: number): FoLease {
  return TRANSITIONAL.has(lease.state) ? { ...lease, tsfp: stos + mclt } : lease;
}

/**
 * release_lease in a failover pool (dhcprelease calls it only while the lease's ends is ahead, and
 * not at all when the service state is not-responding/startup). A lease that is not already free,
 * backup or transitional ends now (ends = tstp = now), drops its scope, and becomes released; in
 * communications-interrupted a lease whose rewind state is this server's free state goes straight
 * back to it. Committed and propagated. Undefined when nothing changes.
 */
export function releaseLease(
  lease: FoLease,
  ctx: AllocContext,
): { lease: FoLease; event?: TransitionEvent } | undefined {
  if (lease.state === 'free' || lease.state === 'backup' || TRANSITIONAL.has(lease.state)) return undefined;
  const rewind = lease.rewindState ?? lease.state;
  const next = service(ctx) === 'not-cooperating' && rewind === ownFreeState(ctx.role) ? rewind : 'released';
  return commitAndPropagate({ ...lease, ends: ctx.now, tstp: ctx.now }, next, ctx);
}
