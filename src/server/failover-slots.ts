// The failover pools' side of the address table, as ISC dhcpd 4.4.3 keeps it (built with
// FAILOVER_PROTOCOL): per slot the tstp, tsfp and atsfp times and the next and rewind binding
// states; per pool a BACKUP queue and an EXPIRED queue (expired, released and reset leases) beside
// the free and abandoned ones; and ISC's rules for moving a lease between them (server/mdb.c
// supersede_lease, make_binding_state_transition, lease_enqueue, pool_timer, release_lease,
// abandon_lease; server/dhcp.c allocate_lease; server/failover.c lease_mine_to_reallocate).
//
// Nothing here is allocated and nothing runs unless a pool names a failover peer: the plain pools'
// paths in allocator.ts only test `fo === undefined` (or the slot's pool flag).
//
// What stays with the caller (src/failover and its integration): the protocol and the state
// machine. It tells this table what they decided - the state a BNDUPD or a BNDACK moves a lease
// to, the times to record, and, per peer, the conditions pool_timer and release_lease read
// (setFailoverPolicy) - and reads back what a BNDUPD carries (failoverSlotInfo). In a failover
// pool an expiry stops at EXPIRED and a release at RELEASED: those leases wait on the expired
// queue, off the free queue, until the caller moves them on (setState, after the partner's ack).
//
// Queue order is ISC's lease_insert (Debian's dhcpd is built without binary leases): ascending
// sort_time - the lease's end; max(tsfp, ends) on the expired queue in partner-down - a lease
// queued at run time going before those with the same time. Loaded leases keep the order they
// were read in among equal times (lease_insert's start-up shortcut does the same).

import type { Pool, ScopeTree } from '../conf/scope-tree.js';
import { type BindingState, effectiveNextBindingState, type HardwareAddress, type Lease } from '../leases/lease.js';
import type { LeaseFields } from '../leases/lease-text.js';
import {
  ABANDONED,
  ACTIVE,
  AddressTable,
  BACKUP,
  EXPIRED,
  F_BOOTP_LEASE,
  F_FIXED,
  F_OFFERED,
  F_RESERVED,
  FREE,
  L_ABANDONED,
  L_FREE,
  L_FREE_BOOTP,
  type LeaseScope,
  RELEASED,
  RESET,
  STATE_NAMES,
} from './address-table.js';
import { NO_SLOT, type SlotLists } from './slot-lists.js';

/** `bits`: the slot's tstp is ISC's default (its end, the file had no tstp) and is not written until the slot changes. */
const B_TSTP_IMPLIED = 1;

/** Runs a lease's `on expiry` body when it becomes free (as Allocator.expire's callback). */
export type ExpiryHook = (slot: number, scope: LeaseScope) => void;

/** What a BNDUPD says about a lease (ISC dhcp_failover_send_bind_update). Times: 0 = none. */
export interface FailoverSlotInfo {
  address: number;
  state: BindingState;
  /** ISC's next_binding_state: where the lease goes when its time comes (or the partner acks). */
  nextState: BindingState;
  /** ISC's rewind_binding_state: the state the partner last acknowledged. */
  rewindState: BindingState;
  starts: number;
  ends: number;
  /** Time sent to the partner (the potential expiry this server asks for). */
  tstp: number;
  /** Time the partner acknowledged (its potential expiry). */
  tsfp: number;
  /** The tsfp of the last ack since the lease last changed (0 after a change that is to be sent). */
  atsfp: number;
  cltt: number;
  hardware: HardwareAddress | undefined;
  uid: Uint8Array | undefined;
  hostname: string | undefined;
  reserved: boolean;
  bootp: boolean;
}

/** A partner's BNDUPD as it is to be installed (dhcp_failover_process_bind_update's `lt`). */
export interface PeerUpdate {
  /**
   * The state the lease moves to: the caller's choice after its transition check (ISC maps a
   * partner's EXPIRED, RELEASED and RESET to FREE, or to BACKUP for MAC affinity).
   */
  state: BindingState;
  starts?: number;
  ends?: number;
  tstp?: number;
  tsfp?: number;
  atsfp?: number;
  cltt?: number;
  /** Absent: kept; null: none (a BNDUPD to ABANDONED clears it). */
  hardware?: HardwareAddress | null;
  /** Absent: kept; null: none (ISC drops it when the update has none, except to FREE/BACKUP/RESET). */
  uid?: Uint8Array | null;
  reserved?: boolean;
  bootp?: boolean;
  /** The rewind state (ISC: an accepted update is the partner's state, so the default is `state`). */
  rewind?: BindingState;
  ended?: ExpiryHook;
}

