// The storage under the allocator: one slot per address of every pool, in typed arrays (state,
// times, flags, list links), client keys in chains, and the read-only questions the engine asks
// about an address. The allocation policy (allocator.ts) extends it.

import type { Statement } from '../conf/ast.js';
import type { Pool, ScopeTree } from '../conf/scope-tree.js';
import {
  BINDING_STATES,
  type BindingState,
  type Lease,
  type LeaseOption,
  type LeaseVariable,
} from '../leases/lease.js';
import { ipToString, parseIpv4 } from '../wire/index.js';
import { Billing } from './billing.js';
import type { ClientIdentity, HardwareAddress } from './client-id.js';
import { ClientIndex } from './client-index.js';
import { ExpiryHeap } from './expiry-heap.js';
import type { FailoverData } from './failover-slots.js';
import { NO_SLOT, SlotLists } from './slot-lists.js';

/** Binding states, as numbers (index into STATE_NAMES). */
export const FREE = 0;
export const ACTIVE = 1;
export const EXPIRED = 2;
export const RELEASED = 3;
export const ABANDONED = 4;
export const RESET = 5;
export const BACKUP = 6;
/** The lease file's names, in the order of the numbers above (lease.ts keeps them in that order). */
export const STATE_NAMES: readonly BindingState[] = BINDING_STATES;

export const F_OFFERED = 1;
export const F_BOOTP_RANGE = 2;
/** A host's fixed address inside a range: never allocated dynamically (ISC refuses it too). */
export const F_FIXED = 4;
export const F_BOOTP_LEASE = 8;
/** `reserved;` in the lease file: the address stays its client's, never handed to another (ISC). */
export const F_RESERVED = 16;
/** The lease file holds a record of this address (loaded, or written since): a rewrite writes it. */
export const F_RECORD = 32;

/** ISC's cannot_reuse: the last offer of this lease was not a reuse, so the next REQUEST commits. */
export const F_NO_REUSE = 64;

/** `nextRewind` of a slot whose record is the engine's: next = free when active, no rewind. */
export const NR_DEFAULT = 0xff;

/**
 * List ids: three per pool (pool * 3 + L_...); with failover pools in the configuration, two more
 * per pool after those (failover-slots.ts: the backup and the expired queues).
 */
export const L_FREE = 0;
export const L_FREE_BOOTP = 1;
export const L_ABANDONED = 2;

export interface PoolStats {
  total: number;
  free: number;
  backup: number;
  abandoned: number;
}

/**
 * The configuration language's state of one lease (ISC's lease->scope and on_star): its `set`
 * variables, written to the lease file, and the `on release` / `on expiry` bodies to run when it ends.
 */
export interface LeaseScope {
  variables?: LeaseVariable[];
  release?: readonly Statement[];
  expiry?: readonly Statement[];
}

export class AddressTable {
  readonly pools: readonly Pool[];
  readonly warnings: string[] = [];
  protected readonly poolIndex = new Map<Pool, number>();
  protected readonly rangeLow: number[] = [];
  protected readonly rangeHigh: number[] = [];
  protected readonly rangeBase: number[] = [];
  readonly slotCount: number;
  readonly address: Uint32Array;
  protected readonly poolOf: Int32Array;
  protected readonly state: Uint8Array;
  protected readonly flags: Uint8Array;
  protected readonly starts: Float64Array;
  protected readonly ends: Float64Array;
  protected readonly cltt: Float64Array;
  /** When the address last stopped being used: the LRU key of the free lists. */
  protected readonly freedAt: Float64Array;
  protected readonly offerUntil: Float64Array;
  /**
   * The next and rewind binding states a loaded lease was written with (4 bits each: 0 none, else
   * STATE_NAMES index + 1), so a rewrite reproduces it; NR_DEFAULT once the engine wrote the slot.
   */
  protected readonly nextRewind: Uint8Array;
  /**
   * Loaded leases the typed arrays cannot reproduce exactly (`set` variables, agent options, `on`
   * blocks, failover times, expired/released states...), kept whole until the engine changes the
   * slot: record() returns them, so a rewrite loses nothing. Rare outside failover files.
   */
  protected readonly exact = new Map<number, Lease>();
  /** Relay agent options stored with active leases (ISC stash-agent-options): few, so a Map. */
  protected readonly agent = new Map<number, LeaseOption[]>();
  /** Lease-scope state of the configuration language (variables, on release/expiry): few, so a Map. */
  protected readonly scopes = new Map<number, LeaseScope>();
  /** Which leases are billed to classes with a `lease limit`. */
  readonly billing = new Billing();
  protected readonly clients: ClientIndex;
  protected readonly lists: SlotLists;
  /** Addresses each pool serves (ranges less fixed addresses): ISC's lease_count. */
  protected readonly poolTotal: Int32Array;
  protected readonly heap = new ExpiryHeap();
  /** Work counter (list and chain steps), for tests that prove allocation cost is flat. */
  steps = 0;
  /**
   * The failover pools' per-slot state (tstp, tsfp, atsfp, next and rewind binding states, their
   * queues): set by FailoverTable (failover-slots.ts) only when a pool names a failover peer.
   */
  protected fo: FailoverData | undefined;

