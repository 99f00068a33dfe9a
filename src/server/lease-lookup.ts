// find_lease and reuse_lease as the engine calls them: the lookup's side effects (the NAK text it
// leaves, the leases it releases) and ISC's dhcp-cache-threshold reuse of a young lease.

import { lookupParameter, type SharedNetwork } from '../conf/scope-tree.js';
import { ACTIVE } from './allocator.js';
import { type FindKind, type Found, findLease } from './find-lease.js';
import type { LeasePlan } from './lease-reply.js';
import type { HostMatch } from './locate.js';
import type { RequestFacts } from './request-facts.js';

/** find_lease, with its side effects: the NAK text it leaves behind and the leases it released. */
export function lookUp(
  f: RequestFacts,
  share: SharedNetwork | undefined,
  kind: FindKind,
  host: HostMatch | undefined,
): Found {
  const leases = f.ctx.leases;
  const found = findLease(f, share, kind, host);
  if (found.message !== undefined) leases.nakMessage = found.message;
  for (const slot of found.released) {
    if (leases.stateOf(slot) === ACTIVE)
      f.out.changes.push({ reason: 'release', lease: leases.release(slot, f.ctx.now) });
  }
  return found;
}

/**
 * ISC reuse_lease (dhcp-cache-threshold, default 25 %): an active lease of the same client younger
 * than that share of its length is handed back unchanged — the reply carries its remaining time and
 * nothing is written. A new host name, an offer that was not itself a reuse, or a DNS update started for
 * this ACK (ddns-plan.ts) disqualifies it.
 */
export function reuse(
  f: RequestFacts,
  slot: number,
  plan: LeasePlan,
  kind: 'offer' | 'ack',
  ddnsStarted = false,
): boolean {
  const leases = f.ctx.leases;
  const now = f.ctx.now;
  let reusable = false;
  const hostnameChanged = f.hostname !== undefined && f.hostname !== leases.hostnameOf(slot);
  // A DNS update started for this ACK (ISC: new_lease->ddns_cb set) rules reuse out.
  if (
    !hostnameChanged &&
    !ddnsStarted &&
    !leases.cannotReuse(slot) &&
    leases.stateOf(slot) === ACTIVE &&
    sameClient(f, slot)
  ) {
    const v = lookupParameter(plan.chain, 'dhcp-cache-threshold')?.value;
    const threshold = typeof v === 'number' && v >= 0 && v < 100 ? v : DEFAULT_CACHE_THRESHOLD;
    if (threshold > 0) {
      const ends = iscTime(leases.endsOf(slot));
      const starts = leases.startsOf(slot);
      const limit = Math.floor(((ends - starts) * threshold) / 100);
      if (now - starts <= limit) {
        reusable = true;
        plan.times = { ...plan.times, leaseTime: ends - now };
        // ISC ack_lease ends with cltt = now for every answer; it orders the client's leases later.
        leases.touch(slot, now);
      }
    }
  }
  leases.setReusable(slot, reusable || kind !== 'offer');
  return reusable;
}

const DEFAULT_CACHE_THRESHOLD = 25;

/** ISC keeps `ends never` as the largest 32-bit time (2038): lease lengths and remainders use it. */
function iscTime(t: number): number {
  return Number.isFinite(t) ? t : 0x7fffffff;
}

/** ISC same_client: the lease's client identifier and hardware address are the request's. */
function sameClient(f: RequestFacts, slot: number): boolean {
  const leases = f.ctx.leases;
  const uid = f.id.uid;
  if (leases.hasUid(slot) !== (uid !== undefined)) return false;
  if (uid !== undefined && !leases.uidIs(slot, uid)) return false;
  return leases.hwIs(slot, f.id.hardware);
}