export interface FailoverTimes {
  tstp?: number;
  tsfp?: number;
  atsfp?: number;
}

/** setFailoverTimes's fields: ISC sets these in place, without moving the lease between queues. */
export interface FailoverFields extends FailoverTimes {
  /** dhcp_failover_send_bind_update steps the rewind state up to the binding state as it sends. */
  rewind?: BindingState;
}

/** setState's extras: the fields ISC's callers set on the lease just before supersede_lease. */
export interface StateChange extends FailoverTimes {
  starts?: number;
  /** supersede_lease's `propogate`: the change is to go to the partner, so the last ack (atsfp) is void. */
  propagate?: boolean;
  rewind?: BindingState;
  /** scrub_lease: the client-hostname goes (pool balancing gives the lease away). */
  scrub?: boolean;
  ended?: ExpiryHook;
}

/** A failover commit's extras (ISC ack_lease with a failover peer). */
export interface FailoverCommit {
  /** The potential expiry to send the partner (ISC: now + lease time + half the granted time); default `ends`. */
  tstp?: number;
  /** Default: now. */
  cltt?: number;
}

/** The state machine's conditions that ISC's timers and release read, per peer (all off by default). */
export interface FailoverPolicy {
  /** pool_timer: the secondary in NORMAL leaves ending ACTIVE leases to the primary (held until this is off). */
  holdActive?: boolean;
  /**
   * Not cooperating: a lease whose rewind state is this one (the primary's free, the secondary's
   * backup) goes back to it when it ends or is released, instead of to EXPIRED / RELEASED.
   */
  rewindTo?: 'free' | 'backup';
  /**
   * supersede_lease: cooperating or not responding, a committed change (expiry, release, abandon;
   * not an ACK, see foCommitted) steps the rewind state up to the new state.
   */
  stepRewind?: boolean;
  /** PARTNER-DOWN, entered at `stos`: expired leases may be freed from stos + mclt (and their end). */
  partnerDown?: { stos: number; mclt: number };
}

export type FailoverQueue = 'free' | 'backup' | 'expired' | 'abandoned';

/** The failover pools' arrays (one entry per slot; the policy fields per pool). */
export class FailoverData {
  readonly tstp: Float64Array;
  readonly tsfp: Float64Array;
  readonly atsfp: Float64Array;
  /** STATE_NAMES indexes, ISC's in-memory values (the file's, or the binding state where it names none). */
  readonly next: Uint8Array;
  readonly rewind: Uint8Array;
  readonly bits: Uint8Array;
  /** 1 for each pool with a failover peer. */
  readonly inPool: Uint8Array;
  readonly peerOf: readonly (string | undefined)[];
  /** Each pool's slot spans, [start, end) pairs. */
  readonly spans: number[][];
  readonly hold: Uint8Array;
  /** 0 none, else the STATE_NAMES index + 1. */
  readonly rewindTo: Uint8Array;
  readonly stepRewind: Uint8Array;
  readonly partnerDown: ({ stos: number; mclt: number } | undefined)[];
  /** Active leases whose expiry a hold deferred. */
  held: number[] = [];
  private readonly listBase: number;

  constructor(pools: readonly Pool[], slotCount: number) {
    this.tstp = new Float64Array(slotCount);
    this.tsfp = new Float64Array(slotCount);
    this.atsfp = new Float64Array(slotCount);
    this.next = new Uint8Array(slotCount);
    this.rewind = new Uint8Array(slotCount);
    this.bits = new Uint8Array(slotCount);
    this.inPool = Uint8Array.from(pools, (p) => (p.failoverPeer === undefined ? 0 : 1));
    this.peerOf = pools.map((p) => p.failoverPeer);
    this.spans = pools.map(() => []);
    this.hold = new Uint8Array(pools.length);
    this.rewindTo = new Uint8Array(pools.length);
    this.stepRewind = new Uint8Array(pools.length);
    this.partnerDown = pools.map(() => undefined);
    this.listBase = pools.length * 3;
  }

  backupList(pool: number): number {
    return this.listBase + 2 * pool;
  }

  expiredList(pool: number): number {
    return this.listBase + 2 * pool + 1;
  }

  /** The failover fields of a record (write_lease writes a time when it is not 0, a state when it differs). */
  describe(slot: number, st: number, lease: Lease): void {
    const tstp = this.tstp[slot]!;
    if (tstp > 0 && !(this.bits[slot]! & B_TSTP_IMPLIED)) lease.tstp = tstp;
    if (this.tsfp[slot]! > 0) lease.tsfp = this.tsfp[slot]!;
    if (this.atsfp[slot]! > 0) lease.atsfp = this.atsfp[slot]!;
    const next = this.next[slot]!;
    const rewind = this.rewind[slot]!;
    if (next !== st) lease.nextBindingState = STATE_NAMES[next];
    if (rewind !== st) lease.rewindBindingState = STATE_NAMES[rewind];
  }
}

