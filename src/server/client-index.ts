// The clients recorded on addresses, with no object per address: each slot's client identifier,
// hardware address and client-hostname are octets in one byte arena (offset and length in typed
// arrays), and "which slots name this client" is a hash table whose chains are threaded through
// the slots themselves (Int32Arrays). At a million leases, strings or Uint8Arrays per lease and
// Maps of hex keys cost hundreds of megabytes and most of the start-up time in the collector.
//
// A chain holds every slot whose key hashes to its bucket; lookups skip the slots of other keys.
// Slots of one key stay in the order they were last given that key, most recent first (as the
// Map of key strings this replaces kept them), so the engine sees the same order.

import type { LeaseFields } from '../leases/lease-text.js';
import { NO_SLOT } from './slot-lists.js';

export interface HardwareAddress {
  type: number;
  address: Uint8Array;
}

const HAS_UID = 1;
const HAS_HW = 2;
const HAS_NAME = 4;

/** FNV-1a over bytes[off, off+len), seeded (the hardware type goes into the seed). */
function hashBytes(bytes: Uint8Array, off: number, len: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let k = 0; k < len; k++) h = Math.imul(h ^ bytes[off + k]!, 0x01000193);
  return h >>> 0;
}

function bucketCount(slotCount: number): number {
  let n = 64;
  while (n < slotCount) n *= 2;
  return n;
}

/** A hash table of slots by a byte key: buckets and chain links in Int32Arrays. */
class SlotChains {
  private readonly bucket: Int32Array;
  readonly next: Int32Array;
  private readonly mask: number;

  constructor(slotCount: number) {
    const n = bucketCount(slotCount);
    this.bucket = new Int32Array(n).fill(NO_SLOT);
    this.next = new Int32Array(slotCount).fill(NO_SLOT);
    this.mask = n - 1;
  }

  head(hash: number): number {
    return this.bucket[hash & this.mask]!;
  }

  insert(slot: number, hash: number): void {
    const b = hash & this.mask;
    this.next[slot] = this.bucket[b]!;
    this.bucket[b] = slot;
  }

  /**
   * Inserts `slot` among the slots of its own key (`same`) before the first one `before` accepts,
   * else after the last of them (ISC uid_hash_add / hw_hash_add keep each client's leases in order
   * of preference this way); other keys sharing the bucket are passed over.
   */
  place(slot: number, hash: number, same: (s: number) => boolean, before: (s: number) => boolean): void {
    const b = hash & this.mask;
    let prev = NO_SLOT;
    let lastSame = NO_SLOT;
    let s = this.bucket[b]!;
    while (s !== NO_SLOT) {
      if (same(s)) {
        if (before(s)) break;
        lastSame = s;
      }
      prev = s;
      s = this.next[s]!;
    }
    const after = s === NO_SLOT ? lastSame : prev;
    if (after === NO_SLOT) {
      this.insert(slot, hash);
      return;
    }
    this.next[slot] = this.next[after]!;
    this.next[after] = slot;
  }

  remove(slot: number, hash: number): void {
    const b = hash & this.mask;
    let s = this.bucket[b]!;
    if (s === slot) {
      this.bucket[b] = this.next[slot]!;
    } else {
      while (s !== NO_SLOT && this.next[s] !== slot) s = this.next[s]!;
      if (s !== NO_SLOT) this.next[s] = this.next[slot]!;
    }
    this.next[slot] = NO_SLOT;
  }
}

export class ClientIndex {
  /** The arena: every slot's octets; replaced ones are garbage until the next compaction. */
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  private garbage = 0;
  private readonly has: Uint8Array;
  private readonly uidOff: Int32Array;
  private readonly uidLen: Uint16Array;
  private readonly hwOff: Int32Array;
  private readonly hwLen: Uint16Array;
  private readonly hwType: Uint16Array;
  private readonly nameOff: Int32Array;
  private readonly nameLen: Uint16Array;
  /** Host names with a char above U+00FF (not one octet per char): rare, kept as strings. */
  private readonly wideNames = new Map<number, string>();
  private readonly byUid: SlotChains;
  private readonly byHw: SlotChains;
  private readonly slotCount: number;

