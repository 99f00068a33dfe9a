// Walks over the lease table split across event-loop turns, so the packet path runs between the pieces: the
// census of leases per pool and state (/pools, /metrics, /stats), cached for a moment and shared by the
// requests that arrive meanwhile, and a lease listing that fills its page a budget of slots at a time. Each
// piece reads the allocator served now: a reload between two pieces restarts a census, and a listing goes on
// from its address in the new table.

import {
  compileFilter,
  countStates,
  type LeaseFilter,
  type LeaseJson,
  type LeaseQuery,
  STATE_COUNT,
  scanLeases,
} from '../server/admin-queries.js';
import type { Allocator } from '../server/allocator.js';

/** Slots a census counts per turn: about half a millisecond with a million leases. */
export const SLOTS_PER_TURN = 32768;
/** Slots a listing looks at per turn (a filter costs more per slot than a count), and leases it formats. */
export const LIST_SLOTS_PER_TURN = 16384;
const LIST_ITEMS_PER_TURN = 200;
/** A listing gives up after this many turns and answers with what it has and a cursor. */
const MAX_TURNS = 128;

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface CensusResult {
  allocator: Allocator;
  /** counts[pool * STATE_COUNT + state]. */
  counts: Float64Array;
}

export class Census {
  private cached: (CensusResult & { at: number }) | undefined;
  private running: Promise<CensusResult> | undefined;

  constructor(
    private readonly allocator: () => Allocator,
    private readonly maxAgeMs = 1000,
    private readonly clock: () => number = () => performance.now(),
    private readonly slotsPerTurn = SLOTS_PER_TURN,
  ) {}

  /** The counts, at most maxAgeMs old, of the allocator served now. */
  counts(): Promise<CensusResult> {
    const c = this.cached;
    if (c !== undefined && c.allocator === this.allocator() && this.clock() - c.at < this.maxAgeMs) {
      return Promise.resolve(c);
    }
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<CensusResult> {
    for (;;) {
      const alloc = this.allocator();
      const counts = new Float64Array(alloc.pools.length * STATE_COUNT);
      let swapped = false;
      for (let from = 0; from < alloc.slotCount; from += this.slotsPerTurn) {
        if (from > 0) {
          await nextTurn();
          if (this.allocator() !== alloc) {
            swapped = true;
            break;
          }
        }
        countStates(alloc, from, from + this.slotsPerTurn, counts);
      }
      if (!swapped) {
        this.cached = { allocator: alloc, counts, at: this.clock() };
        return this.cached;
      }
    }
  }
}

export type ListResult = { items: LeaseJson[]; next: number | undefined } | { error: string };

/** A page of leases from the address `from` on, a few hundred microseconds of work per turn. */
export async function listLeases(
  allocator: () => Allocator,
  q: LeaseQuery,
  from: number,
  limit: number,
  slotsPerTurn = LIST_SLOTS_PER_TURN,
  itemsPerTurn = LIST_ITEMS_PER_TURN,
): Promise<ListResult> {
  const items: LeaseJson[] = [];
  let alloc: Allocator | undefined;
  let filter: LeaseFilter | undefined;
  for (let turn = 0; ; turn++) {
    const a = allocator();
    if (a !== alloc || filter === undefined) {
      const f = compileFilter(q, a);
      if ('error' in f) return f;
      alloc = a;
      filter = f;
    }
    const r = scanLeases(a, filter, from, Math.min(limit - items.length, itemsPerTurn), slotsPerTurn);
    items.push(...r.items);
    if (r.next === undefined || items.length >= limit) return { items, next: r.next };
    // the turn's share of slots or of leases is done: go on from there next turn
    from = r.next;
    if (turn + 1 >= MAX_TURNS) return { items, next: from };
    await nextTurn();
  }
}