function stateIndex(s: BindingState): number {
  const i = STATE_NAMES.indexOf(s);
  if (i < 0) throw new RangeError(`not a binding state: ${s}`);
  return i;
}

const isTransitional = (st: number): boolean => st === EXPIRED || st === RELEASED || st === RESET;

/**
 * ISC lease_insert: `slot` goes into `list` (sorted by `key`) before the first slot whose key is not
 * below its own. The walk runs from both ends at once, so it costs the distance to the nearer end.
 */
function insertBefore(lists: SlotLists, list: number, slot: number, key: Float64Array): void {
  lists.unlink(slot);
  const k = key[slot]!;
  let h = lists.head[list]!;
  let t = lists.tail[list]!;
  for (;;) {
    if (h === NO_SLOT || key[h]! >= k) {
      linkBefore(lists, list, slot, h);
      return;
    }
    if (t === NO_SLOT || key[t]! < k) {
      linkBefore(lists, list, slot, t === NO_SLOT ? lists.head[list]! : lists.next[t]!);
      return;
    }
    h = lists.next[h]!;
    t = lists.prev[t]!;
  }
}

/** Links an unlisted slot into `list` right before `n` (at the back when n is NO_SLOT). */
function linkBefore(lists: SlotLists, list: number, slot: number, n: number): void {
  const p = n === NO_SLOT ? NO_SLOT : lists.prev[n]!;
  if (n === NO_SLOT) lists.append(list, slot);
  else if (p === NO_SLOT) lists.prepend(list, slot);
  else {
    lists.prev[slot] = p;
    lists.next[slot] = n;
    lists.next[p] = slot;
    lists.prev[n] = slot;
    lists.listOf[slot] = list;
    lists.length[list]!++;
  }
}

export class FailoverTable extends AddressTable {
  /** allocateFailover's ISC peer_has_leases: a pool passed over had leases only the partner may give. */
  peerHasLeases = false;

  constructor(tree: ScopeTree) {
    super(tree);
    if (!tree.pools.some((p) => p.failoverPeer !== undefined)) return;
    const fo = new FailoverData(tree.pools, this.slotCount);
    this.rangeBase.forEach((base, k) => {
      const count = this.rangeHigh[k]! - this.rangeLow[k]! + 1;
      fo.spans[this.poolOf[base]!]!.push(base, base + count);
    });
    this.fo = fo;
  }

  /** Whether the slot's pool names a failover peer. */
  isFailoverSlot(slot: number): boolean {
    return this.fo !== undefined && this.fo.inPool[this.poolOf[slot]!] === 1;
  }

  /** The indexes of the pools that name this failover peer. */
  failoverPools(peer: string): number[] {
    const out: number[] = [];
    this.fo?.peerOf.forEach((p, i) => {
      if (p === peer) out.push(i);
    });
    return out;
  }

  /** What a BNDUPD about this lease carries; undefined outside failover pools. */
  failoverSlotInfo(slot: number): FailoverSlotInfo | undefined {
    const fo = this.fo;
    if (fo === undefined || fo.inPool[this.poolOf[slot]!] !== 1) return undefined;
    const f = this.flags[slot]!;
    return {
      address: this.address[slot]!,
      state: STATE_NAMES[this.state[slot]!]!,
      nextState: STATE_NAMES[fo.next[slot]!]!,
      rewindState: STATE_NAMES[fo.rewind[slot]!]!,
      starts: this.starts[slot]!,
      ends: this.ends[slot]!,
      tstp: fo.tstp[slot]!,
      tsfp: fo.tsfp[slot]!,
      atsfp: fo.atsfp[slot]!,
      cltt: this.cltt[slot]!,
      hardware: this.clients.hwOf(slot),
      uid: this.clients.uidOf(slot),
      hostname: this.clients.hostnameOf(slot),
      reserved: (f & F_RESERVED) !== 0,
      bootp: (f & F_BOOTP_LEASE) !== 0,
    };
  }

