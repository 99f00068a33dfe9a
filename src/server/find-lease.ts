// Which existing lease a request names (ISC server/dhcp.c find_lease, without failover): the
// client's fixed address, else the lease at the address it asks for (ciaddr, else option 50),
// else the lease recorded for its client identifier, else the one recorded for its hardware
// address. ISC's order of tests is kept step by step, because every one of them shows on the wire:
// which address a returning client is offered, whether a REQUEST is ACKed, NAKed ("ours") or
// ignored, and the text of option 56 in the NAK.

import type { SharedNetwork } from '../conf/scope-tree.js';
import { ABANDONED, ACTIVE, BACKUP, FREE, NO_SLOT } from './allocator.js';
import type { HostMatch } from './locate.js';
import { poolAdmits } from './locate.js';
import type { RequestFacts } from './request-facts.js';

export type FindKind = 'discover' | 'request' | 'bootp';

export interface Found {
  /** The lease chosen, NO_SLOT when none (see `fixed`). */
  slot: number;
  /** The client's fixed address on the network, when that is the answer. */
  fixed: HostMatch['fixed'];
  /** The address asked for is one of ours: a REQUEST that gets no lease is NAKed, not ignored. */
  ours: boolean;
  /** ISC's dhcp_message when this lookup set it (the NAK's option 56 text; ISC keeps it across packets). */
  message: string | undefined;
  /** A lease ISC reclaimed on the way (the client's leases its permits no longer allow). */
  released: number[];
  /** An abandoned address the client asked for, given back to it (ISC logs the reclaim). */
  reclaimedAbandoned: boolean;
}

export const MSG_INCORRECT = 'requested address is incorrect';
export const MSG_BAD_SUBNET = 'requested address on bad subnet';
export const MSG_NOT_AVAILABLE = 'requested address not available';