  constructor(slotCount: number) {
    this.slotCount = slotCount;
    this.has = new Uint8Array(slotCount);
    this.uidOff = new Int32Array(slotCount);
    this.uidLen = new Uint16Array(slotCount);
    this.hwOff = new Int32Array(slotCount);
    this.hwLen = new Uint16Array(slotCount);
    this.hwType = new Uint16Array(slotCount);
    this.nameOff = new Int32Array(slotCount);
    this.nameLen = new Uint16Array(slotCount);
    this.byUid = new SlotChains(slotCount);
    this.byHw = new SlotChains(slotCount);
  }

  /** The arena and where a slot's octets are in it, for writers that copy them out directly. */
  get arena(): Uint8Array {
    return this.bytes;
  }

  // --- the client of a slot ---------------------------------------------------------------

  /**
   * Records the slot's client; a zero-length identifier or hardware address counts as none. With
   * `before` (a lease being superseded) the slot is taken out of its chains and put back in
   * preference order, as ISC does on every supersede, even when the client is the same.
   */
  set(
    slot: number,
    uid: Uint8Array | undefined,
    hw: HardwareAddress | undefined,
    before?: (cand: number) => boolean,
  ): void {
    const u = uid !== undefined && uid.length > 0 && uid.length <= 0xffff ? uid : undefined;
    if (u === undefined ? this.has[slot]! & HAS_UID : before !== undefined || !this.uidIs(slot, u, 0, u.length)) {
      if (this.has[slot]! & HAS_UID) this.dropUid(slot);
      if (u !== undefined) {
        const off = this.store(u);
        this.uidOff[slot] = off;
        this.uidLen[slot] = u.length;
        this.has[slot]! |= HAS_UID;
        const hash = hashBytes(this.bytes, off, u.length, 0);
        if (before === undefined) this.byUid.insert(slot, hash);
        else this.byUid.place(slot, hash, (c) => c !== slot && this.uidIs(c, u, 0, u.length), before);
      }
    }
    const h = hw !== undefined && hw.address.length > 0 && hw.address.length <= 0xffff ? hw : undefined;
    if (
      h === undefined
        ? this.has[slot]! & HAS_HW
        : before !== undefined || !this.hwIs(slot, h.type, h.address, 0, h.address.length)
    ) {
      if (this.has[slot]! & HAS_HW) this.dropHw(slot);
      if (h !== undefined) {
        const off = this.store(h.address);
        this.hwOff[slot] = off;
        this.hwLen[slot] = h.address.length;
        this.hwType[slot] = h.type & 0xffff;
        this.has[slot]! |= HAS_HW;
        const hash = hashBytes(this.bytes, off, h.address.length, h.type & 0xffff);
        if (before === undefined) this.byHw.insert(slot, hash);
        else
          this.byHw.place(
            slot,
            hash,
            (c) => c !== slot && this.hwIs(c, h.type, h.address, 0, h.address.length),
            before,
          );
      }
    }
  }

  /**
   * set() from octets in `src` (the lease reader's scratch buffer), without a view per field:
   * uidLen or hwLen below 1 means none.
   */
  setSpans(
    slot: number,
    src: Uint8Array,
    uidOff: number,
    uidLen: number,
    hwType: number,
    hwOff: number,
    hwLen: number,
  ): void {
    if (uidLen > 0 ? !this.uidIs(slot, src, uidOff, uidLen) : this.has[slot]! & HAS_UID) {
      if (this.has[slot]! & HAS_UID) this.dropUid(slot);
      if (uidLen > 0) {
        const off = this.reserve(uidLen);
        for (let k = 0; k < uidLen; k++) this.bytes[off + k] = src[uidOff + k]!;
        this.uidOff[slot] = off;
        this.uidLen[slot] = uidLen;
        this.has[slot]! |= HAS_UID;
        this.byUid.insert(slot, hashBytes(this.bytes, off, uidLen, 0));
      }
    }
    if (hwLen > 0 ? !this.hwIs(slot, hwType, src, hwOff, hwLen) : this.has[slot]! & HAS_HW) {
      if (this.has[slot]! & HAS_HW) this.dropHw(slot);
      if (hwLen > 0) {
        const off = this.reserve(hwLen);
        for (let k = 0; k < hwLen; k++) this.bytes[off + k] = src[hwOff + k]!;
        this.hwOff[slot] = off;
        this.hwLen[slot] = hwLen;
        this.hwType[slot] = hwType & 0xffff;
        this.has[slot]! |= HAS_HW;
        this.byHw.insert(slot, hashBytes(this.bytes, off, hwLen, hwType & 0xffff));
      }
    }
  }