  /**
   * A partner's binding update, installed (ISC dhcp_failover_process_bind_update's copy of the
   * lease, then supersede_lease(lease, lt, 0, 0, 0, 0)): the client's chains are re-placed, the
   * lease moves to `u.state` through make_binding_state_transition (the expiry event when an
   * active or expired lease becomes free or backup) and onto that state's queue or the expiry
   * heap. The rewind state becomes the accepted state. Returns the record to write.
   */
  applyPeerUpdate(slot: number, u: PeerUpdate, _now: number): Lease {
    const fo = this.foAt(slot);
    const to = stateIndex(u.state);
    const oldUid = this.clients.uidOf(slot);
    const oldHw = this.clients.hwOf(slot);
    const uid = u.uid === undefined ? oldUid : (u.uid ?? undefined);
    const hw = u.hardware === undefined ? oldHw : (u.hardware ?? undefined);
    const changed = !sameOctets(uid, oldUid) || !sameOctets(hw?.address, oldHw?.address) || hw?.type !== oldHw?.type;
    this.written(slot);
    fo.bits[slot] = 0;
    this.supersedeClient(slot, uid, hw);
    // A new client on an active lease, or an abandoned one, leaves the old bindings behind.
    if (this.scopes.size > 0 && ((to === ACTIVE && changed) || to === ABANDONED)) this.scopes.delete(slot);
    // supersede_lease keeps agent options only while the lease is affirmatively a client's.
    if (this.agent.size > 0 && to !== ACTIVE && to !== EXPIRED) this.agent.delete(slot);
    if (u.starts !== undefined) this.starts[slot] = u.starts;
    if (u.ends !== undefined) this.ends[slot] = u.ends;
    if (u.cltt !== undefined) this.cltt[slot] = u.cltt;
    if (u.tstp !== undefined) fo.tstp[slot] = u.tstp;
    if (u.tsfp !== undefined) fo.tsfp[slot] = u.tsfp;
    if (u.atsfp !== undefined) fo.atsfp[slot] = u.atsfp;
    let f = this.flags[slot]! & ~F_OFFERED;
    if (u.reserved !== undefined) f = u.reserved ? f | F_RESERVED : f & ~F_RESERVED;
    if (u.bootp !== undefined) f = u.bootp ? f | F_BOOTP_LEASE : f & ~F_BOOTP_LEASE;
    this.flags[slot] = f;
    fo.rewind[slot] = u.rewind === undefined ? to : stateIndex(u.rewind);
    this.foTransition(slot, to, u.ended);
    this.foEnqueue(slot);
    return this.record(slot);
  }

  /**
   * Records failover times in place (ISC after a BNDACK that changes no state: atsfp = tsfp = the
   * acked potential expiry), and the rewind state as a BNDUPD is sent. Returns the record to write.
   */
  setFailoverTimes(slot: number, t: FailoverFields): Lease {
    const fo = this.foAt(slot);
    this.written(slot);
    fo.bits[slot] = 0;
    if (t.tstp !== undefined) fo.tstp[slot] = t.tstp;
    if (t.tsfp !== undefined) fo.tsfp[slot] = t.tsfp;
    if (t.atsfp !== undefined) fo.atsfp[slot] = t.atsfp;
    if (t.rewind !== undefined) fo.rewind[slot] = stateIndex(t.rewind);
    // In partner-down the expired queue is sorted by max(tsfp, ends).
    if (t.tsfp !== undefined && isTransitional(this.state[slot]!) && fo.partnerDown[this.poolOf[slot]!] !== undefined)
      this.foEnqueue(slot);
    return this.record(slot);
  }

  /**
   * Moves a lease to `state` (ISC supersede_lease(lease, NULL, ...) with that next binding state):
   * after the partner's ack (expired, released, reset -> free or backup; the expiry event runs
   * then), for pool balancing (free <-> backup, with `propagate`, `starts`, `tstp`, `scrub`).
   * Returns the record to write.
   */
  setState(slot: number, state: BindingState, _now: number, opts: StateChange = {}): Lease {
    const fo = this.foAt(slot);
    this.written(slot);
    fo.bits[slot] = 0;
    if (opts.starts !== undefined) this.starts[slot] = opts.starts;
    if (opts.tstp !== undefined) fo.tstp[slot] = opts.tstp;
    if (opts.tsfp !== undefined) fo.tsfp[slot] = opts.tsfp;
    if (opts.atsfp !== undefined) fo.atsfp[slot] = opts.atsfp;
    if (opts.propagate) fo.atsfp[slot] = 0;
    if (opts.scrub) this.setHostname(slot, undefined);
    this.flags[slot]! &= ~F_OFFERED;
    this.foTransition(slot, stateIndex(state), opts.ended);
    if (opts.rewind !== undefined) fo.rewind[slot] = stateIndex(opts.rewind);
    this.foEnqueue(slot);
    return this.record(slot);
  }

