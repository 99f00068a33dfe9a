// The DHCP engine's failover gates (ISC server/dhcp.c with FAILOVER_PROTOCOL): for an address in a
// pool with a `failover peer`, whether this server may answer at all (service state), whether the
// client is this server's by the load-balancing hash, whose free leases it may hand out, how long a
// lease it may give before its partner has heard of it (MCLT), and which leases a REQUEST may take.
// The rules themselves are src/failover/lease-rules.ts and load-balance.ts; this file asks them
// about the allocator's slots.

import type { Pool } from '../conf/scope-tree.js';
import { type AllocContext, failoverLeaseTime, mayOfferFound, requestVerdict } from '../failover/lease-rules.js';
import { loadBalanceMine } from '../failover/load-balance.js';
import type { ServiceState } from '../failover/service-state.js';
import type { Allocator } from './allocator.js';
import { NO_SLOT } from './allocator.js';
import type { LeasePlan } from './lease-reply.js';
import type { RequestFacts } from './request-facts.js';

/** One failover relationship as the engine sees it for a packet. */
export interface FailoverPoolState {
  readonly name: string;
  readonly role: 'primary' | 'secondary';
  readonly service: ServiceState;
  /** ISC's " (why)" when not responding. */
  readonly nrr: string;
  readonly hba: Uint8Array | undefined;
  readonly loadBalanceMaxSecs: number;
  /** For the lease rules: states by ISC's name, mclt, stos; `now` is the packet's. */
  readonly alloc: Omit<AllocContext, 'now'>;
}

/** What the daemon hands the engine: the relationship of a pool, if it has one. */
export interface FailoverView {
  forPool(pool: Pool): FailoverPoolState | undefined;
}

const OPT_CLIENT_ID = 61;

function stateOf(f: RequestFacts, slot: number): FailoverPoolState | undefined {
  const view = f.ctx.failover;
  if (view === undefined || slot === NO_SLOT || !f.ctx.leases.isFailoverSlot(slot)) return undefined;
  return view.forPool(f.ctx.leases.poolOfSlot(slot));
}

function allocContext(st: FailoverPoolState, now: number): AllocContext {
  return { ...st.alloc, now };
}

function leaseView(leases: Allocator, slot: number) {
  const info = leases.failoverSlotInfo(slot);
  if (info === undefined) return undefined;
  return { state: info.state, rewindState: info.rewindState, tsfp: info.tsfp > 0 ? info.tsfp : undefined };
}

/** dhcpdiscover: a lease found for the client is offered only if it is, or was, the client's, or ours to give. */
export function keepFound(f: RequestFacts, slot: number): boolean {
  const st = stateOf(f, slot);
  if (st === undefined) return true;
  const lease = leaseView(f.ctx.leases, slot);
  return lease === undefined || mayOfferFound(lease, allocContext(st, f.ctx.now));
}

/** Whether any of the pools has a failover peer (then allocation follows the peer's role). */
export function failoverRole(f: RequestFacts, pools: readonly number[]): 'primary' | 'secondary' | undefined {
  const view = f.ctx.failover;
  if (view === undefined) return undefined;
  for (const p of pools) {
    const st = view.forPool(f.ctx.leases.pools[p]!);
    if (st !== undefined) return st.role;
  }
  return undefined;
}

/**
 * dhcpdiscover after the lease is chosen: not responding (startup, recover, conflicts...) answers
 * nothing; in NORMAL a client the hash gives the partner is left to it unless the partner has no
 * free leases. Returns false when the OFFER must not go out (the reason is logged).
 */
export function mayOffer(f: RequestFacts, slot: number, msg: string, peerHasLeases: boolean): boolean {
  const st = stateOf(f, slot);
  if (st === undefined) return true;
  if (st.service === 'not-responding' || st.service === 'startup') {
    f.out.log.push(`${msg}: not responding${st.nrr}`);
    return false;
  }
  if (st.service !== 'cooperating') return true;
  const r = f.request;
  const mine = loadBalanceMine({
    clientId: r.options.get(OPT_CLIENT_ID),
    chaddr: r.chaddr,
    hlen: r.hlen,
    secs: r.secs,
    role: st.role,
    hba: st.hba,
    loadBalanceMaxSecs: st.loadBalanceMaxSecs,
    stateIsNormal: true,
  });
  if (mine) return true;
  if (peerHasLeases) {
    f.out.log.push(`${msg}: load balance to peer ${st.name}`);
    return false;
  }
  f.out.log.push(`${msg}: cancel load balance to peer ${st.name} - no free leases`);
  return true;
}

/** find_lease's quick test: the partner's own free state has leases in a pool of the network. */
export function peerHoldsFree(f: RequestFacts, pools: readonly number[]): boolean {
  const view = f.ctx.failover;
  if (view === undefined) return false;
  const leases = f.ctx.leases;
  for (const p of pools) {
    const st = view.forPool(leases.pools[p]!);
    if (st === undefined) continue;
    const s = leases.stats(p);
    if (st.role === 'primary' ? s.backup > 0 : s.free > 0) return true;
  }
  return false;
}

/**
 * ack_lease's MCLT cap: the lease time the client gets (plan.times is changed) and, on an ACK, the
 * potential expiry to record and send the partner. Undefined outside failover pools.
 */
export function capLeaseTime(f: RequestFacts, slot: number, plan: LeasePlan, isAck: boolean): number | undefined {
  const st = stateOf(f, slot);
  if (st === undefined) return undefined;
  const info = f.ctx.leases.failoverSlotInfo(slot);
  if (info === undefined) return undefined;
  const r = failoverLeaseTime(
    plan.times.leaseTime,
    { ...(info.tstp > 0 ? { tstp: info.tstp } : {}), ...(info.tsfp > 0 ? { tsfp: info.tsfp } : {}) },
    st.alloc.mclt,
    f.ctx.now,
    isAck,
  );
  plan.times = { ...plan.times, leaseTime: r.leaseTime };
  return isAck ? r.tstp : undefined;
}

/**
 * dhcprequest's failover gates for the lease the request names: serve it, or ignore the request or NAK
 * it for `reason` (ISC: not responding; owned by the peer; in transition; reset by the administrator).
 */
export function requestGate(
  f: RequestFacts,
  slot: number,
): { action: 'serve' } | { action: 'ignore' | 'nak'; reason: string } {
  const st = stateOf(f, slot);
  if (st === undefined) return { action: 'serve' };
  if (st.service === 'not-responding' || st.service === 'startup') {
    return { action: 'ignore', reason: `not responding${st.nrr}` };
  }
  const lease = leaseView(f.ctx.leases, slot);
  if (lease === undefined) return { action: 'serve' };
  const v = requestVerdict(lease, allocContext(st, f.ctx.now));
  return v.action === 'serve' ? v : { action: v.action, reason: v.log };
}

/** dhcprelease / dhcpdecline: a server that is not responding ignores them ("PEER: ignored (why)"). */
export function ignoresRelease(f: RequestFacts, slot: number): boolean {
  const st = stateOf(f, slot);
  if (st === undefined) return false;
  if (st.service !== 'not-responding' && st.service !== 'startup') return false;
  f.out.log.push(`${st.name}: ignored${st.nrr}`);
  return true;
}
