// The address state of every pool and ISC's allocation policy: free addresses in intrusive lists
// ordered by when they were last freed (least recently used first), abandoned addresses in their
// own lists, a heap of lease ends and offer holds. Choosing a free address is O(1) in the pool's
// size (O(pools of the network)); nothing is allocated per free address.
//
// The allocator is pure state: the engine decides, the allocator records; the daemon fills it from
// the lease file at start (loadAll) and writes every Lease record the engine hands back.

import type { Lease } from '../leases/lease.js';
import { effectiveBindingState } from '../leases/lease.js';
import {
  ABANDONED,
  ACTIVE,
  AddressTable,
  BACKUP,
  EXPIRED,
  F_BOOTP_LEASE,
  F_BOOTP_RANGE,
  F_FIXED,
  F_OFFERED,
  F_RESERVED,
  FREE,
  L_ABANDONED,
  L_FREE,
  L_FREE_BOOTP,
  RELEASED,
  RESET,
  STATE_NAMES,
} from './address-table.js';
import type { ClientIdentity } from './client-id.js';
import { NO_SLOT } from './slot-lists.js';

export { ABANDONED, ACTIVE, BACKUP, EXPIRED, FREE, type PoolStats, RELEASED, RESET } from './address-table.js';
export { NO_SLOT } from './slot-lists.js';

export class Allocator extends AddressTable {
  /**
   * The free address unused the longest among the given pools (BOOTP clients: dynamic-bootp ranges
   * only); an abandoned address, oldest first, only when none of them has a free one.
   */
  allocate(poolIndexes: readonly number[], bootp: boolean): number {
    let best = NO_SLOT;
    for (const p of poolIndexes) {
      for (let k = bootp ? L_FREE_BOOTP : L_FREE; k <= L_FREE_BOOTP; k++) {
        this.steps++;
        const s = this.lists.head[p * 3 + k]!;
        if (s !== NO_SLOT && (best === NO_SLOT || this.freedAt[s]! < this.freedAt[best]!)) best = s;
      }
    }
    if (best !== NO_SLOT) return best;
    for (const p of poolIndexes) {
      this.steps++;
      const s = this.lists.head[p * 3 + L_ABANDONED]!;
      if (s === NO_SLOT || (bootp && !(this.flags[s]! & F_BOOTP_RANGE))) continue;
      if (best === NO_SLOT || this.freedAt[s]! < this.freedAt[best]!) best = s;
    }
    return best;
  }

  /** Reserves an address for an offer until `until` (ISC: two minutes), recording the client. */
  offer(slot: number, id: ClientIdentity, hostname: string | undefined, until: number): void {
    if (this.state[slot] === ACTIVE && this.belongsTo(slot, id)) return; // its own lease: nothing to hold
    this.lists.unlink(slot);
    this.setClient(slot, id.uid, id.hardware);
    if (hostname !== undefined) this.hostname[slot] = hostname;
    this.flags[slot]! |= F_OFFERED;
    this.offerUntil[slot] = until;
    this.heap.push(until, slot);
  }

  /** The client took another server's offer: the address goes back to the free list now. */
  cancelOffer(slot: number): void {
    if (!(this.flags[slot]! & F_OFFERED)) return;
    this.flags[slot]! &= ~F_OFFERED;
    if (this.state[slot] !== ACTIVE) this.reinsert(slot);
  }

  /** Makes the lease active for the client until `ends` and returns the record to write. */
  commit(
    slot: number,
    id: ClientIdentity,
    hostname: string | undefined,
    now: number,
    ends: number,
    bootp: boolean,
  ): Lease {
    this.lists.unlink(slot);
    this.setClient(slot, id.uid, id.hardware);
    if (hostname !== undefined) this.hostname[slot] = hostname;
    this.state[slot] = ACTIVE;
    this.flags[slot] = (this.flags[slot]! & ~(F_OFFERED | F_BOOTP_LEASE)) | (bootp ? F_BOOTP_LEASE : 0);
    this.starts[slot] = now;
    this.cltt[slot] = now;
    this.ends[slot] = ends;
    if (Number.isFinite(ends)) this.heap.push(ends, slot);
    return this.record(slot);
  }

  /** RELEASE (and one-lease-per-client): free now, keep the client so it gets the address back. */
  release(slot: number, now: number): Lease {
    this.toFree(slot, now);
    this.ends[slot] = now;
    return this.record(slot);
  }

  /** DECLINE: the address is in use by someone else; forget the client (as ISC abandon_lease). */
  abandon(slot: number, now: number, abandonTime: number): Lease {
    this.setClient(slot, undefined, undefined);
    this.hostname[slot] = undefined;
    this.state[slot] = ABANDONED;
    this.flags[slot]! &= ~F_OFFERED;
    this.ends[slot] = now + abandonTime;
    this.freedAt[slot] = now;
    this.lists.append(this.poolOf[slot]! * 3 + L_ABANDONED, slot);
    return this.record(slot);
  }