  /** The configuration's option catalogue (`on expiry` bodies run against it). */
  readonly catalogue: ScopeTree['catalogue'];

  /** The configuration's classes (their lease limits). */
  protected readonly classes: ScopeTree['classes'];

  constructor(tree: ScopeTree) {
    this.catalogue = tree.catalogue;
    this.classes = tree.classes;
    this.pools = tree.pools;
    const ranges: { low: number; high: number; pool: number; bootp: boolean }[] = [];
    tree.pools.forEach((pool, i) => {
      this.poolIndex.set(pool, i);
      for (const r of pool.ranges) ranges.push({ low: r.low, high: r.high, pool: i, bootp: r.dynamicBootp });
    });
    ranges.sort((a, b) => a.low - b.low);
    let count = 0;
    const kept: typeof ranges = [];
    for (const r of ranges) {
      const last = this.rangeHigh[this.rangeHigh.length - 1];
      if (last !== undefined && r.low <= last) {
        this.warnings.push(
          `range ${ipToString(r.low)} ${ipToString(r.high)} overlaps another range: its addresses are served once`,
        );
        if (r.high <= last) continue;
        r.low = last + 1;
      }
      this.rangeLow.push(r.low);
      this.rangeHigh.push(r.high);
      this.rangeBase.push(count);
      kept.push(r);
      count += r.high - r.low + 1;
    }
    this.slotCount = count;
    this.address = new Uint32Array(count);
    this.poolOf = new Int32Array(count);
    this.state = new Uint8Array(count);
    this.flags = new Uint8Array(count);
    this.starts = new Float64Array(count);
    this.ends = new Float64Array(count);
    this.cltt = new Float64Array(count);
    this.freedAt = new Float64Array(count);
    this.offerUntil = new Float64Array(count);
    this.nextRewind = new Uint8Array(count).fill(NR_DEFAULT);
    this.clients = new ClientIndex(count);
    const failover = tree.pools.some((p) => p.failoverPeer !== undefined);
    this.lists = new SlotLists(count, tree.pools.length * (failover ? 5 : 3));
    this.poolTotal = new Int32Array(tree.pools.length);
    kept.forEach((r, k) => {
      const base = this.rangeBase[k]!;
      for (let a = r.low, s = base; a <= r.high; a++, s++) {
        this.address[s] = a;
        this.poolOf[s] = r.pool;
        if (r.bootp) this.flags[s] = F_BOOTP_RANGE;
        this.lists.append(r.pool * 3 + (r.bootp ? L_FREE_BOOTP : L_FREE), s);
      }
      this.poolTotal[r.pool]! += r.high - r.low + 1;
    });
    for (const host of tree.hosts) {
      for (const text of host.fixedAddresses) {
        const ip = parseIpv4(text);
        const slot = ip === undefined ? NO_SLOT : this.slotOf(ip);
        if (slot === NO_SLOT) continue;
        if (this.flags[slot]! & F_FIXED) continue;
        this.flags[slot]! |= F_FIXED;
        this.lists.unlink(slot);
        this.poolTotal[this.poolOf[slot]!]!--;
        this.warnings.push(`host ${host.name}: fixed address ${text} is inside a dynamic range; it is not allocated`);
      }
    }
  }

