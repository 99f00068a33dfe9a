// Intrusive doubly-linked lists over address slots, in typed arrays: each slot is in at most one
// list (a pool's free list or its abandoned list), so taking the head, appending and unlinking are
// O(1) and cost no allocation however large the pool is.

export const NO_SLOT = -1;

export class SlotLists {
  readonly prev: Int32Array;
  readonly next: Int32Array;
  /** The list a slot is in, or NO_SLOT. */
  readonly listOf: Int32Array;
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly length: Int32Array;

  constructor(slotCount: number, listCount: number) {
    this.prev = new Int32Array(slotCount).fill(NO_SLOT);
    this.next = new Int32Array(slotCount).fill(NO_SLOT);
    this.listOf = new Int32Array(slotCount).fill(NO_SLOT);
    this.head = new Int32Array(listCount).fill(NO_SLOT);
    this.tail = new Int32Array(listCount).fill(NO_SLOT);
    this.length = new Int32Array(listCount);
  }

  append(list: number, slot: number): void {
    this.unlink(slot);
    const t = this.tail[list]!;
    this.prev[slot] = t;
    this.next[slot] = NO_SLOT;
    if (t === NO_SLOT) this.head[list] = slot;
    else this.next[t] = slot;
    this.tail[list] = slot;
    this.listOf[slot] = list;
    this.length[list]!++;
  }

  prepend(list: number, slot: number): void {
    this.unlink(slot);
    const h = this.head[list]!;
    this.next[slot] = h;
    this.prev[slot] = NO_SLOT;
    if (h === NO_SLOT) this.tail[list] = slot;
    else this.prev[h] = slot;
    this.head[list] = slot;
    this.listOf[slot] = list;
    this.length[list]!++;
  }

  /**
   * Inserts `slot` after the last slot whose key is not above its own (ISC keeps its free queues
   * sorted by lease end this way). The walk starts at the tail, where new keys land: the times
   * inserted at run time only grow, so it passes only the few later keys (offers in flight).
   */
  insertSorted(list: number, slot: number, key: Float64Array): void {
    this.unlink(slot);
    const k = key[slot]!;
    let p = this.tail[list]!;
    while (p !== NO_SLOT && key[p]! > k) p = this.prev[p]!;
    if (p === NO_SLOT) {
      this.prepend(list, slot);
      return;
    }
    const n = this.next[p]!;
    this.prev[slot] = p;
    this.next[slot] = n;
    this.next[p] = slot;
    if (n === NO_SLOT) this.tail[list] = slot;
    else this.prev[n] = slot;
    this.listOf[slot] = list;
    this.length[list]!++;
  }

  unlink(slot: number): void {
    const list = this.listOf[slot]!;
    if (list === NO_SLOT) return;
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p === NO_SLOT) this.head[list] = n;
    else this.next[p] = n;
    if (n === NO_SLOT) this.tail[list] = p;
    else this.prev[n] = p;
    this.prev[slot] = NO_SLOT;
    this.next[slot] = NO_SLOT;
    this.listOf[slot] = NO_SLOT;
    this.length[list]!--;
  }
}