  /**
   * ISC allocate_lease with failover peers: per failover pool the head of this server's own queue
   * (FREE for the primary, BACKUP for the secondary: `fromBackup`), the head of the partner's queue
   * instead when it ended earlier and partner-down has made it this server's (stos or its tsfp,
   * whichever is later, plus MCLT, is past), else, only when both give nothing, the head of the
   * abandoned queue (the secondary: in partner-down, as for the partner's leases). Expired,
   * released and reset leases are never allocated here: in partner-down they become free on the
   * expiry path (expire()) once max(tsfp, ends) has passed, as ISC's pool_timer frees them. Pools
   * without a peer are served as allocate() serves a DHCP client; the choice between the pools'
   * candidates, offers in flight and their reclaim are allocate()'s.
   */
  allocateFailover(poolIndexes: readonly number[], fromBackup: boolean, now: number): number {
    const fo = this.fo;
    const head = this.lists.head;
    let best = NO_SLOT;
    let bestAbandoned = false;
    let oldestOffer = NO_SLOT;
    this.peerHasLeases = false;
    for (const p of poolIndexes) {
      this.steps++;
      const free = this.olderHead(head[p * 3 + L_FREE]!, head[p * 3 + L_FREE_BOOTP]!);
      let cand = free;
      let abandoned = false;
      if (fo !== undefined && fo.inPool[p] === 1) {
        const backup = head[fo.backupList(p)]!;
        cand = fromBackup ? backup : free;
        const peer = fromBackup ? free : backup;
        if (peer !== NO_SLOT) {
          if ((cand === NO_SLOT || this.freedAt[cand]! > this.freedAt[peer]!) && this.partnersGone(p, peer, now))
            cand = peer;
          else this.peerHasLeases = true;
        }
        if (cand === NO_SLOT) {
          const s = head[p * 3 + L_ABANDONED]!;
          if (s === NO_SLOT || (fromBackup && !this.partnersGone(p, s, now))) continue;
          cand = s;
          abandoned = true;
        }
      } else if (cand === NO_SLOT) {
        cand = head[p * 3 + L_ABANDONED]!;
        if (cand === NO_SLOT) continue;
        abandoned = true;
      }
      if (!abandoned && this.freedAt[cand]! > now) {
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

  /** The earlier-freed of two queue heads (NO_SLOT when both are). */
  private olderHead(a: number, b: number): number {
    if (a === NO_SLOT) return b;
    if (b === NO_SLOT) return a;
    return this.freedAt[b]! < this.freedAt[a]! ? b : a;
  }

  /** lease_mine_to_reallocate for the partner's FREE/BACKUP (or, secondary, an ABANDONED) lease. */
  private partnersGone(pool: number, slot: number, now: number): boolean {
    const pd = this.fo!.partnerDown[pool];
    if (pd === undefined) return false;
    return Math.max(this.fo!.tsfp[slot]!, pd.stos) + pd.mclt < now;
  }

  /** ISC's tiers between two pools' candidates: free over abandoned, never-used over used, older. */
  protected preferred(cand: number, candAbandoned: boolean, best: number, bestAbandoned: boolean): boolean {
    if (bestAbandoned) return !candAbandoned || this.freedAt[cand]! < this.freedAt[best]!;
    if (candAbandoned) return false;
    const bestUsed = this.clients.hasUid(best) || this.clients.hasHw(best);
    const candUsed = this.clients.hasUid(cand) || this.clients.hasHw(cand);
    if (bestUsed && (!candUsed || this.freedAt[cand]! < this.freedAt[best]!)) return true;
    if (candUsed) return false;
    return this.freedAt[cand]! < this.freedAt[best]!;
  }

  /**
   * A failover pool's queue in ISC's order (pool->free, ->backup, ->expired, ->abandoned; reserved
   * free and backup leases are on none). The slot just yielded may be moved by the caller.
   */
  *failoverQueue(poolIndex: number, queue: FailoverQueue): IterableIterator<number> {
    const fo = this.fo;
    if (fo === undefined || fo.inPool[poolIndex] !== 1) return;
    const { head, next } = this.lists;
    if (queue === 'free') {
      // Two lists (range dynamic-bootp has its own), merged by time: ISC has one queue.
      let a = head[poolIndex * 3 + L_FREE]!;
      let b = head[poolIndex * 3 + L_FREE_BOOTP]!;
      while (a !== NO_SLOT || b !== NO_SLOT) {
        const s = this.olderHead(a, b);
        if (s === a) a = next[a]!;
        else b = next[b]!;
        yield s;
      }
      return;
    }
    const list =
      queue === 'backup'
        ? fo.backupList(poolIndex)
        : queue === 'expired'
          ? fo.expiredList(poolIndex)
          : poolIndex * 3 + L_ABANDONED;
    for (let s = head[list]!; s !== NO_SLOT; ) {
      const n = next[s]!;
      yield s;
      s = n;
    }
  }

  /** Every slot of a failover pool (in address order), or those in `state`: reserved and active ones too. */
  *failoverSlotsOf(poolIndex: number, state?: BindingState): IterableIterator<number> {
    const fo = this.fo;
    if (fo === undefined || fo.inPool[poolIndex] !== 1) return;
    const want = state === undefined ? -1 : stateIndex(state);
    const spans = fo.spans[poolIndex]!;
    for (let k = 0; k < spans.length; k += 2) {
      for (let s = spans[k]!; s < spans[k + 1]!; s++) {
        if (this.flags[s]! & F_FIXED) continue;
        if (want < 0 || this.state[s] === want) yield s;
      }
    }
  }

  /**
   * The state machine's conditions for the pools of `peer` (see FailoverPolicy). Entering
   * partner-down sets every expired-queue lease's tsfp to stos + mclt and frees it from then (or
   * its end) on (ISC dhcp_failover_set_state, partner_down); leaving it sorts that queue by end again.
   */
  setFailoverPolicy(peer: string, policy: FailoverPolicy): void {
    const fo = this.fo;
    if (fo === undefined) return;
    fo.peerOf.forEach((name, p) => {
      if (name !== peer) return;
      fo.hold[p] = policy.holdActive ? 1 : 0;
      fo.rewindTo[p] = policy.rewindTo === undefined ? 0 : stateIndex(policy.rewindTo) + 1;
      fo.stepRewind[p] = policy.stepRewind ? 1 : 0;
      const was = fo.partnerDown[p];
      const pd = policy.partnerDown;
      fo.partnerDown[p] = pd === undefined ? undefined : { ...pd };
      const list = fo.expiredList(p);
      if (pd !== undefined && (was === undefined || was.stos !== pd.stos || was.mclt !== pd.mclt)) {
        // max(c, ends) keeps the queue's order: only the times change.
        for (let s = this.lists.head[list]!; s !== NO_SLOT; s = this.lists.next[s]!) {
          fo.tsfp[s] = pd.stos + pd.mclt;
          const key = Math.max(fo.tsfp[s]!, this.ends[s]!);
          this.freedAt[s] = key;
          if (Number.isFinite(key)) this.heap.push(key, s);
        }
      } else if (pd === undefined && was !== undefined) {
        const slots = [...this.failoverQueue(p, 'expired')];
        for (const s of slots) this.freedAt[s] = this.ends[s]!;
        slots.sort((x, y) => this.freedAt[x]! - this.freedAt[y]!);
        for (const s of slots) this.lists.append(list, s);
      }
    });
    // Expiries held back for a pool that no longer holds them go back to the heap.
    if (fo.held.length > 0) {
      const keep: number[] = [];
      for (const s of fo.held) {
        if (fo.hold[this.poolOf[s]!] === 1) keep.push(s);
        else if (this.state[s] === ACTIVE) this.heap.push(this.ends[s]!, s);
      }
      fo.held = keep;
    }
  }

  // --- hooks for the allocator's own paths (each called only for a failover pool's slot) -----

  /** The slot's failover arrays; throws for a slot outside failover pools (a caller's mistake). */
  private foAt(slot: number): FailoverData {
    const fo = this.fo;
    if (fo === undefined || fo.inPool[this.poolOf[slot]!] !== 1)
      throw new RangeError(`slot ${slot} is not in a failover pool`);
    return fo;
  }

  /**
   * After commit()'s common part (ISC ack_lease, DHCPACK, with a peer): next state EXPIRED, tstp as
   * given (default the end), tsfp lowered to it, atsfp cleared (the change is to be sent). The
   * rewind state stays: with DELAYED_ACK (4.4's default build) the ACK's supersede_lease does not
   * commit, so it never steps the rewind state (the send does).
   */
  protected foCommitted(slot: number, ends: number, c: FailoverCommit | undefined): void {
    const fo = this.fo!;
    const p = this.poolOf[slot]!;
    if (fo.inPool[p] !== 1) return;
    fo.next[slot] = EXPIRED;
    const tstp = c?.tstp ?? ends;
    fo.tstp[slot] = tstp;
    if (tstp < fo.tsfp[slot]!) fo.tsfp[slot] = tstp;
    fo.atsfp[slot] = 0;
    fo.bits[slot] = 0;
    if (c?.cltt !== undefined) this.cltt[slot] = c.cltt;
  }

  /**
   * ISC release_lease with a peer: an active (or abandoned) lease ends now and becomes RELEASED
   * (its bindings go; host name, agent options and billing stay until it is freed), or, not
   * cooperating, goes back to its rewind state when that is this server's own.
   */
  protected foRelease(slot: number, now: number): Lease {
    const fo = this.fo!;
    const st = this.state[slot]!;
    if (st === ACTIVE || st === ABANDONED) {
      if (this.scopes.size > 0) this.scopes.delete(slot);
      this.ends[slot] = now;
      fo.tstp[slot] = now;
      this.foSupersede(slot, this.rewoundOr(slot, RELEASED));
    }
    return this.record(slot);
  }

  /**
   * ISC abandon_lease with a peer: the client identity, agent options and bindings go; unlike a
   * plain pool's, the host name and billing stay (make_binding_state_transition does no cleanup
   * for a move to ABANDONED when there is a peer).
   */
  protected foAbandon(slot: number, now: number, abandonTime: number): Lease {
    this.setClient(slot, undefined, undefined);
    if (this.agent.size > 0) this.agent.delete(slot);
    if (this.scopes.size > 0) this.scopes.delete(slot);
    this.ends[slot] = now + abandonTime;
    this.foSupersede(slot, ABANDONED);
    return this.record(slot);
  }

  /**
   * An active lease has ended (ISC pool_timer): it becomes EXPIRED - nothing is dropped, `on
   * expiry` waits for the move to free - or, not cooperating, goes back to its rewind state (the
   * expiry event runs then). Held back while the pool's peer holds active leases.
   */
  protected foExpire(slot: number, out: Lease[], ended: ExpiryHook | undefined): void {
    const fo = this.fo!;
    if (fo.hold[this.poolOf[slot]!] === 1) {
      fo.held.push(slot);
      return;
    }
    this.foSupersede(slot, this.rewoundOr(slot, EXPIRED), ended);
    out.push(this.record(slot));
  }

  /** In partner-down, an expired, released or reset lease whose max(tsfp, ends) has passed becomes free (pool_timer). */
  protected foSweep(slot: number, now: number, out: Lease[], ended: ExpiryHook | undefined): void {
    const fo = this.fo!;
    const p = this.poolOf[slot]!;
    if (fo.inPool[p] !== 1 || fo.partnerDown[p] === undefined || !isTransitional(this.state[slot]!)) return;
    if (Math.max(fo.tsfp[slot]!, this.ends[slot]!) > now) return;
    this.foSupersede(slot, FREE, ended);
    out.push(this.record(slot));
  }

  /** A loaded lease's failover fields (confpars.c: tstp defaults to ends, next/rewind to the state). */
  protected foLoad(slot: number, lease: Lease, now: number): void {
    const fo = this.fo!;
    fo.tstp[slot] = lease.tstp ?? lease.ends ?? 0;
    fo.bits[slot] = lease.tstp === undefined ? B_TSTP_IMPLIED : 0;
    fo.tsfp[slot] = lease.tsfp ?? 0;
    fo.atsfp[slot] = lease.atsfp ?? 0;
    fo.next[slot] = STATE_NAMES.indexOf(effectiveNextBindingState(lease, now, true));
    const rewind = lease.rewindBindingState;
    fo.rewind[slot] = rewind === undefined ? this.state[slot]! : STATE_NAMES.indexOf(rewind);
  }

  /** The same for a canonical block read as fields (it has no failover times). */
  protected foLoadFields(slot: number, f: LeaseFields): void {
    const fo = this.fo!;
    if (fo.inPool[this.poolOf[slot]!] !== 1) return;
    fo.tstp[slot] = f.ends > 0 ? f.ends : 0;
    fo.bits[slot] = B_TSTP_IMPLIED;
    fo.tsfp[slot] = 0;
    fo.atsfp[slot] = 0;
    fo.next[slot] = f.next >= 0 ? f.next : f.state;
    fo.rewind[slot] = f.rewind >= 0 ? f.rewind : f.state;
  }

  /** A loaded lease onto the back of its state's queue (the loader appends in order of sort time). */
  protected foReinsert(slot: number): void {
    const fo = this.fo!;
    const p = this.poolOf[slot]!;
    const st = this.state[slot]!;
    const reserved = (this.flags[slot]! & F_RESERVED) !== 0;
    if (st === FREE) {
      if (!reserved) this.lists.append(this.freeListOf(slot), slot);
    } else if (st === BACKUP) {
      if (!reserved) this.lists.append(fo.backupList(p), slot);
    } else if (st === ABANDONED) this.lists.append(p * 3 + L_ABANDONED, slot);
    else if (isTransitional(st)) this.lists.append(fo.expiredList(p), slot);
  }

  // --- ISC's supersede_lease, make_binding_state_transition and lease_enqueue ----------------

  /** The not-cooperating rewind (release_lease, pool_timer): the rewind state when it is the pool's rewindTo. */
  private rewoundOr(slot: number, otherwise: number): number {
    const fo = this.fo!;
    const r = fo.rewindTo[this.poolOf[slot]!]!;
    return r !== 0 && fo.rewind[slot] === r - 1 ? r - 1 : otherwise;
  }

  /** supersede_lease(lease, ..., commit 1, propogate 1, pimmediate 1): the server's own change, to be sent. */
  private foSupersede(slot: number, to: number, ended?: ExpiryHook): void {
    const fo = this.fo!;
    this.written(slot);
    fo.bits[slot] = 0;
    fo.atsfp[slot] = 0;
    this.flags[slot]! &= ~F_OFFERED;
    this.foTransition(slot, to, ended);
    this.foEnqueue(slot);
    if (fo.stepRewind[this.poolOf[slot]!] === 1) fo.rewind[slot] = to;
  }

  /**
   * ISC make_binding_state_transition with a peer. An active or expired lease becoming free or
   * backup has its expiry event (`on expiry` runs, the host name, agent options and billing go,
   * tstp = ends); a released one its release event (the same, `on release` having run at the
   * release). Then the next state: active -> expired; expired, released, abandoned, reset -> free
   * (in partner-down with tsfp = stos + mclt); free, backup -> themselves.
   */
  private foTransition(slot: number, to: number, ended: ExpiryHook | undefined): void {
    const fo = this.fo!;
    const from = this.state[slot]!;
    if (from !== to && (to === FREE || to === BACKUP) && (from === ACTIVE || from === EXPIRED || from === RELEASED)) {
      const scope = this.scopes.size > 0 ? this.scopes.get(slot) : undefined;
      if (scope !== undefined) {
        if (from !== RELEASED && ended !== undefined) ended(slot, scope);
        // The bodies go with the binding; the variables stay (ISC keeps lease->scope).
        const left = this.scopes.get(slot);
        if (left !== undefined && (left.release !== undefined || left.expiry !== undefined))
          this.setLeaseScope(slot, left.variables !== undefined ? { variables: left.variables } : undefined);
      }
      this.setHostname(slot, undefined);
      if (this.agent.size > 0) this.agent.delete(slot);
      this.billing.unbill(slot);
      fo.tstp[slot] = this.ends[slot]!;
    }
    this.state[slot] = to;
    if (to === ACTIVE) fo.next[slot] = EXPIRED;
    else if (to === FREE || to === BACKUP) fo.next[slot] = to;
    else {
      fo.next[slot] = FREE;
      const pd = fo.partnerDown[this.poolOf[slot]!];
      if (pd !== undefined) fo.tsfp[slot] = pd.stos + pd.mclt;
    }
  }

  /**
   * ISC lease_enqueue: the queue of the lease's state, by sort time (its end; max(tsfp, ends) for
   * the expired queue in partner-down, which then also waits in the expiry heap); reserved free
   * and backup leases on none; an active lease in the expiry heap.
   */
  private foEnqueue(slot: number): void {
    const fo = this.fo!;
    const p = this.poolOf[slot]!;
    const st = this.state[slot]!;
    const ends = this.ends[slot]!;
    this.lists.unlink(slot);
    if (st === ACTIVE) {
      if (Number.isFinite(ends)) this.heap.push(ends, slot);
      return;
    }
    const reserved = (this.flags[slot]! & F_RESERVED) !== 0;
    let list = NO_SLOT;
    let key = ends;
    if (st === FREE) list = reserved ? NO_SLOT : this.freeListOf(slot);
    else if (st === BACKUP) list = reserved ? NO_SLOT : fo.backupList(p);
    else if (st === ABANDONED) list = p * 3 + L_ABANDONED;
    else {
      list = fo.expiredList(p);
      if (fo.partnerDown[p] !== undefined) {
        key = Math.max(fo.tsfp[slot]!, ends);
        if (Number.isFinite(key)) this.heap.push(key, slot);
      }
    }
    this.freedAt[slot] = key;
    if (list !== NO_SLOT) insertBefore(this.lists, list, slot, this.freedAt);
  }
}

function sameOctets(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