  /** setHostname() from octets; len -1 means none. */
  setHostnameSpan(slot: number, src: Uint8Array, off: number, len: number): void {
    if (this.has[slot]! & HAS_NAME) {
      this.garbage += this.nameLen[slot]!;
      this.has[slot]! &= ~HAS_NAME;
      this.wideNames.delete(slot);
    }
    if (len < 0) return;
    const at = this.reserve(len);
    for (let k = 0; k < len; k++) this.bytes[at + k] = src[off + k]!;
    this.nameOff[slot] = at;
    this.nameLen[slot] = len;
    this.has[slot]! |= HAS_NAME;
  }

  setHostname(slot: number, name: string | undefined): void {
    if (this.has[slot]! & HAS_NAME) {
      this.garbage += this.nameLen[slot]!;
      this.has[slot]! &= ~HAS_NAME;
      this.wideNames.delete(slot);
    }
    if (name === undefined) return;
    this.has[slot]! |= HAS_NAME;
    let narrow = name.length <= 0xffff;
    for (let k = 0; k < name.length && narrow; k++) if (name.charCodeAt(k) > 0xff) narrow = false;
    if (!narrow) {
      this.nameLen[slot] = 0;
      this.wideNames.set(slot, name);
      return;
    }
    const off = this.reserve(name.length);
    for (let k = 0; k < name.length; k++) this.bytes[off + k] = name.charCodeAt(k);
    this.nameOff[slot] = off;
    this.nameLen[slot] = name.length;
  }

  hasUid(slot: number): boolean {
    return (this.has[slot]! & HAS_UID) !== 0;
  }

  hasHw(slot: number): boolean {
    return (this.has[slot]! & HAS_HW) !== 0;
  }

  hasHostname(slot: number): boolean {
    return (this.has[slot]! & HAS_NAME) !== 0;
  }

  /** A copy of the slot's client identifier. */
  uidOf(slot: number): Uint8Array | undefined {
    if (!(this.has[slot]! & HAS_UID)) return undefined;
    const off = this.uidOff[slot]!;
    return this.bytes.slice(off, off + this.uidLen[slot]!);
  }

  /** A copy of the slot's hardware address. */
  hwOf(slot: number): HardwareAddress | undefined {
    if (!(this.has[slot]! & HAS_HW)) return undefined;
    const off = this.hwOff[slot]!;
    return { type: this.hwType[slot]!, address: this.bytes.slice(off, off + this.hwLen[slot]!) };
  }