  /** Lapses offers and ends leases due by `now`; returns the records of the leases that expired. */
  expire(now: number): Lease[] {
    const out: Lease[] = [];
    let lapsed: number[] | undefined;
    while (this.heap.peekTime() <= now) {
      const slot = this.heap.pop();
      const f = this.flags[slot]!;
      if (f & F_OFFERED && this.offerUntil[slot]! <= now) {
        this.flags[slot] = f & ~F_OFFERED;
        if (this.state[slot] !== ACTIVE) {
          lapsed ??= [];
          lapsed.push(slot);
        }
      }
      if (this.state[slot] === ACTIVE && this.ends[slot]! <= now && !(this.flags[slot]! & F_OFFERED)) {
        this.toFree(slot, this.ends[slot]!);
        out.push(this.record(slot));
      }
    }
    if (lapsed !== undefined) this.reinsertAll(lapsed);
    return out;
  }

  /** Lapsed offers go back in their original order: sorted, front-goers prepended last-first. */
  private reinsertAll(slots: number[]): void {
    slots.sort((a, b) => this.freedAt[a]! - this.freedAt[b]! || a - b);
    const front = slots.map((s) => this.goesToFront(s));
    for (let i = slots.length - 1; i >= 0; i--) if (front[i]) this.reinsert(slots[i]!, 'front');
    for (let i = 0; i < slots.length; i++) if (!front[i]) this.reinsert(slots[i]!, 'back');
  }

  private goesToFront(slot: number): boolean {
    const head = this.lists.head[this.freeListOf(slot)]!;
    return head === NO_SLOT || this.freedAt[slot]! <= this.freedAt[head]!;
  }

  /** Fills the allocator from lease file records (last record of an address wins). */
  loadAll(leases: Iterable<Lease>, now: number): void {
    const touched: number[] = [];
    for (const lease of leases) {
      const slot = this.slotOf(lease.address);
      if (slot === NO_SLOT || this.flags[slot]! & F_FIXED) continue;
      this.lists.unlink(slot);
      this.flags[slot]! &= ~F_OFFERED;
      this.apply(slot, lease, now);
      touched.push(slot);
    }
    // Free addresses go back in LRU order: never-used ones are already at the head.
    const free = [...new Set(touched)].filter((s) => this.lists.listOf[s] === NO_SLOT && this.state[s] !== ACTIVE);
    free.sort((a, b) => this.freedAt[a]! - this.freedAt[b]!);
    for (const s of free) this.reinsert(s, 'back');
  }

  private apply(slot: number, lease: Lease, now: number): void {
    const st = STATE_NAMES.indexOf(effectiveBindingState(lease, now));
    this.state[slot] = st < 0 ? FREE : st === RESET || st === EXPIRED || st === RELEASED ? FREE : st;
    this.starts[slot] = lease.starts ?? 0;
    this.ends[slot] = lease.ends ?? 0;
    this.cltt[slot] = lease.cltt ?? 0;
    this.freedAt[slot] = lease.tstp ?? lease.ends ?? 0;
    if (lease.bootp) this.flags[slot]! |= F_BOOTP_LEASE;
    else this.flags[slot]! &= ~F_BOOTP_LEASE;
    if (lease.reserved) this.flags[slot]! |= F_RESERVED;
    else this.flags[slot]! &= ~F_RESERVED;
    this.setClient(slot, lease.uid, lease.hardware);
    this.hostname[slot] = lease.clientHostname;
    if (this.state[slot] === ACTIVE && Number.isFinite(this.ends[slot]!)) this.heap.push(this.ends[slot]!, slot);
  }

  private toFree(slot: number, freedAt: number): void {
    this.state[slot] = FREE;
    this.flags[slot]! &= ~(F_OFFERED | F_BOOTP_LEASE);
    this.freedAt[slot] = freedAt;
    if (!(this.flags[slot]! & F_RESERVED)) this.lists.append(this.freeListOf(slot), slot);
  }

  /**
   * Puts a lapsed offer (or a loaded free lease) back in its list. Addresses freed no later than the
   * list's head go to the front, others to the back: the order stays (nearly) least recently used
   * without an O(n) sorted insert.
   */
  private reinsert(slot: number, where: 'front' | 'back' | 'auto' = 'auto'): void {
    const st = this.state[slot]!;
    if (st === BACKUP || this.flags[slot]! & F_RESERVED) return;
    if (st === ABANDONED) {
      this.lists.append(this.poolOf[slot]! * 3 + L_ABANDONED, slot);
      return;
    }
    const list = this.freeListOf(slot);
    if (where === 'front' || (where === 'auto' && this.goesToFront(slot))) this.lists.prepend(list, slot);
    else this.lists.append(list, slot);
  }
}
