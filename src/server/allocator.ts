// The address state of every pool and ISC's allocation policy: free addresses in intrusive lists
// ordered by when they were last freed (least recently used first), abandoned addresses in their
// own lists, a heap of lease ends and offer holds. Choosing a free address is O(1) in the pool's
// size (O(pools of the network)); nothing is allocated per free address.
//
// The allocator is pure state: the engine decides, the allocator records; the daemon fills it from
// the lease file at start (loadAll) and writes every Lease record the engine hands back.
//
// Pools with a failover peer keep ISC's failover states and queues (failover-slots.ts, the class
// this one extends): there commit, release, abandon, expire and the loader take the failover
// hooks; everywhere else they run as before, at the cost of one `fo === undefined` test.

import type { BindingState, Lease, LeaseOption } from '../leases/lease.js';
import { effectiveBindingState } from '../leases/lease.js';
import { type LeaseFields, newLeaseFields } from '../leases/lease-text.js';
import type { LeaseHolder } from '../leases/store.js';
import { formatLease } from '../leases/writer.js';
import {
  ABANDONED,
  ACTIVE,
  BACKUP,
  EXPIRED,
  F_BOOTP_LEASE,
  F_BOOTP_RANGE,
  F_FIXED,
  F_NO_REUSE,
  F_OFFERED,
  F_RECORD,
  F_RESERVED,
  FREE,
  L_ABANDONED,
  L_FREE,
  L_FREE_BOOTP,
  type LeaseScope,
  NR_DEFAULT,
  RELEASED,
  RESET,
  STATE_NAMES,
} from './address-table.js';
import { parseBillingLine } from './billing.js';
import type { ClientIdentity, HardwareAddress } from './client-id.js';
import { type FailoverCommit, FailoverTable } from './failover-slots.js';
import { NO_SLOT } from './slot-lists.js';

export {
  ABANDONED,
  ACTIVE,
  BACKUP,
  EXPIRED,
  FREE,
  type LeaseScope,
  type PoolStats,
  RELEASED,
  RESET,
} from './address-table.js';
export type {
  ExpiryHook,
  FailoverCommit,
  FailoverFields,
  FailoverPolicy,
  FailoverQueue,
  FailoverSlotInfo,
  FailoverTimes,
  PeerUpdate,
  StateChange,
} from './failover-slots.js';
export { NO_SLOT } from './slot-lists.js';

/** An offer in memory: the address promised to a client until `until`. */
export interface HeldOffer {
  address: number;
  uid: Uint8Array | undefined;
  hardware: HardwareAddress;
  hostname: string | undefined;
  until: number;
}

export class Allocator extends FailoverTable {
  /**
   * ISC's dhcp_message: the text a NAK carries in option 56 is whatever the last lease lookup set
   * ("requested address not available" ...), kept from packet to packet as ISC keeps it.
   */
  nakMessage = '';

  /**
   * ISC allocate_lease over the given pools: each pool offers the head of its free queue (sorted by
   * when each address was freed or offered until), or, only when that queue is empty, its oldest
   * abandoned address; a head still offered to another client (its time in the future) makes the
   * pool pass. Among the pools' candidates: a free address no client was ever recorded on first,
   * then the one freed longest ago; an abandoned address only when no pool has a free one.
   * BOOTP clients: `range dynamic-bootp` addresses of ISC's implicit pools, any address of an
   * explicit pool. Departure: when every free address is held by an offer, the offer made longest
   * ago is reclaimed (ISC says "no free leases" for two minutes) — an offer is not a lease, and a
   * flood of DISCOVERs must not lock real clients out (README).
   */
  allocate(poolIndexes: readonly number[], bootp: boolean, now: number): number {
    let best = NO_SLOT;
    let bestAbandoned = false;
    let oldestOffer = NO_SLOT;
    for (const p of poolIndexes) {
      let cand = NO_SLOT;
      const first = bootp && this.pools[p]?.implicit === true ? L_FREE_BOOTP : L_FREE;
      for (let k = first; k <= L_FREE_BOOTP; k++) {
        this.steps++;
        const s = this.lists.head[p * 3 + k]!;
        if (s !== NO_SLOT && (cand === NO_SLOT || this.freedAt[s]! < this.freedAt[cand]!)) cand = s;
      }
      let abandoned = false;
      if (cand === NO_SLOT) {
        const s = this.lists.head[p * 3 + L_ABANDONED]!;
        if (s === NO_SLOT || (bootp && this.pools[p]?.implicit === true && !(this.flags[s]! & F_BOOTP_RANGE))) continue;
        cand = s;
        abandoned = true;
      } else if (this.freedAt[cand]! > now) {
        if (oldestOffer === NO_SLOT || this.freedAt[cand]! < this.freedAt[oldestOffer]!) oldestOffer = cand;
        continue;
      }
      if (best === NO_SLOT || this.preferred(cand, abandoned, best, bestAbandoned)) {
        best = cand;
        bestAbandoned = abandoned;
      }
    }
    if (oldestOffer !== NO_SLOT && (best === NO_SLOT || bestAbandoned)) return oldestOffer;
    return best;
  }