  /** The slot of an address, NO_SLOT when no pool holds it. O(log ranges). */
  slotOf(address: number): number {
    let lo = 0;
    let hi = this.rangeLow.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (address < this.rangeLow[mid]!) hi = mid - 1;
      else if (address > this.rangeHigh[mid]!) lo = mid + 1;
      else return this.rangeBase[mid]! + (address - this.rangeLow[mid]!);
    }
    return NO_SLOT;
  }

  poolOfSlot(slot: number): Pool {
    const index = this.poolOf[slot] ?? 0;
    return this.pools[index]!;
  }

  poolIndexOf(pool: Pool): number {
    return this.poolIndex.get(pool) ?? -1;
  }

  stateOf(slot: number): number {
    return this.state[slot]!;
  }

  endsOf(slot: number): number {
    return this.ends[slot]!;
  }

  /** The relay agent options stored with the slot's lease, if any. */
  agentOptionsOf(slot: number): readonly LeaseOption[] | undefined {
    return this.agent.size > 0 ? this.agent.get(slot) : undefined;
  }

  startsOf(slot: number): number {
    return this.starts[slot]!;
  }

  /** ISC's cannot_reuse flag (F_NO_REUSE). */
  cannotReuse(slot: number): boolean {
    return (this.flags[slot]! & F_NO_REUSE) !== 0;
  }

  hasUid(slot: number): boolean {
    return this.clients.hasUid(slot);
  }

  /** The recorded client identifier is exactly `uid` (false when either has none). */
  uidIs(slot: number, uid: Uint8Array | undefined): boolean {
    return (
      uid !== undefined && uid.length > 0 && this.clients.hasUid(slot) && this.clients.uidIs(slot, uid, 0, uid.length)
    );
  }

  /** The recorded hardware address is exactly this one. */
  hwIs(slot: number, hw: HardwareAddress): boolean {
    return this.clients.hasHw(slot) && this.clients.hwIs(slot, hw.type, hw.address, 0, hw.address.length);
  }

  /** Slots whose recorded client identifier is `uid`, in ISC's chain order (preference at each supersede). */
  uidSlots(uid: Uint8Array | undefined): number[] {
    const out: number[] = [];
    if (uid === undefined || uid.length === 0) return out;
    for (let s = this.clients.uidFirst(uid); s !== NO_SLOT; s = this.clients.uidAfter(s, uid)) {
      this.steps++;
      out.push(s);
    }
    return out;
  }

  /** Slots whose recorded hardware address is `hw`, in ISC's chain order. */
  hwSlots(hw: HardwareAddress): number[] {
    const out: number[] = [];
    if (hw.address.length === 0) return out;
    for (
      let s = this.clients.hwFirst(hw.type, hw.address);
      s !== NO_SLOT;
      s = this.clients.hwAfter(s, hw.type, hw.address)
    ) {
      this.steps++;
      out.push(s);
    }
    return out;
  }

  /**
   * ISC client_lease_preferred(cand, lease): whether the lease at `slot`, as it is before the change
   * being recorded, goes before `cand` in its client's chains: active leases first (later end first),
   * then expired and released ones (later client transaction first; only failover pools keep
   * those states), then the others, abandoned last.
   */
  private preferredOver(slot: number, cand: number): boolean {
    const c = this.state[cand]!;
    const l = this.state[slot]!;
    if (c === ACTIVE) return l === ACTIVE && this.ends[slot]! >= this.ends[cand]!;
    if (l === ACTIVE) return true;
    if (c === EXPIRED || c === RELEASED)
      return (l === EXPIRED || l === RELEASED) && this.cltt[slot]! >= this.cltt[cand]!;
    if (c === ABANDONED) return l !== ABANDONED || this.cltt[slot]! >= this.cltt[cand]!;
    if (l === EXPIRED || l === RELEASED) return true;
    return l !== ABANDONED && this.cltt[slot]! >= this.cltt[cand]!;
  }

  /** Client last transaction time: 0 for an address never leased. */
  clttOf(slot: number): number {
    return this.cltt[slot]!;
  }

  hostnameOf(slot: number): string | undefined {
    return this.clients.hostnameOf(slot);
  }

  isFixed(slot: number): boolean {
    return (this.flags[slot]! & F_FIXED) !== 0;
  }

  inBootpRange(slot: number): boolean {
    return (this.flags[slot]! & F_BOOTP_RANGE) !== 0;
  }

  isOffered(slot: number, now: number): boolean {
    return (this.flags[slot]! & F_OFFERED) !== 0 && this.offerUntil[slot]! > now;
  }

  /** True when the slot's recorded client is this client (uid first, else hardware, as ISC). */
  belongsTo(slot: number, id: ClientIdentity): boolean {
    const c = this.clients;
    const uid = id.uid !== undefined && id.uid.length > 0 ? id.uid : undefined;
    if (c.hasUid(slot)) return uid !== undefined && c.uidIs(slot, uid, 0, uid.length);
    const hw = id.hardware.address;
    return hw.length > 0 && c.hwIs(slot, id.hardware.type, hw, 0, hw.length);
  }

  /**
   * Slots recorded for this client, its client-identifier matches first, then hardware matches.
   * `steps` counts the slots of this client visited (the hash lookup itself is O(1), as a Map's).
   */
  clientSlots(id: ClientIdentity): number[] {
    const out: number[] = [];
    const c = this.clients;
    const uid = id.uid;
    if (uid !== undefined && uid.length > 0) {
      for (let s = c.uidFirst(uid); s !== NO_SLOT; s = c.uidAfter(s, uid)) {
        this.steps++;
        out.push(s);
      }
    }
    const { type, address } = id.hardware;
    if (address.length === 0) return out;
    for (let s = c.hwFirst(type, address); s !== NO_SLOT; s = c.hwAfter(s, type, address)) {
      this.steps++;
      if (!out.includes(s) && this.belongsTo(s, id)) out.push(s);
    }
    return out;
  }

  protected freeListOf(slot: number): number {
    return this.poolOf[slot]! * 3 + (this.flags[slot]! & F_BOOTP_RANGE ? L_FREE_BOOTP : L_FREE);
  }

  /**
   * The lease file record of a slot, as ISC writes it (db.c write_lease): in a failover pool with
   * its tstp, tsfp and atsfp and ISC's next and rewind states; elsewhere none of those.
   */
  record(slot: number): Lease {
    const kept = this.exact.get(slot);
    if (kept !== undefined) return kept;
    const lease: Lease = { kind: 'lease', address: this.address[slot]! };
    const st = this.state[slot]!;
    if (this.starts[slot]! > 0) lease.starts = this.starts[slot]!;
    if (this.ends[slot]! > 0) lease.ends = this.ends[slot]!;
    if (this.cltt[slot]! > 0) lease.cltt = this.cltt[slot]!;
    lease.bindingState = STATE_NAMES[st] ?? 'free';
    const fo = this.fo;
    if (fo !== undefined && fo.inPool[this.poolOf[slot]!] === 1) {
      fo.describe(slot, st, lease);
    } else {
      const nr = this.nextRewind[slot]!;
      if (nr === NR_DEFAULT) {
        if (st === ACTIVE) lease.nextBindingState = 'free';
      } else {
        const next = STATE_NAMES[(nr >> 4) - 1];
        const rewind = STATE_NAMES[(nr & 15) - 1];
        if (next !== undefined) lease.nextBindingState = next;
        if (rewind !== undefined) lease.rewindBindingState = rewind;
      }
    }
    if (this.flags[slot]! & F_BOOTP_LEASE) lease.bootp = true;
    if (this.flags[slot]! & F_RESERVED) lease.reserved = true;
    const billing = this.billing.text(slot);
    if (billing !== undefined) lease.opaque = [billing];
    const hw = this.clients.hwOf(slot);
    if (hw !== undefined) lease.hardware = hw;
    const uid = this.clients.uidOf(slot);
    if (uid !== undefined) lease.uid = uid;
    const agent = this.agentOptionsOf(slot);
    if (agent !== undefined) lease.agentOptions = [...agent];
    const name = this.clients.hostnameOf(slot);
    if (name !== undefined) lease.clientHostname = name;
    const vars = this.scopes.get(slot)?.variables;
    if (vars !== undefined && vars.length > 0) lease.variables = vars.map((v) => ({ ...v }));
    return lease;
  }

  /** What the configuration language keeps with a lease (ISC's lease scope and on_star). */
  leaseScopeOf(slot: number): LeaseScope | undefined {
    return this.scopes.size === 0 ? undefined : this.scopes.get(slot);
  }

  setLeaseScope(slot: number, scope: LeaseScope | undefined): void {
    if (scope === undefined) this.scopes.delete(slot);
    else this.scopes.set(slot, scope);
  }

  /**
   * Every address that carries state (ever leased, abandoned, reserved), as lease records: what a
   * configuration reload feeds to the new snapshot's allocator (loadAll), and what a lease file
   * rewrite can be checked against. Offers in flight are not carried over.
   */
  *leaseRecords(): IterableIterator<Lease> {
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (
        this.state[slot] === FREE &&
        this.cltt[slot] === 0 &&
        this.ends[slot] === 0 &&
        !(this.flags[slot]! & (F_RESERVED | F_RECORD))
      )
        continue;
      yield this.record(slot);
    }
  }

  stats(poolIndex: number): PoolStats {
    const l = this.lists.length;
    return {
      total: this.poolTotal[poolIndex] ?? 0,
      free: l[poolIndex * 3 + L_FREE]! + l[poolIndex * 3 + L_FREE_BOOTP]!,
      backup: this.fo === undefined ? 0 : (l[this.fo.backupList(poolIndex)] ?? 0),
      abandoned: l[poolIndex * 3 + L_ABANDONED]!,
    };
  }

  protected setClient(slot: number, uid: Uint8Array | undefined, hw: HardwareAddress | undefined): void {
    this.clients.set(slot, uid, hw);
  }

  /** ISC supersede_lease's rehash: the slot takes its place in its client's chains by preference. */
  protected supersedeClient(slot: number, uid: Uint8Array | undefined, hw: HardwareAddress | undefined): void {
    this.clients.set(slot, uid, hw, (cand) => this.preferredOver(slot, cand));
  }

  protected setHostname(slot: number, name: string | undefined): void {
    this.clients.setHostname(slot, name);
  }

  /** The engine writes this slot's record from now on (a loaded record is no longer its text). */
  protected written(slot: number): void {
    this.flags[slot]! |= F_RECORD;
    this.nextRewind[slot] = NR_DEFAULT;
    if (this.exact.size > 0) this.exact.delete(slot);
  }
}
