// Which slots a client's keys name: one chain per client identifier and one per hardware address,
// threaded through Int32Arrays (a client rarely holds more than one or two addresses, so a chain is
// short), with the key strings kept only for addresses that have ever had a client.

import { NO_SLOT } from './slot-lists.js';

class KeyChains {
  readonly key: (string | undefined)[];
  private readonly next: Int32Array;
  private readonly head = new Map<string, number>();

  constructor(slotCount: number) {
    this.key = new Array(slotCount);
    this.next = new Int32Array(slotCount).fill(NO_SLOT);
  }

  set(slot: number, key: string | undefined): void {
    const old = this.key[slot];
    if (old === key) return;
    if (old !== undefined) this.remove(old, slot);
    this.key[slot] = key;
    if (key !== undefined) {
      this.next[slot] = this.head.get(key) ?? NO_SLOT;
      this.head.set(key, slot);
    }
  }

  first(key: string): number {
    return this.head.get(key) ?? NO_SLOT;
  }

  after(slot: number): number {
    return this.next[slot]!;
  }

  private remove(key: string, slot: number): void {
    let s = this.head.get(key) ?? NO_SLOT;
    if (s === slot) {
      const n = this.next[slot]!;
      if (n === NO_SLOT) this.head.delete(key);
      else this.head.set(key, n);
    } else {
      while (s !== NO_SLOT && this.next[s] !== slot) s = this.next[s]!;
      if (s !== NO_SLOT) this.next[s] = this.next[slot]!;
    }
    this.next[slot] = NO_SLOT;
  }
}

export class ClientIndex {
  readonly byUid: KeyChains;
  readonly byHw: KeyChains;

  constructor(slotCount: number) {
    this.byUid = new KeyChains(slotCount);
    this.byHw = new KeyChains(slotCount);
  }

  set(slot: number, uidKey: string | undefined, hwKey: string | undefined): void {
    this.byUid.set(slot, uidKey);
    this.byHw.set(slot, hwKey);
  }
}