  /**
   * An offer (ISC ack_lease with DHCPOFFER, a soft promise kept in memory only): the address takes
   * the client's identity and host name and, when free, moves to the back of its free queue until
   * `until`, so no other client is offered it meanwhile. Nothing is written.
   */
  offer(slot: number, id: ClientIdentity, hostname: string | undefined, now: number, until: number): void {
    this.supersedeClient(slot, id.uid, id.hardware);
    this.setHostname(slot, hostname);
    this.starts[slot] = now;
    this.cltt[slot] = now;
    this.flags[slot]! |= F_OFFERED;
    this.offerUntil[slot] = until;
    this.heap.push(until, slot);
    const st = this.state[slot]!;
    if (st === ACTIVE || this.lists.listOf[slot] === NO_SLOT) return;
    this.freedAt[slot] = until;
    this.lists.insertSorted(this.lists.listOf[slot]!, slot, this.freedAt);
  }

  /** Offers still held at `now`, with their clients (a reload carries them into the new allocator). */
  *offersHeld(now: number): IterableIterator<HeldOffer> {
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (!this.isOffered(slot, now)) continue;
      const hardware = this.clients.hwOf(slot);
      if (hardware === undefined) continue;
      yield {
        address: this.address[slot]!,
        uid: this.clients.uidOf(slot),
        hardware,
        hostname: this.clients.hostnameOf(slot),
        until: this.offerUntil[slot]!,
      };
    }
  }

  /** A lease answered unchanged (reuse): ISC still sets its client transaction time, in memory. */
  touch(slot: number, now: number): void {
    this.cltt[slot] = now;
  }

  /** ISC's cannot_reuse: an offer that was not a reuse disqualifies the REQUEST that follows. */
  setReusable(slot: number, reusable: boolean): void {
    if (reusable) this.flags[slot]! &= ~F_NO_REUSE;
    else this.flags[slot]! |= F_NO_REUSE;
  }

  /**
   * Makes the lease active for the client until `ends` and returns the record to write. In a
   * failover pool `failover` gives the tstp (and cltt) ISC's ack_lease records (foCommitted).
   */
  commit(
    slot: number,
    id: ClientIdentity,
    hostname: string | undefined,
    now: number,
    ends: number,
    bootp: boolean,
    agent?: LeaseOption[],
    failover?: FailoverCommit,
  ): Lease {
    // ISC: a commit keeps the agent options the active lease had unless the request brings new ones.
    if (agent !== undefined) this.agent.set(slot, agent);
    else if (this.state[slot] !== ACTIVE && this.agent.size > 0) this.agent.delete(slot);
    this.lists.unlink(slot);
    this.written(slot);
    this.supersedeClient(slot, id.uid, id.hardware);
    this.setHostname(slot, hostname);
    this.state[slot] = ACTIVE;
    this.flags[slot] = (this.flags[slot]! & ~(F_OFFERED | F_BOOTP_LEASE | F_NO_REUSE)) | (bootp ? F_BOOTP_LEASE : 0);
    this.starts[slot] = now;
    this.cltt[slot] = now;
    this.ends[slot] = ends;
    if (Number.isFinite(ends)) this.heap.push(ends, slot);
    if (this.fo !== undefined) this.foCommitted(slot, ends, failover);
    return this.record(slot);
  }

  /**
   * OMAPI's `set ends` (ISC dhcp_lease_set_value then supersede_lease): the lease now ends at `ends`; an
   * active one that ends by now is expired by the next expire(). Returns the record to write.
   */
  setEnds(slot: number, ends: number): Lease {
    this.written(slot);
    this.ends[slot] = ends;
    if (this.state[slot] === ACTIVE && Number.isFinite(ends)) this.heap.push(ends, slot);
    return this.record(slot);
  }

  /**
   * RELEASE (and one-lease-per-client): free now, keep the client so it gets the address back. In
   * a failover pool: RELEASED until the partner acks (foRelease).
   */
  release(slot: number, now: number): Lease {
    if (this.fo !== undefined && this.fo.inPool[this.poolOf[slot]!] === 1) return this.foRelease(slot, now);
    this.written(slot);
    if (this.scopes.size > 0) this.scopes.delete(slot);
    this.toFree(slot, now);
    this.ends[slot] = now;
    return this.record(slot);
  }

  /** DECLINE, or a ping answered: the address is in use by someone else (ISC abandon_lease). */
  abandon(slot: number, now: number, abandonTime: number): Lease {
    if (this.fo !== undefined && this.fo.inPool[this.poolOf[slot]!] === 1)
      return this.foAbandon(slot, now, abandonTime);
    this.written(slot);
    // ISC abandon_lease forgets the client's identity; the host name goes only with an active binding.
    this.setClient(slot, undefined, undefined);
    if (this.state[slot] === ACTIVE) this.setHostname(slot, undefined);
    if (this.agent.size > 0) this.agent.delete(slot);
    // ... and its bindings and billing.
    if (this.scopes.size > 0) this.scopes.delete(slot);
    this.billing.unbill(slot);
    this.state[slot] = ABANDONED;
    this.flags[slot]! &= ~F_OFFERED;
    this.ends[slot] = now + abandonTime;
    this.freedAt[slot] = now + abandonTime;
    this.lists.insertSorted(this.poolOf[slot]! * 3 + L_ABANDONED, slot, this.freedAt);
    return this.record(slot);
  }

  /**
   * Lapses offers and ends leases due by `now`; returns the records of the leases that expired. In
   * a failover pool an ended lease becomes EXPIRED, and in partner-down expired leases become free
   * in their time (foExpire, foSweep).
   */
  expire(now: number, ended?: (slot: number, scope: LeaseScope) => void): Lease[] {
    const out: Lease[] = [];
    while (this.heap.peekTime() <= now) {
      const slot = this.heap.pop();
      const f = this.flags[slot]!;
      // A lapsed offer stays in its free queue where the offer put it (ISC: sorted by its end).
      if (f & F_OFFERED && this.offerUntil[slot]! <= now) this.flags[slot] = f & ~F_OFFERED;
      if (this.state[slot] === ACTIVE && this.ends[slot]! <= now && !(this.flags[slot]! & F_OFFERED)) {
        if (this.fo !== undefined && this.fo.inPool[this.poolOf[slot]!] === 1) {
          this.foExpire(slot, out, ended);
          continue;
        }
        const scope = ended !== undefined && this.scopes.size > 0 ? this.scopes.get(slot) : undefined;
        if (scope !== undefined) ended!(slot, scope);
        this.written(slot);
        this.toFree(slot, this.ends[slot]!);
        out.push(this.record(slot));
      } else if (this.fo !== undefined) this.foSweep(slot, now, out, ended);
    }
    return out;
  }

  /** Fills the allocator from lease file records (last record of an address wins). */
  loadAll(leases: Iterable<Lease>, now: number): void {
    const load = this.beginLoad(now);
    for (const lease of leases) load.take(lease);
    load.finish();
  }

  /**
   * Loading one lease at a time, as the file is read (the daemon streams the records of
   * dhcpd.leases in; no Lease is kept): `take` says whether this allocator holds the lease's
   * address (in a pool, not a host's fixed address). `finish` puts the free addresses loaded
   * back in least-recently-used order.
   */
  beginLoad(now: number): {
    take: (lease: Lease) => boolean;
    takeFields: (f: LeaseFields) => boolean;
    finish: () => void;
    count: () => number;
  } {
    // Addresses in the order first loaded (a later record of an address replaces the state, not
    // the order), marked so each is listed once.
    const seen = new Uint8Array(this.slotCount);
    let touched = new Int32Array(1024);
    let n = 0;
    const slotFor = (address: number): number => {
      const slot = this.slotOf(address);
      if (slot === NO_SLOT || this.flags[slot]! & F_FIXED) return NO_SLOT;
      this.lists.unlink(slot);
      this.flags[slot]! &= ~F_OFFERED;
      if (seen[slot] === 0) {
        seen[slot] = 1;
        if (n === touched.length) {
          const grown = new Int32Array(n * 2);
          grown.set(touched);
          touched = grown;
        }
        touched[n++] = slot;
      }
      return slot;
    };
    const take = (lease: Lease): boolean => {
      const slot = slotFor(lease.address);
      if (slot === NO_SLOT) return false;
      this.apply(slot, lease, now);
      return true;
    };
    // A canonical block (binding state named, free/active/abandoned/backup, no fields the arrays
    // do not keep): what apply() does for its Lease, straight from the fields.
    const takeFields = (f: LeaseFields): boolean => {
      const slot = slotFor(f.address);
      if (slot === NO_SLOT) return false;
      if (this.agent.size > 0) this.agent.delete(slot);
      if (this.scopes.size > 0) this.scopes.delete(slot);
      this.state[slot] = f.state;
      this.starts[slot] = f.starts;
      this.ends[slot] = f.ends;
      this.cltt[slot] = f.cltt;
      this.freedAt[slot] = f.ends;
      let fl = this.flags[slot]! | F_RECORD;
      fl = f.bootp ? fl | F_BOOTP_LEASE : fl & ~F_BOOTP_LEASE;
      fl = f.reserved ? fl | F_RESERVED : fl & ~F_RESERVED;
      this.flags[slot] = fl;
      this.clients.setSpans(slot, f.bytes, f.uidOff, f.uidLen, f.hwType, f.hwOff, f.hwLen);
      this.clients.setHostnameSpan(slot, f.bytes, f.nameOff, f.nameLen);
      if (f.state === ACTIVE && Number.isFinite(f.ends)) this.heap.push(f.ends, slot);
      this.nextRewind[slot] = ((f.next + 1) << 4) | (f.rewind + 1);
      if (this.exact.size > 0) this.exact.delete(slot);
      if (this.fo !== undefined) this.foLoadFields(slot, f);
      return true;
    };
    const finish = (): void => {
      const free: number[] = [];
      for (let k = 0; k < n; k++) {
        const s = touched[k]!;
        if (this.lists.listOf[s] === NO_SLOT && this.state[s] !== ACTIVE) free.push(s);
      }
      // Stable: addresses freed at the same time keep the order they were loaded in.
      free.sort((a, b) => this.freedAt[a]! - this.freedAt[b]!);
      for (const s of free) this.reinsert(s);
    };
    return { take, takeFields, finish, count: () => n };
  }

  /**
   * This allocator as the lease store's LeaseHolder (daemon start-up): the journal streams the
   * file's leases into it and rewrites them from it, keeping no copy. `now` decides the binding
   * state of leases whose record names none.
   */
  leaseHolder(now: number): LeaseHolder {
    const load = this.beginLoad(now);
    const fields = newLeaseFields();
    return {
      take: load.take,
      takeFields: load.takeFields,
      holds: (address) => this.holds(address),
      finish: () => {
        load.finish();
        return load.count();
      },
      records: () => this.recordedLeases(),
      writeText: (out, cursor, reserve, opts) => {
        const plainOpts = (opts.timeFormat ?? 'default') === 'default' && (opts.leaseIdFormat ?? 'octal') === 'octal';
        for (let slot = cursor; slot < this.slotCount; slot++) {
          if (!(this.flags[slot]! & F_RECORD)) continue;
          if (out.room < reserve) return slot;
          if (plainOpts && this.fieldsOf(slot, fields)) out.lease(fields);
          else out.text(formatLease(this.record(slot), opts));
        }
        return -1;
      },
    };
  }

  /** The record of every address that has one in the lease file (loaded, or written since). */
  *recordedLeases(): IterableIterator<Lease> {
    for (let slot = 0; slot < this.slotCount; slot++) if (this.flags[slot]! & F_RECORD) yield this.record(slot);
  }

  /** record(slot) as LeaseFields for LeaseTextBuffer; false when only formatLease can write it. */
  private fieldsOf(slot: number, f: LeaseFields): boolean {
    if (this.exact.size > 0 && this.exact.has(slot)) return false;
    // LeaseFields has no failover times: formatLease writes those records.
    if (this.fo !== undefined && this.fo.inPool[this.poolOf[slot]!] === 1) return false;
    if (this.agent.size > 0 && this.agent.has(slot)) return false;
    if (this.scopes.size > 0 && this.scopes.get(slot)?.variables !== undefined) return false;
    if (!this.clients.spans(slot, f)) return false;
    const st = this.state[slot]!;
    f.address = this.address[slot]!;
    f.starts = this.starts[slot]!;
    f.ends = this.ends[slot]!;
    f.cltt = this.cltt[slot]!;
    f.state = st;
    const nr = this.nextRewind[slot]!;
    if (nr === NR_DEFAULT) {
      f.next = st === ACTIVE ? FREE : -1;
      f.rewind = -1;
    } else {
      f.next = (nr >> 4) - 1;
      f.rewind = (nr & 15) - 1;
    }
    const flags = this.flags[slot]!;
    f.reserved = (flags & F_RESERVED) !== 0;
    f.bootp = (flags & F_BOOTP_LEASE) !== 0;
    return true;
  }

  /** Whether the lease file records of this address are this allocator's (loadAll takes them). */
  holds(address: number): boolean {
    const slot = this.slotOf(address);
    return slot !== NO_SLOT && !(this.flags[slot]! & F_FIXED);
  }

  /**
   * A loaded lease into its slot. In a failover pool every binding state is kept as it is (ISC),
   * with the failover times; elsewhere expired, released and reset are free.
   */
  private apply(slot: number, lease: Lease, now: number): void {
    const fo = this.fo !== undefined && this.fo.inPool[this.poolOf[slot]!] === 1;
    const st = STATE_NAMES.indexOf(effectiveBindingState(lease, now, fo));
    this.state[slot] = st < 0 ? FREE : !fo && (st === RESET || st === EXPIRED || st === RELEASED) ? FREE : st;
    this.starts[slot] = lease.starts ?? 0;
    this.ends[slot] = lease.ends ?? 0;
    this.cltt[slot] = lease.cltt ?? 0;
    // ISC's sort_time: the end (a plain pool's loader has always taken tstp first).
    this.freedAt[slot] = fo ? (lease.ends ?? 0) : (lease.tstp ?? lease.ends ?? 0);
    let f = this.flags[slot]! | F_RECORD;
    f = lease.bootp ? f | F_BOOTP_LEASE : f & ~F_BOOTP_LEASE;
    f = lease.reserved ? f | F_RESERVED : f & ~F_RESERVED;
    this.flags[slot] = f;
    this.setClient(slot, lease.uid, lease.hardware);
    this.setHostname(slot, lease.clientHostname);
    if (lease.agentOptions !== undefined && lease.agentOptions.length > 0) this.agent.set(slot, lease.agentOptions);
    else if (this.agent.size > 0) this.agent.delete(slot);
    if (lease.variables !== undefined && lease.variables.length > 0)
      this.scopes.set(slot, { variables: lease.variables });
    else if (this.scopes.size > 0) this.scopes.delete(slot);
    this.rebill(slot, lease);
    if (this.state[slot] === ACTIVE && Number.isFinite(this.ends[slot]!)) this.heap.push(this.ends[slot]!, slot);
    if (fo) this.foLoad(slot, lease, now);
    // The record is rewritten from the typed arrays when they say all it says, else kept whole.
    if (isPlain(lease, fo)) {
      this.nextRewind[slot] = (stateCode(lease.nextBindingState) << 4) | stateCode(lease.rewindBindingState);
      if (this.exact.size > 0) this.exact.delete(slot);
    } else {
      this.nextRewind[slot] = NR_DEFAULT;
      this.exact.set(slot, lease);
    }
  }

  /**
   * A loaded lease's `billing class|subclass` line bills it again while it is not available for
   * allocation (ISC enter_lease: active, expired, released, reset), within the class's limit.
   */
  private rebill(slot: number, lease: Lease): void {
    this.billing.unbill(slot);
    if (lease.opaque === undefined) return;
    const st = lease.bindingState;
    if (st !== 'active' && st !== 'expired' && st !== 'released' && st !== 'reset') return;
    for (const line of lease.opaque) {
      const c = parseBillingLine(line);
      const limit = c === undefined ? undefined : this.classes.get(c.name)?.decl.leaseLimit;
      if (c !== undefined && limit !== undefined && limit > 0) this.billing.bill(slot, c, limit);
    }
  }

  /** Active to free (release, expiry): ISC drops the host name with the binding. */
  private toFree(slot: number, freedAt: number): void {
    this.setHostname(slot, undefined);
    if (this.agent.size > 0) this.agent.delete(slot);
    // ISC drops the lease's billing with the binding; its bindings go on release (release() drops them)
    // but stay through an expiry, until the lease is offered again.
    this.billing.unbill(slot);
    this.state[slot] = FREE;
    this.flags[slot]! &= ~(F_OFFERED | F_BOOTP_LEASE);
    this.freedAt[slot] = freedAt;
    if (!(this.flags[slot]! & F_RESERVED)) this.lists.insertSorted(this.freeListOf(slot), slot, this.freedAt);
  }

  /** Puts a loaded free or abandoned address at the back of its list (loaded in order of freedAt). */
  private reinsert(slot: number): void {
    if (this.fo !== undefined && this.fo.inPool[this.poolOf[slot]!] === 1) {
      this.foReinsert(slot);
      return;
    }
    const st = this.state[slot]!;
    if (st === BACKUP || this.flags[slot]! & F_RESERVED) return;
    if (st === ABANDONED) this.lists.append(this.poolOf[slot]! * 3 + L_ABANDONED, slot);
    else this.lists.append(this.freeListOf(slot), slot);
  }
}

