// A binary min-heap of (time, slot) pairs in typed arrays: when each active lease ends and each
// offer lapses. Entries are never removed early; a popped entry whose slot has since changed is
// simply ignored by the caller (lazy deletion), which keeps every update O(log n) and allocation-free.

export class ExpiryHeap {
  private times = new Float64Array(64);
  private slots = new Int32Array(64);
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(time: number, slot: number): void {
    if (this.count === this.times.length) this.grow();
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent]!;
      if (pt <= time) break;
      this.times[i] = pt;
      this.slots[i] = this.slots[parent]!;
      i = parent;
    }
    this.times[i] = time;
    this.slots[i] = slot;
  }

  /** The earliest time, or +Infinity when empty. */
  peekTime(): number {
    return this.count > 0 ? this.times[0]! : Number.POSITIVE_INFINITY;
  }

  /** Removes the earliest entry and returns its slot (-1 when empty). */
  pop(): number {
    if (this.count === 0) return -1;
    const top = this.slots[0]!;
    const n = --this.count;
    const time = this.times[n]!;
    const slot = this.slots[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.times[child + 1]! < this.times[child]!) child++;
      if (this.times[child]! >= time) break;
      this.times[i] = this.times[child]!;
      this.slots[i] = this.slots[child]!;
      i = child;
    }
    this.times[i] = time;
    this.slots[i] = slot;
    return top;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    const slots = new Int32Array(this.slots.length * 2);
    slots.set(this.slots);
    this.times = times;
    this.slots = slots;
  }
}
