// The failover simulation's clock work (server-sim.ts): a seeded random source and a queue of events
// in time order (equal times in the order queued), so that a seed replays exactly.

/** mulberry32: a small seeded random source, [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Entry<E> {
  at: number;
  seq: number;
  ev: E;
}

/** A binary heap of events by (time, sequence). */
export class EventQueue<E> {
  private readonly a: Entry<E>[] = [];
  private seq = 0;
  get size(): number {
    return this.a.length;
  }
  push(at: number, ev: E): void {
    const e = { at, seq: this.seq++, ev };
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  peek(): Entry<E> | undefined {
    return this.a[0];
  }
  pop(): Entry<E> | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

const less = <E>(x: Entry<E>, y: Entry<E>): boolean => x.at < y.at || (x.at === y.at && x.seq < y.seq);