  hostnameOf(slot: number): string | undefined {
    if (!(this.has[slot]! & HAS_NAME)) return undefined;
    const wide = this.wideNames.get(slot);
    if (wide !== undefined) return wide;
    const off = this.nameOff[slot]!;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + off, this.nameLen[slot]!).toString('latin1');
  }

  /**
   * Where the slot's octets are in `arena` (valid until the next change of any slot), into the
   * lease writer's fields; false when its host name is not octets (then only formatLease can
   * write it).
   */
  spans(slot: number, f: LeaseFields): boolean {
    const h = this.has[slot]!;
    f.bytes = this.bytes;
    f.uidOff = this.uidOff[slot]!;
    f.uidLen = h & HAS_UID ? this.uidLen[slot]! : -1;
    f.hwOff = this.hwOff[slot]!;
    f.hwLen = h & HAS_HW ? this.hwLen[slot]! : -1;
    f.hwType = this.hwType[slot]!;
    f.nameOff = this.nameOff[slot]!;
    f.nameLen = h & HAS_NAME ? this.nameLen[slot]! : -1;
    return !(h & HAS_NAME) || this.wideNames.size === 0 || !this.wideNames.has(slot);
  }

  // --- lookups by client --------------------------------------------------------------------

  /** The first slot whose client identifier is `uid` (then uidAfter), NO_SLOT when none. */
  uidFirst(uid: Uint8Array): number {
    return this.uidFrom(this.byUid.head(hashBytes(uid, 0, uid.length, 0)), uid);
  }
  uidAfter(slot: number, uid: Uint8Array): number {
    return this.uidFrom(this.byUid.next[slot]!, uid);
  }
  hwFirst(type: number, address: Uint8Array): number {
    return this.hwFrom(this.byHw.head(hashBytes(address, 0, address.length, type & 0xffff)), type, address);
  }
  hwAfter(slot: number, type: number, address: Uint8Array): number {
    return this.hwFrom(this.byHw.next[slot]!, type, address);
  }

  uidIs(slot: number, uid: Uint8Array, off: number, len: number): boolean {
    if (!(this.has[slot]! & HAS_UID) || this.uidLen[slot] !== len) return false;
    const a = this.uidOff[slot]!;
    for (let k = 0; k < len; k++) if (this.bytes[a + k] !== uid[off + k]) return false;
    return true;
  }

  hwIs(slot: number, type: number, address: Uint8Array, off: number, len: number): boolean {
    if (!(this.has[slot]! & HAS_HW) || this.hwLen[slot] !== len || this.hwType[slot] !== (type & 0xffff)) return false;
    const a = this.hwOff[slot]!;
    for (let k = 0; k < len; k++) if (this.bytes[a + k] !== address[off + k]) return false;
    return true;
  }

  private uidFrom(s: number, uid: Uint8Array): number {
    while (s !== NO_SLOT && !this.uidIs(s, uid, 0, uid.length)) s = this.byUid.next[s]!;
    return s;
  }

  private hwFrom(s: number, type: number, address: Uint8Array): number {
    while (s !== NO_SLOT && !this.hwIs(s, type, address, 0, address.length)) s = this.byHw.next[s]!;
    return s;
  }

  // --- the arena ------------------------------------------------------------------------------

  private dropUid(slot: number): void {
    const len = this.uidLen[slot]!;
    this.byUid.remove(slot, hashBytes(this.bytes, this.uidOff[slot]!, len, 0));
    this.has[slot]! &= ~HAS_UID;
    this.garbage += len;
  }

  private dropHw(slot: number): void {
    const len = this.hwLen[slot]!;
    this.byHw.remove(slot, hashBytes(this.bytes, this.hwOff[slot]!, len, this.hwType[slot]!));
    this.has[slot]! &= ~HAS_HW;
    this.garbage += len;
  }

  private store(src: Uint8Array): number {
    const off = this.reserve(src.length);
    this.bytes.set(src, off);
    return off;
  }

  /** Room for n octets at the end of the arena: compacts when most of it is garbage, else grows. */
  private reserve(n: number): number {
    if (this.used + n > this.bytes.length) {
      const live = this.used - this.garbage;
      if (this.garbage > live) this.compact(Math.max(live * 2, live + n, 1 << 16));
      if (this.used + n > this.bytes.length) {
        const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
        grown.set(this.bytes.subarray(0, this.used));
        this.bytes = grown;
      }
    }
    const off = this.used;
    this.used += n;
    return off;
  }

  /** Copies the live octets into a new arena (offsets change; hashes do not). */
  private compact(size: number): void {
    const old = this.bytes;
    const out = new Uint8Array(size);
    let used = 0;
    const move = (offs: Int32Array, lens: Uint16Array, slot: number): void => {
      const off = offs[slot]!;
      const len = lens[slot]!;
      out.set(old.subarray(off, off + len), used);
      offs[slot] = used;
      used += len;
    };
    for (let s = 0; s < this.slotCount; s++) {
      const h = this.has[s]!;
      if (h === 0) continue;
      if (h & HAS_UID) move(this.uidOff, this.uidLen, s);
      if (h & HAS_HW) move(this.hwOff, this.hwLen, s);
      if (h & HAS_NAME) move(this.nameOff, this.nameLen, s);
    }
    this.bytes = out;
    this.used = used;
    this.garbage = 0;
  }
}