/** 0 for none, else the STATE_NAMES index + 1 (nextRewind's 4-bit codes). */
function stateCode(s: BindingState | undefined): number {
  return s === undefined ? 0 : STATE_NAMES.indexOf(s) + 1;
}

/**
 * Whether the allocator's arrays reproduce this lease's record exactly (record() gives the same
 * text): a binding state it keeps as written, no failover times (in a failover pool: any named
 * state, positive failover times), no fields it does not keep, times it writes back (positive),
 * octets it keeps.
 */
function isPlain(l: Lease, failover: boolean): boolean {
  const st = l.bindingState;
  if (failover) {
    if (st === undefined) return false;
    if ((l.tstp !== undefined && !(l.tstp > 0)) || (l.tsfp !== undefined && !(l.tsfp > 0))) return false;
    if (l.atsfp !== undefined && !(l.atsfp > 0)) return false;
  } else {
    if (st !== 'free' && st !== 'active' && st !== 'abandoned' && st !== 'backup') return false;
    if (l.tstp !== undefined || l.tsfp !== undefined || l.atsfp !== undefined) return false;
  }
  if ((l.starts !== undefined && !(l.starts > 0)) || (l.ends !== undefined && !(l.ends > 0))) return false;
  if (l.cltt !== undefined && !(l.cltt > 0)) return false;
  if ((l.variables?.length ?? 0) > 0) return false;
  if ((l.onStatements?.length ?? 0) > 0 || (l.opaque?.length ?? 0) > 0) return false;
  if (l.hardware !== undefined && (l.hardware.address.length === 0 || l.hardware.address.length > 0xffff)) return false;
  if (l.hardware !== undefined && (l.hardware.type < 0 || l.hardware.type > 0xffff)) return false;
  if (l.uid !== undefined && l.uid.length > 0xffff) return false;
  if (l.clientHostname !== undefined && l.clientHostname.length > 0xffff) return false;
  return true;
}