export function findLease(
  f: RequestFacts,
  share: SharedNetwork | undefined,
  kind: FindKind,
  host: HostMatch | undefined,
): Found {
  const { ctx, request, id } = f;
  const leases = ctx.leases;
  const out: Found = {
    slot: NO_SLOT,
    fixed: undefined,
    ours: false,
    message: undefined,
    released: [],
    reclaimedAbandoned: false,
  };
  const cip = request.ciaddr !== 0 ? request.ciaddr : f.requestedAddress;
  const uid = id.uid;
  const hw = id.hardware;
  const facts = { known: host !== undefined, bootp: kind === 'bootp', classes: f.classNames, now: ctx.now };
  const permitted = (slot: number): boolean => {
    const pool = leases.poolOfSlot(slot);
    // ISC's implicit pools: the one of plain ranges denies BOOTP clients, the dynamic-bootp one admits all.
    if (kind === 'bootp' && pool.implicit === true && !leases.inBootpRange(slot)) return false;
    return poolAdmits(pool, facts);
  };
  const onShare = (slot: number): boolean => leases.poolOfSlot(slot).sharedNetwork === share;
  const noCiaddr = request.ciaddr === 0;
  const release = (slot: number): void => {
    if (!out.released.includes(slot)) out.released.push(slot);
  };

  const fixed = host?.fixed;
  if (kind === 'request' && fixed !== undefined && fixed.address !== cip) {
    out.ours = true;
    out.message = MSG_INCORRECT;
    return out;
  }

  // ISC is built with failover, whose tests stay in even without a peer: a lease that is neither
  // active nor free (abandoned) is passed over (lease_mine_to_reallocate).
  const mine = (slot: number): boolean => {
    const st = leases.stateOf(slot);
    return st === ACTIVE || st === FREE || st === BACKUP;
  };
  let uidLease = NO_SLOT;
  for (const s of leases.uidSlots(uid)) {
    if (!mine(s)) continue;
    if (!onShare(s)) continue; // the same client identifier may hold a lease on another network
    if (!permitted(s)) {
      if (noCiaddr) release(s);
      continue;
    }
    uidLease = s;
    break;
  }

  let hwLease = NO_SLOT;
  for (const s of leases.hwSlots(hw)) {
    if (!mine(s)) continue;
    const st = leases.stateOf(s);
    // A lease that may still be in use by another client identifier on the same NIC is skipped.
    if (st !== FREE && st !== BACKUP && leases.hasUid(s) && !leases.uidIs(s, uid)) continue;
    if (!onShare(s)) continue;
    if (!permitted(s)) {
      if (noCiaddr) release(s);
      continue;
    }
    hwLease = s;
    break;
  }

  let ipLease = cip === undefined ? NO_SLOT : leases.slotOf(cip);
  if (ipLease !== NO_SLOT && leases.isFixed(ipLease)) ipLease = NO_SLOT;
  if (ipLease !== NO_SLOT) out.ours = true;
  if (ipLease !== NO_SLOT && !onShare(ipLease)) {
    out.message = MSG_BAD_SUBNET;
    ipLease = NO_SLOT;
  }
  if (ipLease !== NO_SLOT && !leases.belongsTo(ipLease, id)) {
    const st = leases.stateOf(ipLease);
    if (st !== FREE && st !== BACKUP) {
      // Held by another client: NAK only when it is actively theirs (else the peer may hold it).
      if (st !== ACTIVE) out.ours = false;
      ipLease = NO_SLOT;
    }
  }
  if (ipLease !== NO_SLOT && (uidLease !== NO_SLOT || hwLease !== NO_SLOT) && !mine(ipLease) && kind === 'discover') {
    ipLease = NO_SLOT;
  }
  if (ipLease !== NO_SLOT && leases.stateOf(ipLease) === ACTIVE && leases.hasUid(ipLease) && ipLease !== uidLease) {
    if (leases.uidIs(ipLease, uid)) {
      if (uidLease !== NO_SLOT && leases.stateOf(uidLease) === ACTIVE) {
        f.out.log.push(`client ${f.who.client} has duplicate leases on ${share?.name ?? ''}`);
        if (noCiaddr && kind === 'request' && onShare(uidLease)) release(uidLease);
      }
      if (uidLease !== NO_SLOT) uidLease = ipLease;
    }
    if (ipLease !== uidLease) ipLease = NO_SLOT;
  }
  if (hwLease !== NO_SLOT && hwLease === uidLease) hwLease = NO_SLOT;
  if (ipLease !== NO_SLOT && ipLease === hwLease) hwLease = NO_SLOT;
  if (ipLease !== NO_SLOT && ipLease === uidLease) uidLease = NO_SLOT;

  if (ipLease !== NO_SLOT && !permitted(ipLease)) {
    if (noCiaddr && leases.stateOf(ipLease) === ACTIVE) release(ipLease);
    ipLease = NO_SLOT;
  }
  if (uidLease !== NO_SLOT && !permitted(uidLease)) {
    if (noCiaddr) release(uidLease);
    uidLease = NO_SLOT;
  }
  if (hwLease !== NO_SLOT && !permitted(hwLease)) {
    if (noCiaddr) release(hwLease);
    hwLease = NO_SLOT;
  }
  if (ipLease === NO_SLOT) out.message = MSG_NOT_AVAILABLE;
  if (kind === 'request' && ipLease === NO_SLOT && fixed === undefined) return out;

  let lease = NO_SLOT;
  if (fixed !== undefined) {
    out.fixed = fixed;
    // The client has a fixed address here: ISC releases the dynamic lease it asked for.
    if (ipLease !== NO_SLOT && noCiaddr) release(ipLease);
  } else if (ipLease !== NO_SLOT) {
    lease = ipLease;
  }
  if (uidLease !== NO_SLOT && lease === NO_SLOT && fixed === undefined) lease = uidLease;
  else if (uidLease !== NO_SLOT && kind === 'request' && noCiaddr && leases.stateOf(uidLease) === ACTIVE) {
    f.out.log.push(`uid lease for client ${f.who.client} is duplicate on ${share?.name ?? ''}`);
    release(uidLease);
  }
  if (hwLease !== NO_SLOT && lease === NO_SLOT && fixed === undefined) {
    // A hardware match is taken when it has no client identifier, or the same one (a BOOTP client,
    // which sends none, may take a lease that has one).
    if (!leases.hasUid(hwLease) || (uid !== undefined ? leases.uidIs(hwLease, uid) : kind === 'bootp')) {
      lease = hwLease;
    }
  }
  if (lease !== NO_SLOT && leases.stateOf(lease) === ABANDONED) {
    if (lease === ipLease && kind === 'request') {
      out.reclaimedAbandoned = true;
    } else {
      out.ours = true;
      lease = NO_SLOT;
    }
  }
  out.slot = lease;
  return out;
}
